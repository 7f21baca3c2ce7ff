package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aelab/aelab/session"
)

// Fields sent with a value out of range, 0 included, are refused with 400
// naming them; only missing fields get defaults.
func TestAPIRefusesGivenZeros(t *testing.T) {
	ts := newTestServer(t)
	for _, field := range []string{"batch_size", "epochs", "learning_rate", "train_size", "test_size", "bottleneck"} {
		body := fmt.Sprintf(`{"bottleneck":8,"train_size":512,"test_size":100,%q:0}`, field)
		switch field {
		case "bottleneck":
			body = `{"bottleneck":0}`
		case "train_size", "test_size":
			body = fmt.Sprintf(`{"bottleneck":8,%q:0}`, field)
		}
		res, b := ts.do(t, "POST", "/api/sessions", body, nil)
		var e errorBody
		_ = json.Unmarshal(b, &e)
		if res.StatusCode != 400 || e.Errors[field] == "" {
			t.Errorf("%s: 0 → %d %s, want 400 naming the field", field, res.StatusCode, b)
		}
	}
	// Keys are matched as encoding/json matches them, ignoring case.
	res, b := ts.do(t, "POST", "/api/sessions/check", `{"bottleneck":8,"Batch_Size":0}`, nil)
	var c checkBody
	_ = json.Unmarshal(b, &c)
	if res.StatusCode != 200 || c.Errors["batch_size"] == "" {
		t.Errorf("check of Batch_Size 0 → %d %s, want a batch_size error", res.StatusCode, b)
	}
}

func TestAPIRefusesWhatTheEngineWould(t *testing.T) {
	ts := newTestServer(t)
	for name, body := range map[string]string{
		"batch × widths": `{"encoder":[4096,1,4096,1,4096,1],"bottleneck":1,"batch_size":4096,"epochs":1}`,
		"1e-320":         `{"bottleneck":8,"learning_rate":1e-320}`,
	} {
		res, b := ts.do(t, "POST", "/api/sessions", body, nil)
		var e errorBody
		_ = json.Unmarshal(b, &e)
		if res.StatusCode != 400 || e.Field == "" {
			t.Errorf("%s: %d %s, want 400 with a field", name, res.StatusCode, b)
		}
	}
	if n := len(ts.m.List()); n != 0 {
		t.Errorf("%d sessions were created", n)
	}
}

func TestContentTypeIsParsed(t *testing.T) {
	ts := newTestServer(t)
	for ct, want := range map[string]int{
		"application/jsonp":               400,
		"application/json-seq":            400,
		"text/plain":                      400,
		"application/json; charset=utf-8": 200,
		"Application/JSON":                200,
	} {
		res, b := ts.do(t, "POST", "/api/sessions/check", `{"bottleneck":8}`, map[string]string{"Content-Type": ct})
		if res.StatusCode != want {
			t.Errorf("Content-Type %q → %d %s, want %d", ct, res.StatusCode, b, want)
		}
	}
}

func TestCrossSiteRefusalIsJSONOnTheAPI(t *testing.T) {
	ts := newTestServer(t)
	res, b := ts.do(t, "POST", "/api/sessions", smallJSON, map[string]string{"Sec-Fetch-Site": "cross-site"})
	var e errorBody
	if res.StatusCode != 403 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") ||
		json.Unmarshal(b, &e) != nil || e.Code != session.EForbidden {
		t.Fatalf("cross-site API POST → %d %q %s, want 403 JSON with code forbidden", res.StatusCode, res.Header.Get("Content-Type"), b)
	}
	res, b = ts.do(t, "POST", "/sessions", "", map[string]string{"Sec-Fetch-Site": "cross-site", "Content-Type": "application/x-www-form-urlencoded"})
	if res.StatusCode != 403 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("cross-site form POST → %d %q, want a 403 page", res.StatusCode, res.Header.Get("Content-Type"))
	}
	_ = b
}

func TestWrappedErrorKeepsItsField(t *testing.T) {
	err := fmt.Errorf("while starting: %w", &session.Error{Code: session.EInvalid, Field: "epochs", Message: "too many"})
	rec := httptest.NewRecorder()
	writeError(rec, httptest.NewRequest("POST", "/api/sessions", nil), nil, err)
	var e errorBody
	_ = json.Unmarshal(rec.Body.Bytes(), &e)
	if rec.Code != 400 || e.Field != "epochs" || e.Error != "too many" {
		t.Fatalf("%d %+v, want 400 with field epochs", rec.Code, e)
	}
	fe := session.FieldErrors{{Field: "epochs", Message: "a"}, {Field: "seed", Message: "b"}}
	rec = httptest.NewRecorder()
	writeError(rec, httptest.NewRequest("POST", "/api/sessions", nil), nil, fmt.Errorf("x: %w", fe.Err()))
	_ = json.Unmarshal(rec.Body.Bytes(), &e)
	if e.Errors["seed"] != "b" || e.Field != "epochs" {
		t.Fatalf("field errors lost: %+v", e)
	}
}

func TestNestedUnknownFieldIsNamed(t *testing.T) {
	ts := newTestServer(t)
	res, b := ts.do(t, "POST", "/api/sessions/check", `{"bottleneck":8,"noise":{"kind":"gaussian","levle":0.1}}`, nil)
	var e errorBody
	_ = json.Unmarshal(b, &e)
	if res.StatusCode != 400 || e.Field != "levle" {
		t.Fatalf("%d %s, want 400 naming levle", res.StatusCode, b)
	}
	if name, ok := nestedUnknownField(errors.New(`json: unknown field "x"`)); !ok || name != "x" {
		t.Fatalf("nestedUnknownField = %q %v", name, ok)
	}
	if _, ok := nestedUnknownField(errors.New("json: cannot unmarshal")); ok {
		t.Fatal("nestedUnknownField matched another error")
	}
}

// On the home page form an empty field is a missing one; text that is not
// a number says so; a typed 0 is refused.
func TestFormNumbers(t *testing.T) {
	v := defaultForm()
	v.LearningRate = "abc"
	if _, fe := parseForm(v); !strings.Contains(fe.Map()["learning_rate"], "not a number") {
		t.Errorf("abc: %v", fe.Map())
	}
	ts := newTestServer(t)
	v = defaultForm()
	v.Epochs = "0"
	c, fe := parseForm(v)
	if len(fe) > 0 {
		t.Fatal(fe)
	}
	if _, _, fe := ts.m.Check(c); fe.Map()["epochs"] == "" {
		t.Errorf("epochs 0 on the form: %v", fe.Map())
	}
	v = defaultForm()
	v.Epochs, v.BatchSize = "", ""
	c, _ = parseForm(v)
	if c, _, fe := ts.m.Check(c); len(fe) > 0 || c.Epochs != 5 || c.BatchSize != 64 {
		t.Errorf("blank epochs and batch: %v, %+v", fe, c)
	}
	_ = http.StatusOK
}
