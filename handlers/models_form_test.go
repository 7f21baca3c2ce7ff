package handlers

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"strings"
	"testing"
)

// A model import's form holds the part "file" once and nothing else: a
// part of another name (a typo: "model") is refused naming it, instead of
// being skipped, and a second file or a part after the file is refused
// instead of being dropped unseen.
func TestModelImportFormTakesOnePart(t *testing.T) {
	ts := newTestServer(t)
	c := ts.create(t, smallJSON)
	s, _ := ts.m.Get(c.ID)
	waitEnded(t, s)
	res, model := ts.get(t, "/api/sessions/"+c.ID+"/model.safetensors")
	if res.StatusCode != 200 {
		t.Fatalf("model: %d", res.StatusCode)
	}
	type part struct{ name, file string }
	send := func(parts ...part) (int, errorBody) {
		t.Helper()
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for _, p := range parts {
			if p.file != "" {
				fw, _ := mw.CreateFormFile(p.name, p.file)
				_, _ = fw.Write(model)
			} else {
				_ = mw.WriteField(p.name, "x")
			}
		}
		_ = mw.Close()
		res, b := ts.do(t, "POST", "/api/models", body.String(), map[string]string{"Content-Type": mw.FormDataContentType()})
		var e errorBody
		_ = json.Unmarshal(b, &e)
		return res.StatusCode, e
	}
	for _, tc := range []struct {
		what  string
		parts []part
		field string
	}{
		{"a part named model", []part{{"model", "m.safetensors"}}, "model"},
		{"a text field before the file", []part{{"note", ""}, {"file", "m.safetensors"}}, "note"},
		{"two files", []part{{"file", "m.safetensors"}, {"file", "n.safetensors"}}, "file"},
		{"a text field after the file", []part{{"file", "m.safetensors"}, {"note", ""}}, "note"},
	} {
		st, e := send(tc.parts...)
		if st != 400 || e.Field != tc.field || !strings.Contains(e.Error, "file") {
			t.Errorf("%s: %d %+v, want 400 naming %s", tc.what, st, e, tc.field)
		}
	}
	if st, e := send(part{"file", "m.safetensors"}); st != 201 {
		t.Errorf("the file alone: %d %+v", st, e)
	}
}
