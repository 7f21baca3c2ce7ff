package handlers

import (
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"

	"github.com/aelab/aelab/session"
)

// handleStatic serves the embedded front end under /static/. The files
// change only with the binary, so browsers may cache them briefly. Missing
// files and directories (no listings) get the readable 404 page.
func handleStatic(files fs.FS, log *slog.Logger) http.Handler {
	fsrv := http.StripPrefix("/static/", http.FileServerFS(files))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/static/")
		if st, err := fs.Stat(files, name); err != nil || st.IsDir() || !fs.ValidPath(name) {
			renderError(w, r, log, session.Errorf(session.ENotFound, "there is no file at %s", r.URL.Path))
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=300")
		fsrv.ServeHTTP(w, r)
	})
}
