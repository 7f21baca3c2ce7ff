// Package web holds the browser side of aelab: the static assets (ES modules, CSS and the vendored
// uPlot) embedded into the binary, and, in the templates sub-package, the templ views.
//
// There is no build step: the browser loads static/js/*.js as ES modules. The pure helpers among
// them have node --test unit tests beside them (static/js/*.test.js, run by TestJSUnitTests when
// node is installed); web/package.json only tells node that these files are ES modules.
package web

import "embed"

// Static holds the files under web/static (JavaScript modules, CSS, vendored uPlot), embedded at
// build time. Its paths start with "static/"; the handlers serve it at the URL prefix /static/, so
// pages refer to /static/js/home.js, /static/css/app.css and so on.
//
//go:embed static
var Static embed.FS
