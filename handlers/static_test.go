package handlers

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/andybalholm/brotli"

	"github.com/aelab/aelab/web"
)

// TestStaticCompressedAndVersioned: pages load the front end under a
// content-versioned prefix that browsers may keep for a year; text files go
// out as brotli or gzip (the same bytes as the file), and an unchanged file
// answers 304.
func TestStaticCompressedAndVersioned(t *testing.T) {
	ts := newTestServer(t)
	_, page := ts.do(t, "GET", "/", "", nil)
	appCSS := web.Asset("/static/css/app.css")
	if !strings.Contains(string(page), `href="`+appCSS+`"`) || !strings.HasPrefix(appCSS, "/static/v-"+web.Version()+"/") {
		t.Fatalf("the home page does not load %s", appCSS)
	}
	want, err := fs.ReadFile(web.Static, "static/js/home.js")
	if err != nil {
		t.Fatal(err)
	}
	decode := map[string]func(io.Reader) (io.Reader, error){
		"br":   func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil },
		"gzip": func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) },
		"":     func(r io.Reader) (io.Reader, error) { return r, nil },
	}
	for _, tc := range []struct{ accept, enc string }{{"gzip, deflate, br", "br"}, {"gzip", "gzip"}, {"", ""}, {"br;q=0, gzip", "gzip"}} {
		res, body := ts.do(t, "GET", web.Asset("/static/js/home.js"), "", map[string]string{"Accept-Encoding": tc.accept})
		if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != tc.enc {
			t.Fatalf("Accept-Encoding %q: %d, Content-Encoding %q, want %q", tc.accept, res.StatusCode, res.Header.Get("Content-Encoding"), tc.enc)
		}
		if cc := res.Header.Get("Cache-Control"); cc != cacheImmutable {
			t.Errorf("versioned file: Cache-Control %q", cc)
		}
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") {
			t.Errorf("Content-Type %q", res.Header.Get("Content-Type"))
		}
		r, err := decode[tc.enc](bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%q: the decoded file differs (%v)", tc.enc, err)
		}
		if tc.enc != "" && len(body) > len(want)/2 {
			t.Errorf("%s: %d bytes for a %d-byte file", tc.enc, len(body), len(want))
		}
		if etag := res.Header.Get("ETag"); tc.enc != "" {
			again, _ := ts.do(t, "GET", web.Asset("/static/js/home.js"), "", map[string]string{"Accept-Encoding": tc.accept, "If-None-Match": etag})
			if again.StatusCode != http.StatusNotModified {
				t.Errorf("If-None-Match %s: %d, want 304", etag, again.StatusCode)
			}
		}
	}
	// Plain and stale-versioned names still work, with a short cache.
	for _, p := range []string{"/static/js/home.js", "/static/v-000000000000/js/home.js"} {
		res, _ := ts.do(t, "GET", p, "", nil)
		if res.StatusCode != 200 || res.Header.Get("Cache-Control") != cacheShort {
			t.Errorf("%s: %d, Cache-Control %q", p, res.StatusCode, res.Header.Get("Cache-Control"))
		}
	}
	if res, _ := ts.do(t, "GET", "/static/v-"+web.Version()+"/js/nothing.js", "", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("a missing versioned file: %d", res.StatusCode)
	}
	// Pages go out gzipped too.
	res, _ := ts.do(t, "GET", "/", "", map[string]string{"Accept-Encoding": "gzip"})
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("home page Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
}

// TestStaticCompressedOncePerProcess: a second server of the process
// serves a file the first one compressed without compressing it again
// (brotli's best level is slow; the tests start a server per test): no new
// compressed entry, the same bytes; a file of other content gets its own.
func TestStaticCompressedOncePerProcess(t *testing.T) {
	count := func() int {
		n := 0
		compressedByContent.Range(func(any, any) bool { n++; return true })
		return n
	}
	files, err := fs.Sub(web.Static, "static")
	if err != nil {
		t.Fatal(err)
	}
	get := func(h http.Handler, p string) []byte {
		t.Helper()
		req := httptest.NewRequest("GET", p, nil)
		req.Header.Set("Accept-Encoding", "br")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || rec.Header().Get("Content-Encoding") != "br" {
			t.Fatalf("GET %s: %d, Content-Encoding %q", p, rec.Code, rec.Header().Get("Content-Encoding"))
		}
		return rec.Body.Bytes()
	}
	first := get(handleStatic(files, slog.New(slog.DiscardHandler)), "/static/css/app.css")
	n := count()
	second := get(handleStatic(files, slog.New(slog.DiscardHandler)), "/static/css/app.css")
	if count() != n || !bytes.Equal(first, second) {
		t.Fatalf("a second server: %d compressed entries (was %d), same bytes %v; want it to reuse the first's", count(), n, bytes.Equal(first, second))
	}
	other := fstest.MapFS{"css/app.css": {Data: []byte("body { color: red }")}}
	get(handleStatic(other, slog.New(slog.DiscardHandler)), "/static/css/app.css")
	if count() != n+1 {
		t.Fatalf("a file of other content: %d compressed entries, want %d", count(), n+1)
	}
}
