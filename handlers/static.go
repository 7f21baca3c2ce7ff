package handlers

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"

	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web"
)

// Cache lifetimes of the front end: a versioned URL (/static/v-<content
// hash>/…, what the pages use) never changes its bytes; a plain one
// (/static/js/home.js, for old pages and hand-written links) may change with
// the binary.
const (
	cacheImmutable = "public, max-age=31536000, immutable"
	cacheShort     = "public, max-age=300"
)

// handleStatic serves the embedded front end under /static/ and
// /static/v-<version>/. Text files (JS, CSS, SVG, JSON) go out compressed
// with brotli or gzip, whichever the browser takes, each file compressed
// once at its best level and kept (the set is fixed and small). Missing
// files and directories (no listings) get the readable 404 page.
func handleStatic(files fs.FS, log *slog.Logger) http.Handler {
	fsrv := http.FileServerFS(files)
	var cache sync.Map // name → *encodedFile
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/static/")
		cacheControl := cacheShort
		if v, rest, ok := strings.Cut(name, "/"); ok && strings.HasPrefix(v, "v-") {
			name = rest
			if v == "v-"+web.Version() {
				cacheControl = cacheImmutable
			}
		}
		if st, err := fs.Stat(files, name); err != nil || st.IsDir() || !fs.ValidPath(name) {
			renderError(w, r, log, session.Errorf(session.ENotFound, "there is no file at %s", r.URL.Path))
			return
		}
		w.Header().Set("Cache-Control", cacheControl)
		w.Header().Add("Vary", "Accept-Encoding")
		if enc := pickEncoding(r.Header.Get("Accept-Encoding")); enc != "" && compressible(name) {
			e, _ := cache.LoadOrStore(name, &encodedFile{})
			ef := e.(*encodedFile)
			if err := ef.load(files, name); err == nil {
				ef.serve(w, r, name, enc)
				return
			}
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + name
		fsrv.ServeHTTP(w, r2)
	})
}

// compressible reports whether a static file is text worth compressing.
func compressible(name string) bool {
	switch path.Ext(name) {
	case ".js", ".mjs", ".css", ".svg", ".json", ".txt", ".html", ".map":
		return true
	}
	return false
}

// pickEncoding chooses brotli, else gzip, from an Accept-Encoding header
// ("" for neither; a q=0 entry refuses it).
func pickEncoding(accept string) string {
	ok := map[string]bool{}
	for _, part := range strings.Split(accept, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := strings.TrimSpace(params)
		ok[strings.ToLower(strings.TrimSpace(name))] = !(q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000")
	}
	switch {
	case ok["br"]:
		return "br"
	case ok["gzip"]:
		return "gzip"
	}
	return ""
}

// encodedFile is one static file compressed both ways, done once.
type encodedFile struct {
	once     sync.Once
	err      error
	br, gz   []byte
	etag     string
	mimeType string
}

// compressedByContent keeps the compressed forms of every static file the
// process has served, keyed by the file's SHA-256: each server's handler
// compresses a file only if no server of the process has compressed the
// same bytes before. Production runs one server, so this changes nothing
// there; the tests start a server per test, and brotli's best level (pure
// Go, many times slower under the race detector) made every one of them
// compress the front end again, tens of CPU seconds per browser test. The
// front end is embedded and fixed, so the map holds one entry per file.
var compressedByContent sync.Map // [sha256.Size]byte → *compressedFile

// compressedFile is one content's brotli and gzip forms, made once.
type compressedFile struct {
	once   sync.Once
	err    error
	br, gz []byte
}

func (c *compressedFile) make(raw []byte) {
	c.once.Do(func() {
		var b bytes.Buffer
		bw := brotli.NewWriterLevel(&b, brotli.BestCompression)
		_, _ = bw.Write(raw)
		if c.err = bw.Close(); c.err != nil {
			return
		}
		c.br = bytes.Clone(b.Bytes())
		b.Reset()
		gw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		_, _ = gw.Write(raw)
		if c.err = gw.Close(); c.err != nil {
			return
		}
		c.gz = bytes.Clone(b.Bytes())
	})
}

func (f *encodedFile) load(files fs.FS, name string) error {
	f.once.Do(func() {
		var raw []byte
		if raw, f.err = fs.ReadFile(files, name); f.err != nil {
			return
		}
		sum := sha256.Sum256(raw)
		c, _ := compressedByContent.LoadOrStore(sum, &compressedFile{})
		cf := c.(*compressedFile)
		cf.make(raw)
		if f.err = cf.err; f.err != nil {
			return
		}
		f.br, f.gz = cf.br, cf.gz
		f.etag = hex.EncodeToString(sum[:8])
		f.mimeType = mime.TypeByExtension(path.Ext(name))
		if f.mimeType == "" {
			f.mimeType = "application/octet-stream"
		}
	})
	return f.err
}

func (f *encodedFile) serve(w http.ResponseWriter, r *http.Request, name, enc string) {
	body := f.gz
	if enc == "br" {
		body = f.br
	}
	etag := `"` + f.etag + "-" + enc + `"`
	h := w.Header()
	h.Set("ETag", etag)
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", f.mimeType)
	h.Set("Content-Encoding", enc)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}
