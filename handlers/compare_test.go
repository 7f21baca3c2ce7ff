package handlers

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web"
)

// sweepJSON is a 3-width sweep on a small subset: it trains in seconds.
const sweepJSON = `{"encoder":[32],"train_size":600,"test_size":300,"batch_size":50,"epochs":2,"seed":3,"bottlenecks":[8,2,4]}`

// newCompareServer is a test server whose comparison store the test closes
// (a PCA fit may still run when the test ends).
func newCompareServer(t *testing.T, lim session.RateLimit) *testServer {
	t.Helper()
	static, err := fs.Sub(web.Static, "static")
	if err != nil {
		t.Fatal(err)
	}
	m := session.NewManager(session.Options{Datasets: registry, StartLimit: lim})
	cs := session.NewComparisonStore(m)
	socks := NewSockets()
	srv := httptest.NewServer(NewServer(Deps{Sessions: m, Static: static, Sockets: socks, Comparisons: cs}))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = m.Shutdown(ctx)
		_ = cs.Close(ctx)
		_ = socks.Close(ctx)
		srv.Close()
	})
	return &testServer{Server: srv, m: m, socks: socks}
}

func waitSessions(t *testing.T, ts *testServer, ids ...string) {
	t.Helper()
	for _, id := range ids {
		s, err := ts.m.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		waitEnded(t, s)
	}
}

// waitEnded waits for s to end, failing the test (instead of hanging the
// suite until its global timeout) if it has not within 90 s.
func waitEnded(t *testing.T, s *session.Session) {
	t.Helper()
	select {
	case <-s.Done():
	case <-time.After(90 * time.Second):
		t.Fatalf("session %s did not end within 90 s (state %s)", s.ID(), s.State())
	}
}

// getComparison polls GET /api/comparisons/{id} until the PCA baselines are in.
func getComparison(t *testing.T, ts *testServer, id string) comparisonBody {
	t.Helper()
	deadline := time.Now().Add(120 * time.Second)
	for {
		res, b := ts.do(t, "GET", "/api/comparisons/"+id, "", nil)
		if res.StatusCode != 200 {
			t.Fatalf("get comparison: %d %s", res.StatusCode, b)
		}
		var body comparisonBody
		if err := json.Unmarshal(b, &body); err != nil {
			t.Fatalf("%v: %s", err, b)
		}
		if body.BaselineReady {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("baselines not ready: %s", b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func readCSV(t *testing.T, ts *testServer, path string) [][]string {
	t.Helper()
	res, b := ts.do(t, "GET", path, "", nil)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("GET %s: %d %s %q", path, res.StatusCode, res.Header.Get("Content-Type"), b)
	}
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatalf("%s is not CSV: %v", path, err)
	}
	return rows
}

func TestCompareSweepAPI(t *testing.T) {
	ts := newCompareServer(t, session.RateLimit{})
	res, b := ts.do(t, "POST", "/api/comparisons", sweepJSON, nil)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", res.StatusCode, b)
	}
	var created comparisonCreatedBody
	if err := json.Unmarshal(b, &created); err != nil {
		t.Fatal(err)
	}
	if created.ID == "" || created.URL != "/compare/"+created.ID || res.Header.Get("Location") != "/api/comparisons/"+created.ID || len(created.Sessions) != 3 {
		t.Fatalf("created = %s (Location %q)", b, res.Header.Get("Location"))
	}
	var ids []string
	for i, s := range created.Sessions {
		ids = append(ids, s.ID)
		sess, err := ts.m.Get(s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if w := []int{2, 4, 8}[i]; sess.Config().Bottleneck != w {
			t.Errorf("member %d has width %d, want %d (increasing)", i, sess.Config().Bottleneck, w)
		}
		if sess.Authorize(s.OwnerToken) != nil || s.URL != "/sessions/"+s.ID {
			t.Errorf("member %d: token or url wrong: %+v", i, s)
		}
	}
	waitSessions(t, ts, ids...)
	body := getComparison(t, ts, created.ID)
	if body.Kind != session.Sweep || body.URL != created.URL || len(body.Members) != 3 ||
		body.TableCSV != "/api/comparisons/"+created.ID+"/table.csv" {
		t.Fatalf("comparison = %+v", body)
	}
	if len(body.Differs) != 1 || body.Differs[0].Text != "bottleneck: 2 vs 4 vs 8" {
		t.Errorf("differs = %+v", body.Differs)
	}
	for i, mb := range body.Members {
		if mb.Session.State != session.Completed || mb.Session.TestLoss == nil {
			t.Errorf("member %d: %s, test loss %v", i, mb.Session.State, mb.Session.TestLoss)
		}
		if mb.Label != "M = "+strconv.Itoa(mb.Session.Config.Bottleneck) || mb.WSURL != "/api/sessions/"+mb.Session.ID+"/ws" {
			t.Errorf("member %d: label %q ws %q", i, mb.Label, mb.WSURL)
		}
		if mb.PCA.State != session.BaselineReady || mb.PCA.MSE == nil || mb.PCA.K != mb.Session.Config.Bottleneck ||
			mb.PCA.FitRows != 600 || mb.PCA.TestRows != 300 {
			t.Errorf("member %d PCA = %+v", i, mb.PCA)
		}
	}
	// The raw JSON has the documented fields.
	_, raw := ts.do(t, "GET", "/api/comparisons/"+created.ID, "", nil)
	var generic map[string]any
	_ = json.Unmarshal(raw, &generic)
	for _, k := range []string{"id", "kind", "url", "created_at", "differs", "members", "baseline_ready", "table_csv", "curves_csv"} {
		if _, ok := generic[k]; !ok {
			t.Errorf("comparison JSON lacks %q", k)
		}
	}
	m0 := generic["members"].([]any)[0].(map[string]any)
	for _, k := range []string{"label", "session", "pca", "url", "ws_url"} {
		if _, ok := m0[k]; !ok {
			t.Errorf("member JSON lacks %q: %v", k, m0)
		}
	}
	if strings.Contains(string(raw), created.Sessions[0].OwnerToken) {
		t.Fatal("GET leaks an owner token")
	}

	// The table export: a header and one row per member, with the figures above.
	rows := readCSV(t, ts, body.TableCSV)
	if !slices.Equal(rows[0], tableCSVHeader) || len(rows) != 4 {
		t.Fatalf("table.csv = %v", rows)
	}
	col := func(name string) int { return slices.Index(tableCSVHeader, name) }
	for i, mb := range body.Members {
		r := rows[i+1]
		if r[col("session_id")] != mb.Session.ID || r[col("bottleneck")] != strconv.Itoa(mb.Session.Config.Bottleneck) ||
			r[col("state")] != "completed" || r[col("label")] != mb.Label {
			t.Errorf("table row %d = %v", i, r)
		}
		if got, _ := strconv.ParseFloat(r[col("test_loss")], 64); got != *mb.Session.TestLoss {
			t.Errorf("row %d test_loss %v, want %v", i, r[col("test_loss")], *mb.Session.TestLoss)
		}
		if got, _ := strconv.ParseFloat(r[col("pca_test_mse_at_k")], 64); got != *mb.PCA.MSE {
			t.Errorf("row %d pca %v, want %v", i, r[col("pca_test_mse_at_k")], *mb.PCA.MSE)
		}
		if sps, err := strconv.ParseFloat(r[col("samples_per_sec")], 64); err != nil || sps <= 0 {
			t.Errorf("row %d samples/s %q", i, r[col("samples_per_sec")])
		}
	}

	// The curves export: every loss point of every member, in long format.
	rows = readCSV(t, ts, body.CurvesCSV)
	if !slices.Equal(rows[0], curvesCSVHeader) {
		t.Fatalf("curves.csv header = %v", rows[0])
	}
	counts := map[string]int{}
	lastTest := map[string]string{}
	for _, r := range rows[1:] {
		counts[r[0]+"/"+r[3]]++
		if r[3] == "test" {
			lastTest[r[0]] = r[6]
		}
	}
	for _, mb := range body.Members {
		s, _ := ts.m.Get(mb.Session.ID)
		h, err := s.History()
		if err != nil {
			t.Fatal(err)
		}
		// 600/50 = 12 steps per epoch, 2 epochs: 24 training points, 3 test points.
		if counts[mb.Session.ID+"/train"] != len(h.Train) || counts[mb.Session.ID+"/test"] != 3 || len(h.Train) != 24 {
			t.Errorf("%s: %d train and %d test rows, want %d and 3", mb.Session.ID, counts[mb.Session.ID+"/train"], counts[mb.Session.ID+"/test"], len(h.Train))
		}
		if got, _ := strconv.ParseFloat(lastTest[mb.Session.ID], 64); got != *mb.Session.TestLoss {
			t.Errorf("%s: last test point %s, want the final test loss %v", mb.Session.ID, lastTest[mb.Session.ID], *mb.Session.TestLoss)
		}
	}

	// The page.
	res, page := ts.do(t, "GET", created.URL, "", nil)
	if res.StatusCode != 200 || !strings.Contains(string(page), `data-testid="compare-loss-chart"`) || !strings.Contains(string(page), "M = 4") {
		t.Fatalf("compare page: %d", res.StatusCode)
	}
}

func TestCompareRefusesBadRequestsAndStartsNothing(t *testing.T) {
	ts := newCompareServer(t, session.RateLimit{})
	cases := []struct {
		name, body, field, says string
	}{
		{"width equal to K", `{"encoder":[32],"train_size":600,"bottlenecks":[2,784,8]}`, "bottlenecks", "width 784"},
		{"width zero", `{"bottlenecks":[0,4]}`, "bottlenecks", "width 0"},
		{"one width", `{"bottlenecks":[4]}`, "bottlenecks", "at least 2"},
		{"nine widths", `{"bottlenecks":[1,2,3,4,5,6,7,8,9]}`, "bottlenecks", "at most 8"},
		{"width twice", `{"bottlenecks":[4,4]}`, "bottlenecks", "twice"},
		{"no widths", `{"encoder":[32]}`, "bottlenecks", `give "bottlenecks"`},
		{"bottleneck too", `{"bottleneck":4,"bottlenecks":[2,4]}`, "bottleneck", "leave"},
		{"both kinds", `{"bottlenecks":[2,4],"sessions":["a","b"]}`, "sessions", "not both"},
		{"bad base field", `{"learning_rate":-1,"bottlenecks":[2,4]}`, "learning_rate", "learning rate"},
		{"wrong type", `{"bottlenecks":"2,4"}`, "bottlenecks", "list of whole numbers"},
		{"unknown field", `{"bottlenecks":[2,4],"widths":[3]}`, "widths", "unknown field"},
		{"unknown session", `{"sessions":["nope1","nope2"]}`, "sessions", `no session "nope1"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, b := ts.do(t, "POST", "/api/comparisons", tc.body, nil)
			if res.StatusCode != 400 {
				t.Fatalf("status %d, want 400: %s", res.StatusCode, b)
			}
			var e errorBody
			if err := json.Unmarshal(b, &e); err != nil {
				t.Fatal(err)
			}
			if e.Field != tc.field || !strings.Contains(e.Error, tc.says) || e.Code != session.EInvalid {
				t.Fatalf("error %q (field %q), want field %q saying %q", e.Error, e.Field, tc.field, tc.says)
			}
		})
	}
	if n := len(ts.m.List()); n != 0 {
		t.Fatalf("%d sessions started by refused requests", n)
	}
	for _, path := range []string{"/api/comparisons/nope", "/api/comparisons/nope/table.csv", "/api/comparisons/nope/curves.csv"} {
		res, b := ts.do(t, "GET", path, "", nil)
		if res.StatusCode != 404 || !strings.Contains(string(b), `no comparison \"nope\"`) {
			t.Errorf("GET %s: %d %s", path, res.StatusCode, b)
		}
	}
	res, b := ts.do(t, "GET", "/compare/nope", "", nil)
	if res.StatusCode != 404 || !strings.Contains(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(b), "no comparison") {
		t.Errorf("GET /compare/nope: %d", res.StatusCode)
	}
}

func TestCompareGroupNamesDifferences(t *testing.T) {
	ts := newCompareServer(t, session.RateLimit{})
	a := ts.create(t, `{"encoder":[16],"bottleneck":4,"train_size":300,"test_size":200,"batch_size":50,"epochs":1,"seed":1}`)
	b := ts.create(t, `{"encoder":[16],"bottleneck":4,"train_size":300,"test_size":200,"batch_size":50,"epochs":1,"seed":1,"activation":"tanh"}`)
	res, body := ts.do(t, "POST", "/api/comparisons", `{"sessions":["`+b.ID+`","`+a.ID+`"]}`, nil)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("group: %d %s", res.StatusCode, body)
	}
	if strings.Contains(string(body), "owner_token") {
		t.Errorf("a group hands out owner tokens: %s", body)
	}
	var created comparisonCreatedBody
	_ = json.Unmarshal(body, &created)
	waitSessions(t, ts, a.ID, b.ID)
	cmp := getComparison(t, ts, created.ID)
	if cmp.Kind != session.Group || len(cmp.Differs) != 1 || cmp.Differs[0].Field != "activation" ||
		cmp.Differs[0].Text != "activation: relu vs tanh" {
		t.Fatalf("differs = %+v", cmp.Differs)
	}
	if cmp.Members[0].Session.ID != a.ID || cmp.Members[0].Label != "relu" || cmp.Members[1].Label != "tanh" {
		t.Errorf("members: %s %q, %s %q", cmp.Members[0].Session.ID, cmp.Members[0].Label, cmp.Members[1].Session.ID, cmp.Members[1].Label)
	}
	// Both have M = 4 on the same data: one PCA figure.
	if *cmp.Members[0].PCA.MSE != *cmp.Members[1].PCA.MSE {
		t.Errorf("PCA figures differ for the same k and data: %v %v", *cmp.Members[0].PCA.MSE, *cmp.Members[1].PCA.MSE)
	}
	_, page := ts.do(t, "GET", created.URL, "", nil)
	if !strings.Contains(string(page), "activation: relu vs tanh") {
		t.Errorf("the page does not name what differs")
	}
}

// TestCompareSweepIsOneStart: a sweep is one user action, so it takes one
// token of the address's start rate limit however many widths it trains.
func TestCompareSweepIsOneStart(t *testing.T) {
	ts := newCompareServer(t, session.RateLimit{Burst: 2, PerMinute: 1})
	body := `{"encoder":[8],"train_size":200,"test_size":100,"batch_size":50,"epochs":1,"bottlenecks":[2,4,8]}`
	for i := 0; i < 2; i++ {
		if res, b := ts.do(t, "POST", "/api/comparisons", body, nil); res.StatusCode != 201 {
			t.Fatalf("sweep %d: %d %s", i+1, res.StatusCode, b)
		}
	}
	res, b := ts.do(t, "POST", "/api/comparisons", body, nil)
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" || !strings.Contains(string(b), "at most 2 at once") {
		t.Fatalf("third sweep: %d %s (Retry-After %q), want 429", res.StatusCode, b, res.Header.Get("Retry-After"))
	}
	if n := len(ts.m.List()); n != 6 {
		t.Fatalf("%d sessions, want 2 sweeps × 3 widths", n)
	}
	for _, s := range ts.m.List() {
		waitEnded(t, s)
	}
}

func TestCompareFromTheHomePageForms(t *testing.T) {
	ts := newCompareServer(t, session.RateLimit{})
	form := url.Values{"dataset": {"mnist"}, "encoder": {"8"}, "bottleneck": {""}, "activation": {"relu"},
		"output_activation": {"sigmoid"}, "loss": {"mse"}, "optimizer": {"adam"}, "learning_rate": {"0.001"},
		"batch_size": {"50"}, "epochs": {"1"}, "train_size": {"200"}, "seed": {"1"}}
	post := func(f url.Values) (*http.Response, []byte) {
		return ts.do(t, "POST", "/comparisons", f.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	}

	form.Set("bottlenecks", "2, 784")
	res, b := post(form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "width 784") || !strings.Contains(string(b), `value="2, 784"`) {
		t.Fatalf("bad width: %d", res.StatusCode)
	}
	form.Set("bottlenecks", "2, four")
	if res, b := post(form); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "whole numbers separated by commas") {
		t.Fatalf("unreadable widths: %d", res.StatusCode)
	}
	if n := len(ts.m.List()); n != 0 {
		t.Fatalf("refused forms started %d sessions", n)
	}

	form.Set("bottlenecks", "4, 2")
	res, _ = post(form)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/compare/") {
		t.Fatalf("sweep form: %d to %q", res.StatusCode, loc)
	}
	cookies := res.Cookies()
	if len(cookies) != 1 || cookies[0].Name != ownerCookieName {
		t.Fatalf("cookies %v, want the one owner key", cookies)
	}
	for _, s := range ts.m.List() {
		if !s.OwnedBy(session.OwnerOf(cookies[0].Value)) {
			t.Errorf("the browser's key does not own %s", s.ID())
		}
	}
	c, err := ts.m.Get(ts.m.List()[0].ID())
	if err != nil {
		t.Fatal(err)
	}

	// The recent sessions' form: one ticked is not enough, two are.
	group := url.Values{"sessions": {c.ID()}}
	if res, b := post(group); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "at least 2") {
		t.Fatalf("one session: %d", res.StatusCode)
	}
	group.Add("sessions", ts.m.List()[1].ID())
	if res, _ := post(group); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/compare/") {
		t.Fatalf("group form: %d", res.StatusCode)
	}
	_, home := ts.do(t, "GET", "/", "", nil)
	if !strings.Contains(string(home), `data-testid="compare-selected"`) || !strings.Contains(string(home), `data-testid="pick-`+c.ID()+`"`) {
		t.Error("the home page lacks the compare-selected form or the session boxes")
	}
	for _, s := range ts.m.List() {
		waitEnded(t, s)
	}
}
