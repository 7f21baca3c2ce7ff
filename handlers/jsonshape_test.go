package handlers

import (
	"encoding/json"
	"strings"
	"testing"
)

// A key given twice (in any case, at any depth) is refused naming it:
// encoding/json would keep the last one silently.
func TestDuplicateKeysAreRefused(t *testing.T) {
	ts := newTestServer(t)
	for body, field := range map[string]string{
		`{"bottleneck":8,"epochs":5,"epochs":6}`:                                   "epochs",
		`{"bottleneck":8,"epochs":5,"EPOCHS":0}`:                                   "EPOCHS",
		`{"bottleneck":8,"noise":{"kind":"gaussian","level":0.1,"level":0.5}}`:     "noise.level",
		`{"bottleneck":8,"conv":[{"filters":4,"kernel":3,"stride":1,"Kernel":5}]}`: "conv[0].Kernel",
	} {
		res, b := ts.do(t, "POST", "/api/sessions/check", body, nil)
		var e errorBody
		_ = json.Unmarshal(b, &e)
		if res.StatusCode != 400 || e.Field != field || !strings.Contains(e.Error, "twice") {
			t.Errorf("%s → %d %s, want 400 naming %s given twice", body, res.StatusCode, b, field)
		}
	}
	cs, _ := newClassServer(t)
	res, b := cs.do(t, "POST", "/api/classes", `{"name":"Y11","preset":{"bottleneck":2,"bottleneck":3}}`, nil)
	var e errorBody
	_ = json.Unmarshal(b, &e)
	if res.StatusCode != 400 || e.Field != "preset.bottleneck" {
		t.Errorf("class preset with bottleneck twice → %d %s, want 400 naming preset.bottleneck", res.StatusCode, b)
	}
}

// null in a list is not a number (nor an example, nor a width): JSON.stringify
// writes NaN and Infinity as null, and encoding/json would read it as 0.
func TestNullInAListIsRefused(t *testing.T) {
	ts := newTestServer(t)
	res, b := ts.do(t, "POST", "/api/sessions/check", `{"bottleneck":8,"encoder":[null,32]}`, nil)
	var e errorBody
	_ = json.Unmarshal(b, &e)
	if res.StatusCode != 400 || e.Field != "encoder" || !strings.Contains(e.Error, "encoder[0] is null") {
		t.Errorf("encoder [null, 32] → %d %s, want 400 naming encoder[0]", res.StatusCode, b)
	}
	s := ts.create(t, smallJSON)
	for path, body := range map[string]string{
		"/decode":      `{"z":[[0.5,0.5],[null,1]]}`,
		"/encode":      `{"examples":[3,null]}`,
		"/reconstruct": `{"examples":[null]}`,
	} {
		res, b := ts.do(t, "POST", "/api/sessions/"+s.ID+path, body, nil)
		var e errorBody
		_ = json.Unmarshal(b, &e)
		if res.StatusCode != 400 || e.Field == "" || !strings.Contains(e.Error, "null") {
			t.Errorf("%s %s → %d %s, want 400 naming the null", path, body, res.StatusCode, b)
		}
	}
}

// A body that is JSON but not an object says so, without Go's type names.
func TestBodyMustBeAnObject(t *testing.T) {
	ts := newTestServer(t)
	for _, body := range []string{`[{"bottleneck":8}]`, `null`, `8`, `"x"`, `true`} {
		for _, path := range []string{"/api/sessions/check", "/api/sessions", "/api/classes", "/api/join"} {
			res, b := ts.do(t, "POST", path, body, nil)
			var e errorBody
			_ = json.Unmarshal(b, &e)
			if res.StatusCode != 400 || !strings.Contains(e.Error, "send a JSON object") ||
				strings.Contains(e.Error, "session.") || strings.Contains(e.Error, "handlers.") {
				t.Errorf("%s %s → %d %s, want 400 asking for an object", path, body, res.StatusCode, b)
			}
		}
	}
	s := ts.create(t, smallJSON)
	res, b := ts.do(t, "POST", "/api/sessions/"+s.ID+"/decode", `[[0,0]]`, nil)
	if res.StatusCode != 400 || !strings.Contains(string(b), "send a JSON object") {
		t.Errorf("decode of a bare list → %d %s", res.StatusCode, b)
	}
}

// Nesting deeper than any request needs is refused by the scan, before
// the decoder's own 10,000 levels.
func TestDeepNestingIsRefused(t *testing.T) {
	ts := newTestServer(t)
	body := `{"bottleneck":8,"encoder":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`
	res, b := ts.do(t, "POST", "/api/sessions/check", body, nil)
	var e errorBody
	_ = json.Unmarshal(b, &e)
	if res.StatusCode != 400 || e.Field != "encoder" || !strings.Contains(e.Error, "nested") {
		t.Errorf("40 levels → %d %s, want 400 naming encoder", res.StatusCode, b)
	}
}

// A class's preset is a configuration too: a field it gives as 0 is
// refused, not replaced by the default.
func TestClassPresetRefusesGivenZeros(t *testing.T) {
	ts, _ := newClassServer(t)
	res, b := ts.do(t, "POST", "/api/classes", `{"name":"Y11","preset":{"bottleneck":2,"epochs":0}}`, nil)
	var e errorBody
	_ = json.Unmarshal(b, &e)
	if res.StatusCode != 400 || e.Field != "preset.epochs" {
		t.Fatalf("preset epochs 0 → %d %s, want 400 naming preset.epochs", res.StatusCode, b)
	}
	res, b = ts.do(t, "POST", "/api/classes", `{"name":"Y11","preset":{"Bottleneck":2,"BATCH_SIZE":0}}`, nil)
	_ = json.Unmarshal(b, &e)
	if res.StatusCode != 400 || e.Field != "preset.batch_size" {
		t.Fatalf("preset BATCH_SIZE 0 → %d %s, want 400 naming preset.batch_size", res.StatusCode, b)
	}
	res, b = ts.do(t, "POST", "/api/classes", `{"name":"Y11","preset":{"bottleneck":2}}`, nil)
	if res.StatusCode != 201 {
		t.Fatalf("preset without epochs → %d %s, want 201 (the default)", res.StatusCode, b)
	}
}

func TestScanBodyFindsKeys(t *testing.T) {
	s, err := scanBody([]byte(`{"a":1,"b":{"c":[1,{"d":null}],"e":{}},"f":[[],[2]]}`))
	if err != nil || !s.object || strings.Join(s.keys, ",") != "a,b,f" || strings.Join(s.nested["b"], ",") != "c,e" {
		t.Fatalf("scanBody = %+v, %v", s, err)
	}
	if s, err := scanBody([]byte(`{"a":`)); err != nil || s.object {
		t.Fatalf("malformed: %+v, %v; want a zero shape and no error", s, err)
	}
}

// A body with a second value after its object (two requests pasted
// together, a stray character) is refused saying so, not by naming a key
// of the second value as an unknown field of the first.
func TestBodyWithTrailingValueIsRefused(t *testing.T) {
	ts := newTestServer(t)
	for _, body := range []string{
		`{"dataset":"swiss_roll","bottleneck":2} {"x":1}`,
		`{"dataset":"swiss_roll","bottleneck":2} {"dataset":"mnist"}`,
		`{"dataset":"swiss_roll","bottleneck":2} 5`,
	} {
		for _, path := range []string{"/api/sessions/check", "/api/sessions", "/api/classes"} {
			res, b := ts.do(t, "POST", path, body, nil)
			var e errorBody
			_ = json.Unmarshal(b, &e)
			if res.StatusCode != 400 || !strings.Contains(e.Error, "single JSON object, with nothing after it") {
				t.Errorf("%s %s → %d %s, want 400 saying nothing may follow the object", path, body, res.StatusCode, b)
			}
		}
	}
}
