package handlers

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aelab/aelab/datasets"
	"github.com/aelab/aelab/internal/lab"
	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web"
)

// labelledCSV is n rows of four features and a string label; the classes
// sit in different corners so that there is something to learn.
func labelledCSV(n int) string {
	var b strings.Builder
	b.WriteString("height,width,depth,weight,kind\n")
	names := []string{"gamma", "alpha", "beta"}
	for i := range n {
		c := i % 3
		fmt.Fprintf(&b, "%d.%d,%d,%g,%d,%s\n", c*3+i%5, i%10, (2-c)*4+i%3, float64(i%7)/7, c*10+i%4, names[c])
	}
	return b.String()
}

// multipartBody builds an upload: the fields, then the file.
func multipartBody(t *testing.T, fields map[string]string, filename, content string) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if filename != "" {
		fw, err := mw.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(fw, content)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), &buf
}

// upload posts a multipart upload to path (the API or the page route).
func (ts *testServer) upload(t *testing.T, path string, fields map[string]string, filename, content string) (*http.Response, []byte) {
	t.Helper()
	ct, body := multipartBody(t, fields, filename, content)
	return ts.do(t, "POST", path, body.String(), map[string]string{"Content-Type": ct})
}

// newUploadServer is newTestServer with a registry of its own, so that
// uploads do not pile up in the shared one (a registry keeps at most
// datasets.MaxUploads) however often the tests run.
func newUploadServer(t *testing.T, dataDir string) *testServer {
	t.Helper()
	static, err := fs.Sub(web.Static, "static")
	if err != nil {
		t.Fatal(err)
	}
	m := session.NewManager(session.Options{Datasets: datasets.NewRegistry(dataDir), UploadLimit: session.RateLimit{Burst: -1}})
	socks := NewSockets()
	srv := httptest.NewServer(NewServer(Deps{Sessions: m, Static: static, Sockets: socks}))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = m.Shutdown(ctx)
		_ = socks.Close(ctx)
		srv.Close()
	})
	return &testServer{Server: srv, m: m, socks: socks}
}

// uploadAnswer is the JSON of POST /api/datasets, success or error.
type uploadAnswer struct {
	Name        string      `json:"name"`
	Dataset     datasetBody `json:"dataset"`
	DroppedRows *int        `json:"dropped_rows"`
	Error       string      `json:"error"`
	Code        string      `json:"code"`
	Field       string      `json:"field"`
	Line        int         `json:"line"`
	Column      string      `json:"column"`
}

func decodeUpload(t *testing.T, b []byte) uploadAnswer {
	t.Helper()
	var a uploadAnswer
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("answer is not JSON: %v\n%s", err, b)
	}
	return a
}

// snapshotOf waits for the session to end and returns its first WebSocket
// message.
func snapshotOf(t *testing.T, ts *testServer, id string) session.Snapshot {
	t.Helper()
	s, err := ts.m.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.Done():
	case <-time.After(2 * time.Minute):
		t.Fatal("the training did not end in 2 minutes")
	}
	if st := s.State(); st != session.Completed {
		t.Fatalf("training ended %s (%s), want completed", st, s.Info().Error)
	}
	conn := dialWS(t, ts, id, nil)
	defer conn.Close()
	_, b, err := conn.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	var snap session.Snapshot
	if err := json.Unmarshal(b, &snap); err != nil {
		t.Fatal(err)
	}
	return snap
}

func TestUploadCSVAndTrainOnIt(t *testing.T) {
	ts := newUploadServer(t, "")
	// A page's script sends its browser's owner key along.
	key := ownerCookieName + "=" + strings.Repeat("k", 43)
	ct, body := multipartBody(t, map[string]string{"label_column": "kind", "title": "Boxes"}, "My boxes (v2).csv", labelledCSV(300))
	res, b := ts.do(t, "POST", "/api/datasets", body.String(), map[string]string{"Content-Type": ct, "Cookie": key})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", res.StatusCode, b)
	}
	a := decodeUpload(t, b)
	if !strings.HasPrefix(a.Name, "my-boxes-v2") || a.Dataset.Name != a.Name || res.Header.Get("Location") != "/api/datasets/"+a.Name {
		t.Fatalf("name %q, dataset %q, Location %q", a.Name, a.Dataset.Name, res.Header.Get("Location"))
	}
	d := a.Dataset
	if d.Title != "Boxes" || d.Features != 4 || d.Shape != (shapeBody{4, 1}) || d.TrainSize+d.TestSize != 300 ||
		d.TestSize != 60 || !d.Available || strings.Join(d.ClassNames, ",") != "alpha,beta,gamma" ||
		a.DroppedRows == nil || *a.DroppedRows != 0 {
		t.Fatalf("uploaded dataset = %+v, dropped %v", d, a.DroppedRows)
	}
	// It is listed for its uploader (not for others), and can be asked for
	// by name by anyone.
	_, b = ts.do(t, "GET", "/api/datasets", "", map[string]string{"Cookie": key})
	if !strings.Contains(string(b), `"name": "`+a.Name+`"`) {
		t.Fatalf("GET /api/datasets does not list %s", a.Name)
	}
	if _, b = ts.do(t, "GET", "/api/datasets", "", nil); strings.Contains(string(b), `"name": "`+a.Name+`"`) {
		t.Fatalf("GET /api/datasets lists %s to another browser", a.Name)
	}
	if res, b := ts.do(t, "GET", "/api/datasets/"+a.Name, "", nil); res.StatusCode != 200 || !strings.Contains(string(b), `"Boxes"`) {
		t.Fatalf("GET /api/datasets/%s: %d %s", a.Name, res.StatusCode, b)
	}

	c := ts.create(t, `{"dataset":"`+a.Name+`","encoder":[16],"bottleneck":2,"batch_size":16,"epochs":3,"seed":5}`)
	snap := snapshotOf(t, ts, c.ID)
	r := snap.Reconstructions
	if r == nil || r.Kind != "vector" || r.Width != 4 || r.Height != 1 || r.Count == 0 || len(r.Originals) != r.Count*4 {
		t.Fatalf("reconstructions = %+v", r)
	}
	l := snap.Latent
	if l == nil || l.Projection != "identity" || len(l.X) != 60 || strings.Join(l.ClassNames, ",") != "alpha,beta,gamma" {
		t.Fatalf("latent = %+v", l)
	}
	for _, lab := range l.Labels {
		if lab < 0 || lab > 2 {
			t.Fatalf("latent label %d is not a class of 3", lab)
		}
	}
}

func TestUploadWithoutLabelsTrainsWithUnlabelledPoints(t *testing.T) {
	ts := newUploadServer(t, "")
	var b strings.Builder
	for i := range 120 {
		fmt.Fprintf(&b, "%d;%d,5;%d\n", i%11, i%4, -i%9) // no header, semicolons, decimal commas
	}
	res, body := ts.upload(t, "/api/datasets", map[string]string{"normalize": "zscore", "header": "no", "test_fraction": "0.25"}, "plain.txt", b.String())
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", res.StatusCode, body)
	}
	a := decodeUpload(t, body)
	if a.Dataset.Features != 3 || len(a.Dataset.ClassNames) != 0 || a.Dataset.TestSize != 30 || a.Dataset.ValueRange[0] >= 0 {
		t.Fatalf("dataset = %+v", a.Dataset)
	}
	// z-scored data leaves [0,1]: the sigmoid output is refused, the linear one trains.
	if res, b := ts.do(t, "POST", "/api/sessions", `{"dataset":"`+a.Name+`","bottleneck":2}`, nil); res.StatusCode != 400 ||
		!strings.Contains(string(b), "output_activation") {
		t.Fatalf("sigmoid output on z-scored data: %d %s", res.StatusCode, b)
	}
	c := ts.create(t, `{"dataset":"`+a.Name+`","encoder":[8],"bottleneck":2,"output_activation":"linear","batch_size":16,"epochs":2}`)
	snap := snapshotOf(t, ts, c.ID)
	if snap.Latent == nil || len(snap.Latent.Labels) != 30 || snap.Latent.ClassNames == nil || len(snap.Latent.ClassNames) != 0 {
		t.Fatalf("latent = %+v", snap.Latent)
	}
	for _, l := range snap.Latent.Labels {
		if l != -1 {
			t.Fatalf("unlabelled rows have label %d, want -1", l)
		}
	}
	if r := snap.Reconstructions; r == nil || r.Kind != "vector" || r.Width != 3 {
		t.Fatalf("reconstructions = %+v", r)
	}
}

func TestUploadRefusals(t *testing.T) {
	ts := newUploadServer(t, "")
	// Something already uploaded must survive every refusal below.
	res, b := ts.upload(t, "/api/datasets", map[string]string{"label_column": "kind"}, "keep.csv", labelledCSV(20))
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", res.StatusCode, b)
	}
	kept := decodeUpload(t, b).Name

	bad := "a,b,c\n1,2,3\n4,5,6\n7,x,9\n"
	cases := []struct {
		name     string
		fields   map[string]string
		filename string
		content  string
		status   int
		field    string
		says     string
		line     int
		column   string
	}{
		{"bad cell", nil, "bad.csv", bad, 400, "file", `line 4, column "b": "x" is not a number`, 4, "b"},
		{"bad cell without header", map[string]string{"header": "no"}, "bad.csv", "1,2\n3,4\n5,\n", 400, "file", "line 3, column 2: missing value", 3, "column 2"},
		{"ragged row", nil, "bad.csv", "a,b\n1,2\n3,4,5\n", 400, "file", "line 3: 3 fields", 3, ""},
		{"empty file", nil, "empty.csv", "", 400, "file", "empty", 0, ""},
		{"no file", map[string]string{"name": "nofile"}, "", "", 400, "file", "choose a CSV file", 0, ""},
		{"name taken", map[string]string{"name": kept, "label_column": "kind"}, "x.csv", labelledCSV(20), 409, "name", "taken", 0, ""},
		{"builtin name", map[string]string{"name": "mnist"}, "x.csv", "1,2\n3,4\n", 409, "name", "taken", 0, ""},
		{"bad name", map[string]string{"name": "No Spaces"}, "x.csv", "1,2\n3,4\n", 400, "name", "lower-case", 0, ""},
		{"bad header option", map[string]string{"header": "maybe"}, "x.csv", "1,2\n3,4\n", 400, "header", "auto, yes or no", 0, ""},
		{"bad normalize", map[string]string{"normalize": "log"}, "x.csv", "1,2\n3,4\n", 400, "normalize", "minmax", 0, ""},
		{"bad drop_bad", map[string]string{"drop_bad": "perhaps"}, "x.csv", "1,2\n3,4\n", 400, "drop_bad", "true or false", 0, ""},
		{"test fraction too big", map[string]string{"test_fraction": "0.95"}, "x.csv", "1,2\n3,4\n", 400, "test_fraction", "at most 0.9", 0, ""},
		{"test fraction not a number", map[string]string{"test_fraction": "20%"}, "x.csv", "1,2\n3,4\n", 400, "test_fraction", "at most 0.9", 0, ""},
		{"label column unknown", map[string]string{"label_column": "species"}, "x.csv", "a,b\n1,2\n3,4\n", 400, "label_column", `"species" not found`, 0, ""},
		{"image width does not divide", map[string]string{"image_width": "3"}, "x.csv", "1,2\n3,4\n", 400, "image_width", "cannot form images", 0, ""},
		{"unknown field", map[string]string{"labels": "kind"}, "x.csv", "1,2\n3,4\n", 400, "labels", "unknown field", 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, b := ts.upload(t, "/api/datasets", tc.fields, tc.filename, tc.content)
			a := decodeUpload(t, b)
			if res.StatusCode != tc.status || a.Field != tc.field || !strings.Contains(a.Error, tc.says) ||
				a.Line != tc.line || a.Column != tc.column || a.Code != string(map[int]session.Code{400: session.EInvalid, 409: session.EConflict}[tc.status]) {
				t.Fatalf("got %d %+v\nwant %d field %q saying %q at line %d column %q", res.StatusCode, a, tc.status, tc.field, tc.says, tc.line, tc.column)
			}
		})
	}

	// The largest test fraction the form allows is one the CSV reader takes.
	if res, b := ts.upload(t, "/api/datasets", map[string]string{"test_fraction": "0.9"}, "tf.csv", "1,2\n3,4\n5,6\n"); res.StatusCode != 201 {
		t.Fatalf("test_fraction 0.9: %d %s", res.StatusCode, b)
	}
	// Not multipart.
	res, b = ts.do(t, "POST", "/api/datasets", `{"file":"a,b"}`, nil)
	if a := decodeUpload(t, b); res.StatusCode != 400 || !strings.Contains(a.Error, "multipart/form-data") {
		t.Fatalf("JSON body: %d %s", res.StatusCode, b)
	}

	// A file over the limit: 413, with the limit in the message.
	big := "x\n" + strings.Repeat("1", datasets.MaxCSVBytes+1024)
	res, b = ts.upload(t, "/api/datasets", nil, "big.csv", big)
	if a := decodeUpload(t, b); res.StatusCode != http.StatusRequestEntityTooLarge || a.Code != "too_large" ||
		!strings.Contains(a.Error, fmt.Sprintf("%d MiB", datasets.MaxCSVBytes>>20)) {
		t.Fatalf("oversized file: %d %s", res.StatusCode, b)
	}
	// A body announced as too large is refused before it is read.
	if st, body := rawPost(t, ts.URL, "/api/datasets", maxUploadBody+1); st != http.StatusRequestEntityTooLarge || !strings.Contains(body, "MiB") {
		t.Fatalf("oversized Content-Length: %d %s", st, body)
	}

	// The server is fine and nothing uploaded is lost.
	if res, _ := ts.do(t, "GET", "/healthz", "", nil); res.StatusCode != 200 {
		t.Fatalf("healthz after bad uploads: %d", res.StatusCode)
	}
	if res, b := ts.do(t, "GET", "/api/datasets/"+kept, "", nil); res.StatusCode != 200 || !strings.Contains(string(b), `"train_size": 16`) {
		t.Fatalf("the earlier upload is gone: %d %s", res.StatusCode, b)
	}
	ts.create(t, `{"dataset":"`+kept+`","encoder":[],"bottleneck":2,"batch_size":4,"epochs":1}`)
}

// rawPost sends only the headers of a multipart POST whose Content-Length
// says n bytes, and returns the status and body of the answer.
func rawPost(t *testing.T, base, path string, n int64) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: %d\r\n\r\n", path, n)
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestUploadDropBadReportsDroppedRows(t *testing.T) {
	ts := newUploadServer(t, "")
	csv := "a,b,label\n1,2,x\n3,,y\n5,6,x\n7,eight,y\n9,10,\n11,12,y\n"
	res, b := ts.upload(t, "/api/datasets", map[string]string{"label_column": "label", "drop_bad": "true"}, "gaps.csv", csv)
	a := decodeUpload(t, b)
	if res.StatusCode != 201 || a.DroppedRows == nil || *a.DroppedRows != 2 || a.Dataset.TrainSize+a.Dataset.TestSize != 4 ||
		!strings.Contains(a.Dataset.Description, "2 rows") {
		t.Fatalf("drop_bad: %d %s", res.StatusCode, b)
	}
	// Without drop_bad the first bad row is reported.
	res, b = ts.upload(t, "/api/datasets", map[string]string{"label_column": "label"}, "gaps.csv", csv)
	if a := decodeUpload(t, b); res.StatusCode != 400 || a.Line != 3 || a.Column != "b" || !strings.Contains(a.Error, "missing value") {
		t.Fatalf("without drop_bad: %d %s", res.StatusCode, b)
	}
}

func TestUploadFormRedirectsOrShowsTheError(t *testing.T) {
	ts := newUploadServer(t, "")
	res, b := ts.upload(t, "/datasets", map[string]string{"label_column": "kind", "drop_bad": "true", "header": "auto",
		"normalize": "minmax", "name": "", "title": "", "test_fraction": "", "image_width": ""}, "form.csv", labelledCSV(30)+"1,2,,4,beta\n")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("form upload: %d %s", res.StatusCode, b)
	}
	loc := res.Header.Get("Location")
	name := strings.TrimPrefix(loc, "/?dataset=")
	if !strings.HasPrefix(name, "form") {
		t.Fatalf("redirect to %q", loc)
	}
	_, page := ts.do(t, "GET", loc, "", nil)
	doc := string(page)
	for _, want := range []string{`value="` + name + `" checked`, `data-testid="upload-notice" role="status">“` + name + `” is ready`,
		"1 row with a missing or non-numeric value was dropped", `name="bottleneck" type="number" value="2"`} {
		if !strings.Contains(doc, want) {
			t.Errorf("home page after upload lacks %q", want)
		}
	}
	// An unknown or unusable name preselects nothing.
	_, page = ts.do(t, "GET", "/?dataset=nope", "", nil)
	if !strings.Contains(string(page), `value="mnist" checked`) || !strings.Contains(string(page), `data-testid="upload-notice" role="status" hidden`) {
		t.Error("/?dataset=nope does not fall back to MNIST")
	}

	// A bad file: the home page again, with the message above the upload
	// form, the fields as sent and the new-session form intact.
	res, b = ts.upload(t, "/datasets", map[string]string{"title": "Broken <b>", "label_column": "kind"}, "broken.csv", "a,b,kind\n1,2,x\n3,oops,y\n")
	page = b
	if res.StatusCode != 400 || !strings.Contains(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("bad form upload: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{`data-testid="upload-error" role="alert">line 3, column &#34;b&#34;: &#34;oops&#34; is not a number`,
		`value="Broken &lt;b&gt;"`, `data-testid="config-form"`, `value="mnist" checked`, `name="bottleneck" type="number" value="50"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("re-rendered page lacks %q", want)
		}
	}
	// Too large: 413 and the limit.
	res, b = ts.upload(t, "/datasets", nil, "big.csv", "x\n"+strings.Repeat("2", datasets.MaxCSVBytes+10))
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), fmt.Sprintf("larger than %d MiB", datasets.MaxCSVBytes>>20)) {
		t.Fatalf("oversized form upload: %d", res.StatusCode)
	}
	if res, _ := ts.do(t, "GET", "/healthz", "", nil); res.StatusCode != 200 {
		t.Fatalf("healthz: %d", res.StatusCode)
	}
}

// samplesAnswer is the JSON of GET /api/datasets/{name}/samples.
type samplesAnswer struct {
	lab.Samples
	Error string `json:"error"`
}

func getSamples(t *testing.T, ts *testServer, path string) (int, samplesAnswer) {
	t.Helper()
	res, b := ts.do(t, "GET", path, "", nil)
	var a samplesAnswer
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("%s: %v\n%s", path, err, b)
	}
	return res.StatusCode, a
}

func TestDatasetSamples(t *testing.T) {
	ts := newTestServer(t)
	st, a := getSamples(t, ts, "/api/datasets/mnist/samples?n=16")
	if st != 200 || a.Kind != "image" || a.Width != 28 || a.Height != 28 || a.Count != 16 || len(a.Data) != 16*784 ||
		len(a.Labels) != 16 || len(a.ClassNames) != 10 || a.Lo != 0 || a.Hi != 1 {
		t.Fatalf("mnist samples: %d kind %q %dx%d count %d, %d bytes", st, a.Kind, a.Width, a.Height, a.Count, len(a.Data))
	}
	for i := range 10 { // one of each class first
		if a.Labels[i] != i {
			t.Fatalf("mnist sample labels %v, want 0…9 first", a.Labels)
		}
	}
	var ink int
	for _, p := range a.Data {
		if p > 128 {
			ink++
		}
	}
	if ink < 16*50 {
		t.Errorf("mnist samples have only %d bright pixels: not digits", ink)
	}

	st, a = getSamples(t, ts, "/api/datasets/swiss_roll/samples")
	if st != 200 || a.Kind != "points" || a.Width != 3 || a.Height != 1 || a.Count != lab.PointSamples ||
		len(a.Data) != 3*lab.PointSamples || len(a.ClassNames) != 6 || len(a.Axes) != 3 {
		t.Fatalf("swiss roll samples: %d kind %q width %d count %d, %d bytes, axes %v", st, a.Kind, a.Width, a.Count, len(a.Data), a.Axes)
	}
	seen := map[int]bool{}
	for _, l := range a.Labels {
		seen[l] = true
	}
	if len(seen) != 6 {
		t.Errorf("swiss roll points cover bands %v, want all 6", seen)
	}

	st, a = getSamples(t, ts, "/api/datasets/blobs/samples")
	if st != 200 || a.Kind != "points" || a.Width != 3 || len(a.Data) != 3*a.Count {
		t.Fatalf("blobs (10-D) samples: kind %q width %d", a.Kind, a.Width)
	}

	st, a = getSamples(t, ts, "/api/datasets/sine_waves/samples?n=6")
	if st != 200 || a.Kind != "vector" || a.Width != 64 || a.Height != 1 || a.Count != 6 || len(a.Data) != 6*64 ||
		strings.Join(a.ClassNames, ",") != "normal,anomaly" {
		t.Fatalf("sine wave samples: kind %q width %d count %d, %d bytes", a.Kind, a.Width, a.Count, len(a.Data))
	}

	for _, tc := range []struct {
		path   string
		status int
		says   string
	}{
		{"/api/datasets/nope/samples", 404, `no dataset is called "nope"`},
		{"/api/datasets/nope", 404, `no dataset is called "nope"`},
		{"/api/datasets/mnist/samples?n=0", 400, "n must be"},
		{"/api/datasets/mnist/samples?n=65", 400, "n must be"},
		{"/api/datasets/mnist/samples?n=x", 400, "n must be"},
		{"/api/datasets/swiss_roll/samples?seed=-1", 400, "seed must be"},
	} {
		if st, a := getSamples(t, ts, tc.path); st != tc.status || !strings.Contains(a.Error, tc.says) {
			t.Errorf("%s: %d %q, want %d saying %q", tc.path, st, a.Error, tc.status, tc.says)
		}
	}
}

// TestUnavailableDatasetShowsItsReason runs a server whose Fashion-MNIST is
// missing: instead of a card it gets a folded note under the picker that
// says why, with the command that installs it (and no "0 train · 0 test"),
// and its samples are refused with the same reason.
func TestUnavailableDatasetShowsItsReason(t *testing.T) {
	ts := newUploadServer(t, t.TempDir())
	_, page := ts.do(t, "GET", "/", "", nil)
	doc := string(page)
	i := strings.Index(doc, `data-testid="dataset-fashion_mnist"`)
	if i < 0 {
		t.Fatal("no Fashion-MNIST card")
	}
	card := doc[i:]
	card = card[:strings.Index(card, "</details>")]
	for _, want := range []string{"not installed", "apt-get install dataset-fashion-mnist"} {
		if !strings.Contains(card, want) {
			t.Errorf("Fashion-MNIST note lacks %q:\n%s", want, card)
		}
	}
	if strings.Contains(card, "0 train") || strings.Contains(card, `name="dataset"`) {
		t.Errorf("the unavailable Fashion-MNIST can be picked or shows empty sizes:\n%s", card)
	}
	if strings.Contains(card, "dataset-thumb") {
		t.Error("an unavailable dataset has a thumbnail canvas")
	}
	if !strings.Contains(doc, `data-testid="thumb-mnist"`) {
		t.Error("MNIST has no thumbnail canvas")
	}
	st, a := getSamples(t, ts, "/api/datasets/fashion_mnist/samples")
	if st != http.StatusConflict || !strings.Contains(a.Error, "apt-get install dataset-fashion-mnist") {
		t.Fatalf("samples of an unavailable dataset: %d %q", st, a.Error)
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"iris.csv":                "iris",
		"My data (2).CSV":         "my-data-2",
		`C:\Users\ann\Wine Q.tsv`: "wine-q",
		"../../etc/passwd":        "passwd",
		"__x__.csv":               "x",
		"Ünïcödé.csv":             "n-c-d",
		"....csv":                 "upload",
		"":                        "upload",
		strings.Repeat("a", 80):   strings.Repeat("a", 32),
		"archive.tar.gz":          "archive-tar",
	} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}
