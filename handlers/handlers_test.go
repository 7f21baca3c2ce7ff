package handlers

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/goleak"

	"github.com/aelab/aelab/datasets"
	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/aelab/aelab/ae/internal/gemm.worker"))
}

var registry = datasets.NewRegistry("")

// smallJSON trains in well under a second.
const smallJSON = `{"dataset":"mnist","encoder":[32],"bottleneck":2,"train_size":512,"test_size":500,"batch_size":32,"epochs":2,"seed":3}`

// longJSON trains long enough to be controlled.
const longJSON = `{"encoder":[64],"bottleneck":8,"train_size":60000,"test_size":200,"epochs":20}`

type testServer struct {
	*httptest.Server
	m     *session.Manager
	socks *Sockets
}

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	return newTestServerWith(t, nil)
}

// newTestServerWith is newTestServer with Deps adjusted by edit.
func newTestServerWith(t *testing.T, edit func(*Deps)) *testServer {
	t.Helper()
	static, err := fs.Sub(web.Static, "static")
	if err != nil {
		t.Fatal(err)
	}
	m := session.NewManager(session.Options{Datasets: registry})
	socks := NewSockets()
	d := Deps{Sessions: m, Static: static, Sockets: socks}
	if edit != nil {
		edit(&d)
	}
	if d.Sessions != m { // edit brought its own manager: the test server is that one's
		_ = m.Shutdown(context.Background())
		m = d.Sessions
	}
	srv := httptest.NewServer(NewServer(d))
	ts := &testServer{Server: srv, m: m, socks: socks}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = m.Shutdown(ctx)
		_ = socks.Close(ctx)
		srv.Close()
	})
	return ts
}

func (ts *testServer) do(t *testing.T, method, path, body string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

func (ts *testServer) create(t *testing.T, body string) createdBody {
	t.Helper()
	res, b := ts.do(t, "POST", "/api/sessions", body, nil)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", res.StatusCode, b)
	}
	var c createdBody
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCreateAndGetSession(t *testing.T) {
	ts := newTestServer(t)
	c := ts.create(t, smallJSON)
	if c.ID == "" || len(c.OwnerToken) < 32 || c.URL != "/sessions/"+c.ID {
		t.Fatalf("created = %+v", c)
	}
	res, b := ts.do(t, "GET", "/api/sessions/"+c.ID, "", nil)
	if res.StatusCode != 200 {
		t.Fatalf("get: %d %s", res.StatusCode, b)
	}
	var in map[string]any
	if err := json.Unmarshal(b, &in); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"id", "state", "config", "epoch", "step", "test_loss"} {
		if _, ok := in[f]; !ok {
			t.Errorf("session JSON lacks %q: %s", f, b)
		}
	}
	if strings.Contains(string(b), c.OwnerToken) {
		t.Fatal("the owner token leaks through GET")
	}
	s, _ := ts.m.Get(c.ID)
	waitEnded(t, s)
	_, b = ts.do(t, "GET", "/api/sessions/"+c.ID, "", nil)
	if !strings.Contains(string(b), `"state": "completed"`) {
		t.Fatalf("after training: %s", b)
	}
}

func TestBadInputIsRefusedClearly(t *testing.T) {
	ts := newTestServer(t)
	long := ts.create(t, longJSON)
	cases := []struct {
		name, method, path, body string
		hdr                      map[string]string
		status                   int
		field, says              string
	}{
		{"malformed JSON", "POST", "/api/sessions", `{"bottleneck": 2,`, nil, 400, "", "JSON"},
		{"not JSON", "POST", "/api/sessions", `bottleneck=2`, nil, 400, "", "malformed JSON"},
		{"empty body", "POST", "/api/sessions", ``, nil, 400, "", "empty"},
		{"two objects", "POST", "/api/sessions", `{"bottleneck":2} {}`, nil, 400, "", "single JSON object"},
		{"wrong type", "POST", "/api/sessions", `{"bottleneck":"fifty"}`, nil, 400, "bottleneck", "whole number"},
		{"wrong list type", "POST", "/api/sessions", `{"bottleneck":2,"encoder":"256"}`, nil, 400, "encoder", "list of whole numbers"},
		{"unknown field", "POST", "/api/sessions", `{"bottleneck":2,"bottlenek":3}`, nil, 400, "bottlenek", "unknown field"},
		{"out of range", "POST", "/api/sessions", `{"bottleneck":784}`, nil, 400, "bottleneck", "smaller than the 784"},
		{"float where int", "POST", "/api/sessions", `{"bottleneck":2.5}`, nil, 400, "bottleneck", "must be a whole number, not 2.5"},
		{"int with exponent", "POST", "/api/sessions", `{"bottleneck":2,"epochs":1e9}`, nil, 400, "epochs", "plain digits, without a decimal point or exponent: 1000000000, not 1e9"},
		{"int with point", "POST", "/api/sessions", `{"bottleneck":2,"encoder":[256,64.0]}`, nil, 400, "encoder", "64, not 64.0"},
		{"int too large", "POST", "/api/sessions", `{"bottleneck":2,"epochs":1e30}`, nil, 400, "epochs", "1e30 is too large"},
		{"int far too large", "POST", "/api/sessions", `{"bottleneck":2,"epochs":99999999999999999999}`, nil, 400, "epochs", "99999999999999999999 is too large"},
		{"negative seed", "POST", "/api/sessions", `{"bottleneck":2,"seed":-1}`, nil, 400, "seed", "must not be negative, not -1"},
		{"float overflow", "POST", "/api/sessions", `{"bottleneck":2,"learning_rate":1e400}`, nil, 400, "learning_rate", "1e400 is too large to be a number"},
		{"bce linear", "POST", "/api/sessions", `{"bottleneck":2,"loss":"bce","output_activation":"linear"}`, nil, 400, "output_activation", "sigmoid"},
		{"huge body", "POST", "/api/sessions", `{"encoder":[` + strings.Repeat("1,", 70000) + `1],"bottleneck":2}`, nil, 413, "", "larger than"},
		{"unknown id", "GET", "/api/sessions/nope", "", nil, 404, "", "no session"},
		{"unknown endpoint", "GET", "/api/nothing", "", nil, 404, "", "docs/api.md"},
		{"wrong method", "PUT", "/api/sessions/" + long.ID, "", nil, 405, "", "not allowed"},
		{"delete without token", "DELETE", "/api/sessions/" + long.ID, "", nil, 401, "", "owner token"},
		{"stop without token", "POST", "/api/sessions/" + long.ID + "/stop", "", nil, 401, "", "owner token"},
		{"stop with wrong token", "POST", "/api/sessions/" + long.ID + "/stop", "", map[string]string{"Authorization": "Bearer " + strings.Repeat("0", 48)}, 403, "", "do not own"},
		{"stop unknown", "POST", "/api/sessions/nope/stop", "", map[string]string{"Authorization": "Bearer x"}, 404, "", "no session"},
		{"cross-site create", "POST", "/api/sessions", smallJSON, map[string]string{"Sec-Fetch-Site": "cross-site"}, 403, "", ""},
		{"cross-origin stop", "POST", "/api/sessions/" + long.ID + "/stop", "", map[string]string{"Origin": "https://evil.example", "Authorization": "Bearer " + long.OwnerToken}, 403, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, b := ts.do(t, tc.method, tc.path, tc.body, tc.hdr)
			if res.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d: %s", res.StatusCode, tc.status, b)
			}
			if tc.says == "" {
				return
			}
			var e errorBody
			if err := json.Unmarshal(b, &e); err != nil {
				t.Fatalf("error is not JSON: %s", b)
			}
			if !strings.Contains(e.Error, tc.says) || e.Field != tc.field {
				t.Fatalf("error = %q (field %q), want it to say %q (field %q)", e.Error, e.Field, tc.says, tc.field)
			}
		})
	}
	// After all that, the server is healthy and the training unharmed; the
	// door's load and limits are reported.
	res, hb := ts.do(t, "GET", "/healthz", "", nil)
	if res.StatusCode != 200 {
		t.Fatalf("healthz = %d", res.StatusCode)
	}
	var health struct {
		Stats session.Stats `json:"stats"`
	}
	if err := json.Unmarshal(hb, &health); err != nil {
		t.Fatal(err)
	}
	if st := health.Stats; st.MemoryBudget <= 0 || st.MemoryUsed <= 0 || st.MemoryUsed > st.MemoryBudget || st.Cores < 1 ||
		st.MaxPerAddress < 1 || st.CoreGFLOPS <= 0 || st.MaxStepMillis != 250 || st.StartLimit.Burst < 1 {
		t.Fatalf("healthz stats = %s", hb)
	}
	s, _ := ts.m.Get(long.ID)
	if st := s.State(); st != session.Running && st != session.Queued {
		t.Fatalf("the long training is %s after the bad requests", st)
	}
}

func TestOwnerControls(t *testing.T) {
	ts := newTestServer(t)
	c := ts.create(t, longJSON)
	auth := map[string]string{"Authorization": "Bearer " + c.OwnerToken}
	s, _ := ts.m.Get(c.ID)
	waitFor(t, func() bool { return s.State() == session.Running })
	for _, step := range []struct {
		action string
		want   session.State
	}{{"pause", session.Paused}, {"resume", session.Running}, {"stop", session.Stopped}} {
		res, b := ts.do(t, "POST", "/api/sessions/"+c.ID+"/"+step.action, "", auth)
		if res.StatusCode != http.StatusNoContent {
			t.Fatalf("%s: %d %s", step.action, res.StatusCode, b)
		}
		waitFor(t, func() bool { return s.State() == step.want })
	}
	res, b := ts.do(t, "POST", "/api/sessions/"+c.ID+"/pause", "", auth)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("pause after stop: %d %s", res.StatusCode, b)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 30 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestCheckConfig(t *testing.T) {
	ts := newTestServer(t)
	res, b := ts.do(t, "POST", "/api/sessions/check", `{"bottleneck":50}`, nil)
	if res.StatusCode != 200 {
		t.Fatalf("%d %s", res.StatusCode, b)
	}
	var cb checkBody
	if err := json.Unmarshal(b, &cb); err != nil {
		t.Fatal(err)
	}
	if len(cb.Errors) != 0 || cb.Summary.Params != 428_354 || cb.Summary.Features != 784 {
		t.Fatalf("check = %+v", cb)
	}
	_, b = ts.do(t, "POST", "/api/sessions/check", `{"bottleneck":900,"learning_rate":-1}`, nil)
	if err := json.Unmarshal(b, &cb); err != nil {
		t.Fatal(err)
	}
	if cb.Errors["bottleneck"] == "" || cb.Errors["learning_rate"] == "" {
		t.Fatalf("errors = %v, want bottleneck and learning_rate", cb.Errors)
	}
}

func TestDatasetsList(t *testing.T) {
	ts := newTestServer(t)
	_, b := ts.do(t, "GET", "/api/datasets", "", nil)
	var body struct{ Datasets []datasetBody }
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatal(err)
	}
	if len(body.Datasets) == 0 || body.Datasets[0].Name != "mnist" || body.Datasets[0].Features != 784 ||
		!body.Datasets[0].Available || len(body.Datasets[0].ClassNames) != 10 {
		t.Fatalf("datasets = %+v", body.Datasets)
	}
}

func TestWebSocketStreamsEveryMessageType(t *testing.T) {
	ts := newTestServer(t)
	c := ts.create(t, smallJSON)
	conn := dialWS(t, ts, c.ID, nil)
	defer conn.Close()
	seen := map[string]int{}
	var first string
	for {
		typ, b, err := conn.ReadMessage()
		if err != nil {
			if !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
				t.Fatalf("stream ended with %v, want a normal close frame", err)
			}
			break
		}
		if typ != websocket.TextMessage {
			t.Fatalf("frame type %d, want text", typ)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("frame is not exactly one JSON object: %v", err)
		}
		if first == "" {
			first = m["type"].(string)
		}
		seen[m["type"].(string)]++
	}
	if first != "snapshot" {
		t.Fatalf("first message %q, want snapshot", first)
	}
	for _, typ := range []string{"progress", "loss", "latent", "reconstructions", "state"} {
		if seen[typ] == 0 {
			t.Errorf("no %s message (saw %v)", typ, seen)
		}
	}
}

func dialWS(t *testing.T, ts *testServer, id string, hdr http.Header) *websocket.Conn {
	t.Helper()
	u := "ws" + strings.TrimPrefix(ts.URL, "http") + "/api/sessions/" + id + "/ws"
	conn, res, err := websocket.DefaultDialer.Dial(u, hdr)
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, res)
	}
	return conn
}

func TestWebSocketRefusesOtherSites(t *testing.T) {
	ts := newTestServer(t)
	c := ts.create(t, smallJSON)
	u := "ws" + strings.TrimPrefix(ts.URL, "http") + "/api/sessions/" + c.ID + "/ws"
	_, res, err := websocket.DefaultDialer.Dial(u, http.Header{"Origin": {"https://evil.example"}})
	if err == nil || res == nil || res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin dial: err %v, response %v; want 403", err, res)
	}
	same := dialWS(t, ts, c.ID, http.Header{"Origin": {ts.URL}})
	same.Close()
	_, res, err = websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+"/api/sessions/nope/ws", nil)
	if err == nil || res.StatusCode != 404 {
		t.Fatalf("unknown session dial: %v %v", err, res)
	}
}

func TestWebSocketReadLimitClosesChattyClient(t *testing.T) {
	ts := newTestServer(t)
	c := ts.create(t, longJSON)
	conn := dialWS(t, ts, c.ID, nil)
	defer conn.Close()
	if err := conn.WriteMessage(websocket.TextMessage, []byte(strings.Repeat("x", 4096))); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		if _, _, err := conn.ReadMessage(); err != nil {
			if websocket.IsCloseError(err, websocket.CloseMessageTooBig) || strings.Contains(err.Error(), "close") || strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "reset") {
				break
			}
			t.Fatalf("unexpected end: %v", err)
		}
	}
	s, _ := ts.m.Get(c.ID)
	if s.State().Terminal() {
		t.Fatal("a chatty viewer must not end the training")
	}
}

func TestFormCreateAndOwnerPage(t *testing.T) {
	ts := newTestServer(t)
	form := url.Values{"dataset": {"mnist"}, "encoder": {"32"}, "bottleneck": {"900"}, "activation": {"relu"},
		"output_activation": {"sigmoid"}, "loss": {"mse"}, "optimizer": {"adam"}, "learning_rate": {"abc"},
		"batch_size": {"32"}, "epochs": {"1"}, "train_size": {"256"}, "seed": {"1"}}
	res, b := ts.postForm(t, form)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid form: %d", res.StatusCode)
	}
	page := string(b)
	for _, want := range []string{`data-testid="error-learning_rate"`, "greater than 0", `value="900"`} {
		if !strings.Contains(page, want) {
			t.Errorf("re-rendered form lacks %q", want)
		}
	}
	if n := len(ts.m.List()); n != 0 {
		t.Fatalf("an invalid form started %d sessions", n)
	}
	form.Set("learning_rate", "0.001")
	res, b = ts.postForm(t, form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "smaller than the 784") {
		t.Fatalf("bottleneck 900: %d", res.StatusCode)
	}
	form.Set("bottleneck", "2")
	res, _ = ts.postForm(t, form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("valid form: %d", res.StatusCode)
	}
	loc := res.Header.Get("Location")
	var cookie *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == ownerCookieName {
			cookie = ck
		}
	}
	if cookie == nil || cookie.SameSite != http.SameSiteLaxMode || !cookie.HttpOnly || cookie.Path != "/" || cookie.Secure {
		t.Fatalf("no HttpOnly, Lax owner cookie for / in %v", res.Cookies())
	}
	_, owner := ts.do(t, "GET", loc, "", map[string]string{"Cookie": cookie.Name + "=" + cookie.Value})
	_, viewer := ts.do(t, "GET", loc, "", nil)
	if !strings.Contains(string(owner), `data-testid="btn-stop"`) {
		t.Error("the owner does not see the stop button")
	}
	if strings.Contains(string(viewer), `data-testid="btn-stop"`) {
		t.Error("a viewer sees the stop button")
	}
	_, forged := ts.do(t, "GET", loc, "", map[string]string{"Cookie": cookie.Name + "=forged"})
	if strings.Contains(string(forged), `data-testid="btn-stop"`) {
		t.Error("a forged cookie shows the stop button")
	}
}

func (ts *testServer) postForm(t *testing.T, form url.Values) (*http.Response, []byte) {
	t.Helper()
	return ts.do(t, "POST", "/sessions", form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
}

func TestPagesAndErrors(t *testing.T) {
	ts := newTestServer(t)
	res, b := ts.do(t, "GET", "/", "", nil)
	if res.StatusCode != 200 || !strings.Contains(string(b), `name="bottleneck"`) {
		t.Fatalf("home: %d", res.StatusCode)
	}
	res, b = ts.do(t, "GET", "/sessions/nope", "", nil)
	if res.StatusCode != 404 || !strings.Contains(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(b), "no session") {
		t.Fatalf("unknown session page: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	res, _ = ts.do(t, "GET", "/no/such/page", "", nil)
	if res.StatusCode != 404 {
		t.Fatalf("unknown page: %d", res.StatusCode)
	}
	for _, p := range []string{"/static/", "/static/js/", "/static/nope.js", "/static/%2e%2e/main.go"} {
		res, _ = ts.do(t, "GET", p, "", nil)
		if res.StatusCode != 404 || !strings.Contains(res.Header.Get("Content-Type"), "text/html") {
			t.Errorf("GET %s: %d %s, want the 404 page", p, res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
	res, _ = ts.do(t, "GET", "/static/js/home.js", "", nil)
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "javascript") {
		t.Fatalf("GET /static/js/home.js: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}
