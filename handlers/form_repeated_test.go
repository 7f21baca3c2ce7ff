package handlers

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The home page's form (POST /sessions and its "Compare bottleneck sizes"
// button, POST /comparisons) with a field given twice is refused with 400
// naming it and starts nothing: the first value was trained and the other
// dropped unseen (dataset=mnist&dataset=iris trained on MNIST). The ticked
// "sessions" of the compare form stay a list.
func TestHomeFormRefusesAFieldGivenTwice(t *testing.T) {
	ts := newTestServer(t)
	before := len(ts.m.List())
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for _, tc := range []struct {
		path  string
		form  url.Values
		field string
	}{
		{"/sessions", url.Values{"dataset": {"mnist", "iris"}, "epochs": {"1"}}, "dataset"},
		{"/sessions", url.Values{"dataset": {"mnist"}, "encoder": {"64", "256,128"}}, "encoder"},
		{"/sessions", url.Values{"dataset": {"mnist"}, "epochs": {"1"}, "seed": {"1", "2"}}, "seed"},
		{"/comparisons", url.Values{"dataset": {"mnist"}, "bottlenecks": {"2,4", "8,16"}}, "bottlenecks"},
		{"/comparisons", url.Values{"dataset": {"mnist", "iris"}, "bottlenecks": {"2,4"}}, "dataset"},
		{"/comparisons", url.Values{"sessions": {"a", "b"}, "bottlenecks": {"", ""}}, "bottlenecks"},
	} {
		res, b := ts.do(t, "POST", tc.path, tc.form.Encode(), form)
		want := `the field &#34;` + tc.field + `&#34; is given 2 times: give it once` // as the page escapes it
		if res.StatusCode != 400 || !strings.Contains(string(b), want) {
			t.Errorf("POST %s %v: %d, want 400 saying %s\n%.300s", tc.path, tc.form, res.StatusCode, want, b)
		}
	}
	if n := len(ts.m.List()); n != before {
		t.Fatalf("refused forms started %d sessions", n-before)
	}
	// The ticked sessions are a list: two of them are not refused as a
	// repeat (these are unknown, so the home page says which).
	res, b := ts.do(t, "POST", "/comparisons", url.Values{"sessions": {"nosuch1", "nosuch2"}}.Encode(), form)
	if res.StatusCode == 400 || strings.Contains(string(b), "given 2 times") {
		t.Fatalf("two ticked sessions: %d, refused as a repeat\n%.300s", res.StatusCode, b)
	}
}

// The home page's form sends each field once: no two of its controls share
// a name except a radio group (one of which is sent), so refusing a repeat
// refuses nothing the page sends.
func TestHomeFormNamesEachFieldOnce(t *testing.T) {
	ts := newTestServer(t)
	_, b := ts.do(t, "GET", "/", "", nil)
	page := string(b)
	start := strings.Index(page, `data-testid="config-form"`)
	end := strings.Index(page[max(start, 0):], "</form>")
	if start < 0 || end < 0 {
		t.Fatalf("no config form on the home page\n%.300s", page)
	}
	formHTML := page[start : start+end]
	control := regexp.MustCompile(`<(input|select|textarea)\b[^>]*>`)
	name := regexp.MustCompile(`\bname="([^"]+)"`)
	seen := map[string]int{}
	for _, tag := range control.FindAllString(formHTML, -1) {
		m := name.FindStringSubmatch(tag)
		if m == nil || strings.Contains(tag, `type="radio"`) {
			continue
		}
		seen[m[1]]++
	}
	if len(seen) < 10 {
		t.Fatalf("found only %d named controls in the form: %v", len(seen), seen)
	}
	for n, c := range seen {
		if c > 1 {
			t.Errorf("the home form has %d controls named %q", c, n)
		}
	}
}

// A class's run form is the home form: a field given twice is refused
// with 400 naming it, before anything else is asked of the browser.
func TestClassRunFormRefusesAFieldGivenTwice(t *testing.T) {
	ts, _ := newClassServer(t)
	res, b := ts.do(t, "POST", "/api/classes", `{"name":"Year 11"}`, nil)
	if res.StatusCode != 201 {
		t.Fatalf("create class: %d %s", res.StatusCode, b)
	}
	var cl classCreatedBody
	decodeInto(t, b, &cl)
	before := len(ts.m.List())
	res, b = ts.do(t, "POST", "/classes/"+cl.ID+"/runs", url.Values{"dataset": {"mnist", "iris"}}.Encode(),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if want := `the field &#34;dataset&#34; is given 2 times`; res.StatusCode != 400 || !strings.Contains(string(b), want) {
		t.Fatalf("class run form with dataset twice: %d, want 400 saying %s\n%.300s", res.StatusCode, want, b)
	}
	if n := len(ts.m.List()); n != before {
		t.Fatalf("a refused form started %d sessions", n-before)
	}
}
