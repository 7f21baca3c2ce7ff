package handlers

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web"
)

// newClassServer is newTestServer with a class book that is closed with it.
func newClassServer(t *testing.T) (*testServer, *session.ClassBook) {
	t.Helper()
	static, err := fs.Sub(web.Static, "static")
	if err != nil {
		t.Fatal(err)
	}
	m := session.NewManager(session.Options{Datasets: registry})
	cs := session.NewComparisonStore(m)
	cb := session.NewClassBook(m, session.ClassOptions{PCA: cs.Baseline})
	socks := NewSockets()
	srv := httptest.NewServer(NewServer(Deps{Sessions: m, Static: static, Sockets: socks, Comparisons: cs, Classes: cb}))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		_ = m.Shutdown(ctx)
		_ = socks.Close(ctx)
		_ = cb.Close(ctx)
		_ = cs.Close(ctx)
		srv.Close()
	})
	return &testServer{Server: srv, m: m, socks: socks}, cb
}

func decodeInto(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
}

// classPreset is a lesson: MNIST with a locked 2-unit code, long enough to
// be stopped.
const classPreset = `{"name":"Year 11","preset":{"dataset":"mnist","encoder":[32],"bottleneck":2,"train_size":500,"test_size":200,"batch_size":8,"epochs":200,"seed":1},"locked":["dataset","bottleneck"],"hidden":["seed"]}`

func TestClassAPI(t *testing.T) {
	ts, _ := newClassServer(t)
	res, b := ts.do(t, "POST", "/api/classes", classPreset, nil)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create class: %d %s", res.StatusCode, b)
	}
	var cl classCreatedBody
	decodeInto(t, b, &cl)
	if cl.ID == "" || len(cl.Code) != 7 || cl.TeacherToken == "" || cl.URL != "/classes/"+cl.ID || !strings.HasSuffix(cl.JoinURL, "/join/"+cl.Code) {
		t.Fatalf("created %+v", cl)
	}
	teacher := map[string]string{"Authorization": "Bearer " + cl.TeacherToken}

	for _, c := range []struct{ body, field string }{
		{`{"name":""}`, "name"},
		{`{"name":"x","locked":["bottleneck"]}`, "preset"},
		{`{"name":"x","preset":{"bottleneck":0}}`, "preset.bottleneck"},
		{`{"name":"x","preset":{"bottleneck":2},"hidden":["colour"]}`, "hidden"},
	} {
		res, b := ts.do(t, "POST", "/api/classes", c.body, nil)
		var e errorBody
		decodeInto(t, b, &e)
		if res.StatusCode != 400 || e.Field != c.field {
			t.Errorf("%s: %d %s, want 400 naming %s", c.body, res.StatusCode, b, c.field)
		}
	}

	join := func(code, name string) (*http.Response, []byte) {
		return ts.do(t, "POST", "/api/join", `{"code":"`+code+`","name":"`+name+`"}`, nil)
	}
	res, b = join(strings.ToLower(strings.ReplaceAll(cl.Code, "-", " ")), "Ana")
	var ana joinedBody
	decodeInto(t, b, &ana)
	if res.StatusCode != 201 || ana.StudentToken == "" || ana.Student != "Ana" || ana.Class.ID != cl.ID || ana.URL != "/classes/"+cl.ID+"/train" {
		t.Fatalf("join: %d %s", res.StatusCode, b)
	}
	res, b = join(cl.Code, "ana")
	var taken nameTakenBody
	decodeInto(t, b, &taken)
	if res.StatusCode != 409 || taken.Suggestion != "ana 2" || taken.Field != "name" {
		t.Errorf("taken name: %d %s", res.StatusCode, b)
	}
	if res, b := join("XXX-XXX", "Ben"); res.StatusCode != 404 {
		t.Errorf("unknown code: %d %s", res.StatusCode, b)
	}
	res, b = join(cl.Code, "Ben")
	var ben joinedBody
	decodeInto(t, b, &ben)

	asAna := map[string]string{"Authorization": "Bearer " + ana.StudentToken}
	start := func(body string, hdr map[string]string) (*http.Response, []byte) {
		return ts.do(t, "POST", "/api/sessions", body, hdr)
	}
	res, b = start(`{"class":"`+cl.ID+`","bottleneck":8}`, asAna)
	var e errorBody
	decodeInto(t, b, &e)
	if res.StatusCode != 400 || e.Field != "bottleneck" || !strings.Contains(e.Error, "locked") {
		t.Errorf("a change to a locked field: %d %s", res.StatusCode, b)
	}
	if res, b := start(`{"class":"`+cl.ID+`","epochs":1}`, nil); res.StatusCode != 401 {
		t.Errorf("no student token: %d %s", res.StatusCode, b)
	}
	if res, b := start(`{"class":"nope","epochs":1}`, asAna); res.StatusCode != 404 {
		t.Errorf("unknown class: %d %s", res.StatusCode, b)
	}
	if res, b := start(`{"class":"`+cl.ID+`","epochs":1,"colour":1}`, asAna); res.StatusCode != 400 {
		t.Errorf("unknown field in a class run: %d %s", res.StatusCode, b)
	}
	res, b = start(`{"class":"`+cl.ID+`","bottleneck":2,"activation":"tanh"}`, asAna)
	var run classRunCreatedBody
	decodeInto(t, b, &run)
	if res.StatusCode != 201 || run.Student != "Ana" || run.Class != cl.ID || run.OwnerToken == "" {
		t.Fatalf("start in class: %d %s", res.StatusCode, b)
	}
	s, err := ts.m.Get(run.ID)
	if err != nil || s.Config().Bottleneck != 2 || s.Config().Activation != "tanh" || s.Config().TrainSize != 500 || s.Config().Seed != 1 {
		t.Fatalf("run config: %+v %v", s.Config(), err)
	}
	// A plain start (no class) still works.
	ts.create(t, smallJSON)

	// Another student cannot stop Ana's run; the teacher can.
	if res, b := ts.do(t, "POST", "/api/sessions/"+run.ID+"/stop", "", map[string]string{"Authorization": "Bearer " + ben.StudentToken}); res.StatusCode != 403 {
		t.Errorf("another student stops: %d %s", res.StatusCode, b)
	}
	if res, b := ts.do(t, "POST", "/api/sessions/"+run.ID+"/stop", "", nil); res.StatusCode != 401 {
		t.Errorf("anonymous stop: %d %s", res.StatusCode, b)
	}
	if res, b := ts.do(t, "POST", "/api/sessions/"+run.ID+"/stop", "", teacher); res.StatusCode != 204 {
		t.Fatalf("teacher stops: %d %s", res.StatusCode, b)
	}
	waitEnded(t, s)
	if s.State() != session.Stopped {
		t.Errorf("state %s", s.State())
	}

	// Close and open: the teacher only.
	if res, _ := ts.do(t, "POST", "/api/classes/"+cl.ID+"/close", "", asAna); res.StatusCode != 403 {
		t.Errorf("a student closes: %d", res.StatusCode)
	}
	if res, b := ts.do(t, "POST", "/api/classes/"+cl.ID+"/close", "", teacher); res.StatusCode != 200 || !strings.Contains(string(b), `"open": false`) {
		t.Fatalf("close: %d %s", res.StatusCode, b)
	}
	if res, b := join(cl.Code, "Cy"); res.StatusCode != 403 {
		t.Errorf("join a closed class: %d %s", res.StatusCode, b)
	}
	if res, b := start(`{"class":"`+cl.ID+`","epochs":1}`, asAna); res.StatusCode != 403 {
		t.Errorf("run in a closed class: %d %s", res.StatusCode, b)
	}
	if res, _ := ts.do(t, "POST", "/api/classes/"+cl.ID+"/open", "", teacher); res.StatusCode != 200 {
		t.Fatalf("open: %d", res.StatusCode)
	}
	if res, b := join(cl.Code, "Cy"); res.StatusCode != 201 {
		t.Errorf("join a reopened class: %d %s", res.StatusCode, b)
	}

	// The class lists its students and runs, without keys.
	res, b = ts.do(t, "GET", "/api/classes/"+cl.ID, "", nil)
	var got classBody
	decodeInto(t, b, &got)
	if res.StatusCode != 200 || len(got.Students) != 3 || len(got.Runs) != 1 || got.Runs[0].Student != "Ana" || got.Runs[0].State != session.Stopped {
		t.Fatalf("class: %d %s", res.StatusCode, b)
	}
	for _, secret := range []string{cl.TeacherToken, ana.StudentToken, ben.StudentToken} {
		if strings.Contains(string(b), secret) {
			t.Fatal("a key leaks through GET /api/classes/{id}")
		}
	}

	// Results as CSV; the PCA figure arrives in the background (a PCA fit
	// takes a while on a loaded machine under the race detector).
	readCSV := func() [][]string {
		_, b := ts.do(t, "GET", "/api/classes/"+cl.ID+"/results.csv", "", nil)
		rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
		if err != nil {
			t.Fatalf("csv: %v: %s", err, b)
		}
		return rows
	}
	rows := readCSV()
	want := []string{"student", "session", "dataset", "layers", "bottleneck", "configuration", "loss", "state", "test_loss", "pca_mse_same_width", "seconds"}
	if len(rows) != 2 || strings.Join(rows[0], ",") != strings.Join(want, ",") || rows[1][0] != "Ana" || rows[1][4] != "2" ||
		!strings.Contains(rows[1][5], "activation=tanh") || rows[1][7] != "stopped" {
		t.Errorf("csv %q", rows)
	}
	for deadline := time.Now().Add(3 * time.Minute); rows[1][9] == ""; rows = readCSV() {
		if time.Now().After(deadline) {
			t.Fatal("the PCA figure never reached the CSV")
		}
		time.Sleep(200 * time.Millisecond)
	}

	// The QR code of the join link.
	res, b = ts.do(t, "GET", "/api/classes/"+cl.ID+"/qr.png", "", nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(string(b), "\x89PNG") {
		t.Errorf("qr: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

// TestClassStream follows a class over its WebSocket while three students
// train: a snapshot, then every run's tile with its pictures, every message
// under 64 KB.
func TestClassStream(t *testing.T) {
	ts, cb := newClassServer(t)
	c, _, err := cb.Create("x", session.NewClass{Name: "Stream"}, session.Owner{})
	if err != nil {
		t.Fatal(err)
	}
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+"/api/classes/"+c.ID()+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var ids []string
	for _, name := range []string{"Ana", "Ben", "Cy"} {
		_, key, _, err := c.Join(name, session.Owner{})
		if err != nil {
			t.Fatal(err)
		}
		res, b := ts.do(t, "POST", "/api/sessions", `{"class":"`+c.ID()+`","dataset":"mnist","encoder":[32],"bottleneck":4,"train_size":512,"test_size":500,"batch_size":32,"epochs":2}`,
			map[string]string{"Authorization": "Bearer " + key})
		if res.StatusCode != 201 {
			t.Fatalf("start: %d %s", res.StatusCode, b)
		}
		var run createdBody
		decodeInto(t, b, &run)
		ids = append(ids, run.ID)
	}
	_ = conn.SetReadDeadline(time.Now().Add(60 * time.Second))
	types := map[string]int{}
	done := map[string]bool{}
	pictures := map[string]bool{}
	names := map[string]bool{} // a student who joins as the stream begins may come twice
	for len(done) < 3 {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("read: %v (%v)", err, types)
		}
		if len(msg) >= session.MaxClassMessage {
			t.Fatalf("a %d-byte message", len(msg))
		}
		var m struct {
			Type     string          `json:"type"`
			Run      session.RunTile `json:"run"`
			Student  session.Student `json:"student"`
			Students json.RawMessage `json:"students"`
		}
		decodeInto(t, msg, &m)
		if len(types) == 0 && m.Type != "snapshot" {
			t.Fatalf("first message %q", m.Type)
		}
		types[m.Type]++
		if m.Type == "snapshot" {
			var early []session.Student // joined before the stream began
			decodeInto(t, m.Students, &early)
			for _, s := range early {
				names[s.Name] = true
			}
		}
		if m.Type == "student" {
			names[m.Student.Name] = true
		}
		if m.Type == "run" {
			if m.Run.Latent != nil && m.Run.Recon != nil {
				pictures[m.Run.ID] = true
			}
			if m.Run.State == session.Completed {
				done[m.Run.ID] = true
			}
		}
	}
	if len(names) != 3 {
		t.Errorf("students seen: %v", names)
	}
	for _, id := range ids {
		if !pictures[id] {
			t.Errorf("run %s sent no pictures", id)
		}
	}
}
