package handlers

import (
	"io/fs"
	"net/http"
)

// handleStatic serves the embedded front end under /static/. The files
// change only with the binary, so browsers may cache them briefly.
func handleStatic(files fs.FS) http.Handler {
	fsrv := http.StripPrefix("/static/", http.FileServerFS(files))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/static/" || r.URL.Path[len(r.URL.Path)-1] == '/' {
			http.NotFound(w, r) // no directory listings
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=300")
		fsrv.ServeHTTP(w, r)
	})
}
