// Package web holds the browser side of aelab: the static assets (ES modules, CSS and the vendored
// uPlot) embedded into the binary, and, in the templates sub-package, the templ views.
//
// There is no build step: the browser loads static/js/*.js as ES modules. The pure helpers among
// them have node --test unit tests beside them (static/js/*.test.js, run by TestJSUnitTests when
// node is installed); web/package.json only tells node that these files are ES modules.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"strings"
	"sync"
)

// Static holds the files under web/static (JavaScript modules, CSS, vendored uPlot), embedded at
// build time. Its paths start with "static/"; the handlers serve it at the URL prefix /static/, so
// pages refer to /static/js/home.js, /static/css/app.css and so on.
//
//go:embed static
var Static embed.FS

// Version names the embedded front end by its content: the first 12 hex digits of a SHA-256 over
// every file's path and bytes. Pages load the assets under /static/v-<Version>/…, so browsers may
// keep them for a year: a new binary with other files has another Version, hence other URLs.
func Version() string {
	versionOnce.Do(func() {
		h := sha256.New()
		_ = fs.WalkDir(Static, "static", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := Static.ReadFile(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%s\x00%d\x00", p, len(b))
			h.Write(b)
			return nil
		})
		version = hex.EncodeToString(h.Sum(nil))[:12]
	})
	return version
}

var (
	versionOnce sync.Once
	version     string
)

// Asset is the versioned URL of a file under /static/: Asset("/static/css/app.css") is
// "/static/v-<Version>/css/app.css". Other paths are returned as they are.
func Asset(p string) string {
	rest, ok := strings.CutPrefix(p, "/static/")
	if !ok {
		return p
	}
	return "/static/v-" + Version() + "/" + rest
}
