package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aelab/aelab/datasets"
	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web"
)

// newUploadServerWith is newUploadServer with its registry and the
// manager's options at hand (uploads are not rate-limited unless edit says).
func newUploadServerWith(t *testing.T, reg *datasets.Registry, edit func(*session.Options)) *testServer {
	t.Helper()
	static, err := fs.Sub(web.Static, "static")
	if err != nil {
		t.Fatal(err)
	}
	opt := session.Options{Datasets: reg, UploadLimit: session.RateLimit{Burst: -1}}
	if edit != nil {
		edit(&opt)
	}
	m := session.NewManager(opt)
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

// No upload leaves a file in the temporary directory: accepted, refused
// for its content, refused for an option, or too large.
func TestUploadsLeaveNoTempFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ts := newUploadServer(t, "")
	big := labelledCSV(12000) // over the 256 KiB kept in memory
	if len(big) < 300<<10 {
		t.Fatalf("test CSV is only %d bytes", len(big))
	}
	cases := []struct {
		name   string
		fields map[string]string
		csv    string
		want   int
	}{
		{"accepted", map[string]string{"label_column": "kind"}, big, http.StatusCreated},
		{"bad content", map[string]string{"label_column": "kind"}, big + "1,2,x,4,alpha\n", http.StatusBadRequest},
		{"bad option", map[string]string{"label_column": "kind", "header": "maybe"}, big, http.StatusBadRequest},
		{"unknown field", map[string]string{"labels": "kind"}, big, http.StatusBadRequest},
	}
	for _, tc := range cases {
		res, b := ts.upload(t, "/api/datasets", tc.fields, "big.csv", tc.csv)
		if res.StatusCode != tc.want {
			t.Fatalf("%s: %d %s", tc.name, res.StatusCode, b)
		}
		if left, _ := os.ReadDir(tmp); len(left) != 0 {
			t.Fatalf("%s: %d files left in the temporary directory: %v", tc.name, len(left), left)
		}
	}
	// Too large: refused while reading; nothing stays either.
	huge := strings.Repeat("1,2,3,4\n", (datasets.MaxCSVBytes>>3)+(1<<17))
	ct, body := multipartBody(t, nil, "huge.csv", huge)
	req, _ := http.NewRequest("POST", ts.URL+"/datasets", body)
	req.Header.Set("Content-Type", ct)
	req.ContentLength = -1 // chunked: the size is found out while reading
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("too large: %d", res.StatusCode)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Fatalf("too large: %d files left in the temporary directory", len(left))
	}
}

// A 30 MiB upload of one line of commas is refused without taking memory
// in proportion (it took 2.17 GB).
func TestUploadOfOneLineOfCommasStaysSmall(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	ts := newUploadServer(t, "")
	ct, body := multipartBody(t, nil, "commas.csv", strings.Repeat(",", 30<<20))
	b := body.Bytes()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res, out := ts.do(t, "POST", "/api/datasets", string(b), map[string]string{"Content-Type": ct})
	runtime.ReadMemStats(&after)
	var e uploadAnswer
	_ = json.Unmarshal(out, &e)
	if res.StatusCode != http.StatusBadRequest || e.Line != 1 || !strings.Contains(e.Error, "4097") {
		t.Fatalf("%d %s, want 400 naming line 1 and column 4097", res.StatusCode, out)
	}
	// The request body is copied once into a string by the test's client
	// (30 MiB); the server must not add more than a few MiB to it.
	alloc := int64(after.TotalAlloc - before.TotalAlloc)
	t.Logf("the request allocated %d MiB in all (client and server)", alloc>>20)
	if alloc > 48<<20 {
		t.Errorf("allocated %d MiB, want at most 48 (30 of them the test's own copy)", alloc>>20)
	}
}

// The budget for uploads evicts the least recently used and, when
// everything is in use, the server says it is full: 507, not 400.
func TestUploadServerFull(t *testing.T) {
	reg := datasets.NewRegistry("")
	ts := newUploadServerWith(t, reg, nil)
	csv := labelledCSV(3000)
	res, b := ts.upload(t, "/api/datasets", map[string]string{"label_column": "kind", "name": "first"}, "a.csv", csv)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("first: %d %s", res.StatusCode, b)
	}
	used, _ := reg.UploadUsage()
	reg.SetUploadBudget(2*used + used/2) // room for two
	for _, name := range []string{"second"} {
		if res, b := ts.upload(t, "/api/datasets", map[string]string{"label_column": "kind", "name": name}, "a.csv", csv); res.StatusCode != http.StatusCreated {
			t.Fatalf("%s: %d %s", name, res.StatusCode, b)
		}
	}
	res, b = ts.upload(t, "/api/datasets", map[string]string{"label_column": "kind", "name": "third"}, "a.csv", csv)
	var e uploadAnswer
	_ = json.Unmarshal(b, &e)
	if res.StatusCode != http.StatusInsufficientStorage || e.Code != string(session.EFull) || !strings.Contains(e.Error, "full") {
		t.Fatalf("third, with both in use: %d %s, want 507 saying the server is full", res.StatusCode, b)
	}
	// The page says so too, above the upload form.
	ct, body := multipartBody(t, map[string]string{"label_column": "kind", "name": "third"}, "a.csv", csv)
	res, b = ts.do(t, "POST", "/datasets", body.String(), map[string]string{"Content-Type": ct})
	if res.StatusCode != http.StatusInsufficientStorage || !strings.Contains(string(b), "full") {
		t.Fatalf("page: %d", res.StatusCode)
	}
}

// Uploads are cards on their uploader's home page only; others can still
// train on them by name or follow a link to one.
func TestUploadsAreNotShownToOtherBrowsers(t *testing.T) {
	ts := newUploadServer(t, "")
	me, other := browser(t), browser(t)
	ct, body := multipartBody(t, map[string]string{"label_column": "kind", "name": "private-boxes"}, "a.csv", labelledCSV(300))
	res, err := me.Post(ts.URL+"/datasets", ct, body)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d", res.StatusCode)
	}
	home := func(c *http.Client, path string) string {
		res, err := c.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var sb strings.Builder
		buf := make([]byte, 64<<10)
		for {
			n, err := res.Body.Read(buf)
			sb.Write(buf[:n])
			if err != nil {
				return sb.String()
			}
		}
	}
	card := `value="private-boxes"`
	if !strings.Contains(home(me, "/"), card) {
		t.Error("the uploader does not see the card")
	}
	if strings.Contains(home(other, "/"), card) {
		t.Error("another browser sees the card")
	}
	if !strings.Contains(home(other, "/?dataset=private-boxes"), card) {
		t.Error("a link to the dataset does not show it")
	}
	c := ts.create(t, `{"dataset":"private-boxes","encoder":[8],"bottleneck":2,"epochs":1}`)
	if c.ID == "" {
		t.Fatal("cannot train on it by name")
	}
}

// Class names do not bloat the home page: at most 10 ride in its boot
// data, with the count.
func TestHomeBootCarriesFewClassNames(t *testing.T) {
	ts := newUploadServer(t, "")
	var sb strings.Builder
	sb.WriteString("x,label\n")
	for i := range 2 * datasets.MaxCSVClasses {
		fmt.Fprintf(&sb, "%d,%s%03d\n", i, strings.Repeat("c", datasets.MaxLabelLength-3), i%datasets.MaxCSVClasses)
	}
	ct, body := multipartBody(t, map[string]string{"label_column": "label", "name": "many"}, "m.csv", sb.String())
	key := ownerCookieName + "=" + strings.Repeat("q", 43)
	res, b := ts.do(t, "POST", "/api/datasets", body.String(), map[string]string{"Content-Type": ct, "Cookie": key})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", res.StatusCode, b)
	}
	_, page := ts.do(t, "GET", "/", "", map[string]string{"Cookie": key})
	if !strings.Contains(string(page), `value="many"`) || !strings.Contains(string(page), "(256 classes)") {
		t.Fatal("the card or its class count is missing")
	}
	if n := strings.Count(string(page), strings.Repeat("c", datasets.MaxLabelLength-3)); n > 2*shownClasses {
		t.Errorf("the page carries %d class names, want at most %d", n, 2*shownClasses)
	}
	t.Logf("home page: %d bytes", len(page))
}

// One address gets the burst of uploads, then 429 with Retry-After.
func TestUploadRateLimit(t *testing.T) {
	ts := newUploadServerWith(t, datasets.NewRegistry(""), func(o *session.Options) { o.UploadLimit = session.RateLimit{Burst: 2, PerMinute: 1} })
	for i := range 3 {
		res, b := ts.upload(t, "/api/datasets", map[string]string{"name": fmt.Sprintf("r%d", i), "label_column": "kind"}, "a.csv", labelledCSV(30))
		want := http.StatusCreated
		if i == 2 {
			want = http.StatusTooManyRequests
		}
		if res.StatusCode != want {
			t.Fatalf("upload %d: %d %s", i, res.StatusCode, b)
		}
		if i == 2 && res.Header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
	}
}

// An upload's body gets time in proportion to its size: a small one cannot
// hold its connection for minutes.
func TestUploadDeadlineIsProportional(t *testing.T) {
	small, large := uploadDeadline(100<<10), uploadDeadline(datasets.MaxCSVBytes)
	if small > 12*time.Second || large < 4*time.Minute || large > 5*time.Minute || uploadDeadline(-1) < large {
		t.Fatalf("deadlines: 100 KiB %v, 32 MiB %v, unknown %v", small, large, uploadDeadline(-1))
	}
}

func TestHealthReportsUploadUsage(t *testing.T) {
	reg := datasets.NewRegistry("")
	ts := newUploadServerWith(t, reg, nil)
	if res, b := ts.upload(t, "/api/datasets", map[string]string{"label_column": "kind"}, "a.csv", labelledCSV(300)); res.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", res.StatusCode, b)
	}
	var h struct {
		Uploads struct {
			Bytes  int64 `json:"bytes"`
			Budget int64 `json:"budget_bytes"`
		} `json:"uploads"`
	}
	_, b := ts.do(t, "GET", "/healthz", "", nil)
	if err := json.Unmarshal(b, &h); err != nil || h.Uploads.Bytes <= 0 || h.Uploads.Budget != datasets.DefaultUploadBudget {
		t.Fatalf("healthz uploads = %+v (%v)", h.Uploads, err)
	}
}
