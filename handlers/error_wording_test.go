package handlers

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// internalPrefixes are the starts of Go error texts that name a package or
// a library (what a user cannot act on): none belongs in an error a user
// reads.
var internalPrefixes = []string{"analysis:", "ae:", "session:", "store:", "datasets:", "lab:", "json:", "http:",
	"multipart:", "strconv.", "invalid input:", "invalid config:", "safetensors:", "pgx", "sqlite"}

// leak returns the internal prefix msg holds, or "".
func leak(msg string) string {
	for _, p := range internalPrefixes {
		if strings.Contains(msg, p) {
			return p
		}
	}
	return ""
}

// Errors a user can cause on the JSON API say what to change in words of
// the API, never a Go package's or library's prefix (analysis: invalid
// input: …), and name the field at fault.
func TestErrorsNameNoPackage(t *testing.T) {
	ts := newTestServer(t)
	noisy := ts.create(t, `{"encoder":[32],"bottleneck":2,"train_size":60000,"test_size":200,"epochs":20,"noise":{"kind":"masking","level":0.3}}`)
	auth := map[string]string{"Authorization": "Bearer " + noisy.OwnerToken}
	api := "/api/sessions/" + noisy.ID
	cases := []struct {
		name, method, path, body string
		hdr                      map[string]string
		field, says              string
	}{
		{"create noise too much", "POST", "/api/sessions", `{"bottleneck":2,"noise":{"kind":"masking","level":2}}`, nil, "noise", "between 0 and 1"},
		{"create gaussian σ too large", "POST", "/api/sessions", `{"bottleneck":2,"noise":{"kind":"gaussian","level":5}}`, nil, "noise", "σ"},
		{"create unknown noise", "POST", "/api/sessions", `{"bottleneck":2,"noise":{"kind":"pink","level":0.3}}`, nil, "noise", "use one of none, gaussian, masking, salt_pepper"},
		{"set noise too much", "POST", api + "/set", `{"noise":{"kind":"masking","level":2}}`, auth, "noise", "between 0 and 1"},
		{"denoise level too much", "POST", api + "/denoise", `{"kind":"masking","level":3}`, nil, "level", "between 0 and 1"},
		{"denoise unknown kind", "POST", api + "/denoise", `{"kind":"pink","level":0.3}`, nil, "kind", "use one of none, gaussian, masking, salt_pepper"},
		{"unknown activation", "POST", "/api/sessions", `{"bottleneck":2,"activation":"swish"}`, nil, "activation", "swish"},
		{"nested wrong type", "POST", "/api/sessions", `{"bottleneck":2,"noise":{"kind":"masking","level":"high"}}`, nil, "noise.level", "a number"},
		{"nested unknown field", "POST", "/api/sessions", `{"bottleneck":2,"noise":{"kind":"masking","lvl":0.3}}`, nil, "lvl", "unknown field"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, b := ts.do(t, tc.method, tc.path, tc.body, tc.hdr)
			if res.StatusCode != 400 {
				t.Fatalf("status = %d, want 400: %s", res.StatusCode, b)
			}
			var e errorBody
			if err := json.Unmarshal(b, &e); err != nil {
				t.Fatalf("error is not JSON: %s", b)
			}
			t.Logf("%s: %q", e.Field, e.Error)
			if p := leak(e.Error); p != "" {
				t.Errorf("the error %q shows the internal prefix %q", e.Error, p)
			}
			if !strings.Contains(e.Error, tc.says) || e.Field != tc.field {
				t.Errorf("error = %q (field %q), want it to say %q (field %q)", e.Error, e.Field, tc.says, tc.field)
			}
		})
	}
}

// Bodies that are not what they claim (a multipart body that is not one,
// a form with a broken escape) are refused in words, not in the words of
// Go's mime/multipart or net/url.
func TestMalformedBodiesNameNoPackage(t *testing.T) {
	ts := newTestServer(t)
	cases := []struct{ name, path, ctype, body string }{
		{"upload not multipart", "/api/datasets", "multipart/form-data; boundary=b", "garbage"},
		{"upload cut short", "/api/datasets", "multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n1,2\r\n"},
		{"upload without boundary", "/api/datasets", "multipart/form-data", "--b--"},
		{"model not multipart", "/api/models", "multipart/form-data; boundary=b", "garbage"},
		{"model cut short", "/api/models", "multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.safetensors\"\r\n\r\nxx"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest("POST", ts.URL+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", tc.ctype)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 400 {
				t.Fatalf("status = %d, want 400: %s", res.StatusCode, b)
			}
			var e errorBody
			if err := json.Unmarshal(b, &e); err != nil {
				t.Fatalf("error is not JSON: %s", b)
			}
			t.Logf("%q", e.Error)
			if p := leak(e.Error); p != "" {
				t.Errorf("the error %q shows the internal prefix %q", e.Error, p)
			}
			if e.Field != "file" {
				t.Errorf("the error %q names the field %q, want file", e.Error, e.Field)
			}
		})
	}
}

// A page's form that cannot be read (a broken %-escape, a body over the
// limit) gets an error page in words: 400 or 413, no net/http or net/url
// prefix.
func TestMalformedFormsNameNoPackage(t *testing.T) {
	ts := newTestServer(t)
	for _, tc := range []struct {
		name, path, body string
		status           int
		says             string
	}{
		{"bad escape", "/sessions", "bottleneck=%zz", 400, "not well-formed URL encoding"},
		{"too large", "/sessions", "bottleneck=2&encoder=" + strings.Repeat("1", 70<<10), 413, "larger than 64 KiB"},
		{"class bad escape", "/classes", "name=%G1", 400, "not well-formed URL encoding"},
		{"compare too large", "/comparisons", "x=" + strings.Repeat("1", 70<<10), 413, "larger than 64 KiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest("POST", ts.URL+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			page := string(b)
			if res.StatusCode != tc.status || !strings.Contains(page, tc.says) {
				t.Fatalf("status = %d, want %d saying %q: %s", res.StatusCode, tc.status, tc.says, page)
			}
			_, detail, _ := strings.Cut(page, `data-testid="error-detail">`)
			detail, _, _ = strings.Cut(detail, "</p>")
			if p := leak(detail); p != "" || detail == "" {
				t.Errorf("the error page says %q, with the internal prefix %q", detail, p)
			}
		})
	}
}
