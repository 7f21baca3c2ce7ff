package handlers

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const blobsJSON = `{"dataset":"blobs","encoder":[16],"bottleneck":%d,"output_activation":"linear","batch_size":32,"epochs":1,"seed":1}`

// GET /api/sessions: filters, order, paging by cursor, "mine", and a 400
// naming the field for every bad value.
func TestListSessionsAPI(t *testing.T) {
	ts := newTestServer(t)
	a := ts.create(t, strings.Replace(blobsJSON, "%d", "2", 1))
	b := ts.create(t, strings.Replace(blobsJSON, "%d", "3", 1))
	c := ts.create(t, strings.Replace(blobsJSON, "%d", "3", 1))
	for _, id := range []string{a.ID, b.ID, c.ID} {
		s, _ := ts.m.Get(id)
		<-s.Done()
	}
	list := func(query string, hdr map[string]string) runsBody {
		t.Helper()
		res, body := ts.do(t, "GET", "/api/sessions?"+query, "", hdr)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /api/sessions?%s: %d %s", query, res.StatusCode, body)
		}
		var out runsBody
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	ids := func(b runsBody) string {
		var s []string
		for _, in := range b.Sessions {
			s = append(s, in.ID)
		}
		return strings.Join(s, ",")
	}
	if got := list("", nil); ids(got) != c.ID+","+b.ID+","+a.ID || got.NextCursor != nil {
		t.Fatalf("default list = %s (next %v), want newest first and no next page", ids(got), got.NextCursor)
	}
	if got := list("bottleneck=3&dataset=blobs&state=completed&kind=ae", nil); ids(got) != c.ID+","+b.ID {
		t.Errorf("bottleneck 3 = %s", ids(got))
	}
	p1 := list("limit=2", nil)
	if ids(p1) != c.ID+","+b.ID || p1.NextCursor == nil {
		t.Fatalf("limit 2 = %s, next %v", ids(p1), p1.NextCursor)
	}
	if p2 := list("limit=2&cursor="+url.QueryEscape(*p1.NextCursor), nil); ids(p2) != a.ID || p2.NextCursor != nil {
		t.Errorf("second page = %s, next %v", ids(p2), p2.NextCursor)
	}
	if got := list("mine=1", map[string]string{"Authorization": "Bearer " + b.OwnerToken}); ids(got) != b.ID {
		t.Errorf("mine=1 with b's token = %s, want only %s", ids(got), b.ID)
	}
	if got := list("mine=1", nil); len(got.Sessions) != 0 {
		t.Errorf("mine=1 without any key = %s, want nothing", ids(got))
	}
	if got := list("sort=test_loss", nil); len(got.Sessions) != 3 {
		t.Errorf("by test loss: %s", ids(got))
	}

	for query, field := range map[string]string{
		"dataset=nowhere": "dataset",
		"dataset=":        "dataset",
		"bottleneck=0":    "bottleneck",
		"bottleneck=two":  "bottleneck",
		"state=done":      "state",
		"kind=gan":        "kind",
		"mine=yes":        "mine",
		"class=nope":      "class",
		"sort=name":       "sort",
		"limit=0":         "limit",
		"limit=201":       "limit",
		"cursor=garbage":  "cursor",
		"sort=test_loss&cursor=" + *p1.NextCursor: "cursor", // a date cursor on a loss list
	} {
		res, body := ts.do(t, "GET", "/api/sessions?"+query, "", nil)
		var e errorBody
		_ = json.Unmarshal(body, &e)
		if res.StatusCode != http.StatusBadRequest || e.Field != field || !strings.Contains(e.Error, field) {
			t.Errorf("GET /api/sessions?%s = %d %s, want 400 naming %q", query, res.StatusCode, body, field)
		}
	}
}

// /runs renders the run list with the API's filters; a bad filter is shown
// beside its field (400) over the unfiltered list.
func TestRunsPage(t *testing.T) {
	ts := newTestServer(t)
	a := ts.create(t, strings.Replace(blobsJSON, "%d", "2", 1))
	b := ts.create(t, strings.Replace(blobsJSON, "%d", "3", 1))
	for _, id := range []string{a.ID, b.ID} {
		s, _ := ts.m.Get(id)
		<-s.Done()
	}
	res, body := ts.do(t, "GET", "/runs", "", nil)
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `data-testid="run-link-`+a.ID+`"`) ||
		!strings.Contains(string(body), `data-testid="run-link-`+b.ID+`"`) {
		t.Fatalf("/runs: %d, rows missing:\n%s", res.StatusCode, body)
	}
	if strings.Index(string(body), "run-link-"+b.ID) > strings.Index(string(body), "run-link-"+a.ID) {
		t.Error("the newest run is not listed first")
	}
	// The empty fields of the filter form mean "any".
	res, body = ts.do(t, "GET", "/runs?dataset=&bottleneck=3&state=&sort=date", "", nil)
	if res.StatusCode != http.StatusOK || strings.Contains(string(body), "run-link-"+a.ID) || !strings.Contains(string(body), "run-link-"+b.ID) {
		t.Errorf("/runs?bottleneck=3: %d, want only %s", res.StatusCode, b.ID)
	}
	res, body = ts.do(t, "GET", "/runs?limit=1", "", nil)
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `data-testid="runs-next"`) {
		t.Errorf("/runs?limit=1: %d, no next page link", res.StatusCode)
	}
	res, body = ts.do(t, "GET", "/runs?bottleneck=-4", "", nil)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "bottleneck: must be") {
		t.Errorf("/runs?bottleneck=-4: %d, want 400 with the message", res.StatusCode)
	}
}

// ?class= lists the runs of one class only.
func TestListSessionsOfAClass(t *testing.T) {
	ts, _ := newClassServer(t)
	res, b := ts.do(t, "POST", "/api/classes", `{"name":"Kept","preset":{"dataset":"blobs","encoder":[16],"bottleneck":2,"output_activation":"linear","batch_size":32,"epochs":1}}`, nil)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create class: %d %s", res.StatusCode, b)
	}
	var cl classCreatedBody
	decodeInto(t, b, &cl)
	res, b = ts.do(t, "POST", "/api/join", `{"code":"`+cl.Code+`","name":"Ana"}`, nil)
	var joined joinedBody
	decodeInto(t, b, &joined)
	res, b = ts.do(t, "POST", "/api/sessions", `{"class":"`+cl.ID+`"}`, map[string]string{"Authorization": "Bearer " + joined.StudentToken})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("class run: %d %s", res.StatusCode, b)
	}
	var run createdBody
	decodeInto(t, b, &run)
	other := ts.create(t, strings.Replace(blobsJSON, "%d", "3", 1))
	for _, id := range []string{run.ID, other.ID} {
		s, _ := ts.m.Get(id)
		<-s.Done()
	}
	res, b = ts.do(t, "GET", "/api/sessions?class="+cl.ID, "", nil)
	var got runsBody
	decodeInto(t, b, &got)
	if res.StatusCode != http.StatusOK || len(got.Sessions) != 1 || got.Sessions[0].ID != run.ID {
		t.Fatalf("?class=%s: %d %s; want only %s", cl.ID, res.StatusCode, b, run.ID)
	}
}
