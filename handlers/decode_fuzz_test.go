package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aelab/aelab/session"
)

// FuzzDecodeJSON: whatever the body, the one decode path of the JSON API
// (decodeJSON) answers with an invalid or too-large error, or accepts a
// single well-formed JSON object without a key given twice; it never
// panics. Both a flat body (a configuration) and a nested one (a class, its
// preset a configuration) are tried.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"bottleneck":8,"encoder":[64,32],"noise":{"kind":"gaussian","level":0.1}}`,
		`{"name":"Y11","preset":{"bottleneck":2,"epochs":3},"locked":["bottleneck"]}`,
		`{"bottleneck":8,"Bottleneck":9}`, `[1]`, `null`, `{"a":[null]}`, `{"z":[[1,2],[3,4]]}`,
		`{"bottleneck":8}{}`, ``, `{"conv":[{"filters":4,"kernel":3,"stride":1}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, v := range []any{new(session.Config), new(session.NewClass), new(decodeRequest)} {
			r := httptest.NewRequest("POST", "/api/x", bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			err := decodeJSON(httptest.NewRecorder(), r, v)
			if err != nil {
				var e *session.Error
				if !errors.As(err, &e) || (e.Code != session.EInvalid && e.Code != codeTooLarge) {
					t.Fatalf("decodeJSON(%q) = %v: not an invalid-body error", body, err)
				}
				return
			}
			if !json.Valid(body) || !strings.HasPrefix(strings.TrimSpace(string(body)), "{") {
				t.Fatalf("decodeJSON accepted %q, which is not one JSON object", body)
			}
			if dup := firstDuplicateKey(body); dup != "" {
				t.Fatalf("decodeJSON accepted %q, which gives %q twice", body, dup)
			}
		}
	})
}

// firstDuplicateKey finds a key given twice (ignoring case) in any object
// of a valid JSON text, by decoding into generic values: an independent
// check of scanBody.
func firstDuplicateKey(body []byte) string {
	var walk func(dec *json.Decoder) string
	walk = func(dec *json.Decoder) string {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				k, _ := dec.Token()
				ks, _ := k.(string)
				if seen[strings.ToLower(ks)] {
					return ks
				}
				seen[strings.ToLower(ks)] = true
				if d := walk(dec); d != "" {
					return d
				}
			}
			_, _ = dec.Token()
		case json.Delim('['):
			for dec.More() {
				if d := walk(dec); d != "" {
					return d
				}
			}
			_, _ = dec.Token()
		}
		return ""
	}
	return walk(json.NewDecoder(bytes.NewReader(body)))
}
