package web

import (
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestStaticHoldsModulesAndUPlot checks that the embedded FS holds every page module, the CSS and
// the vendored uPlot with its licence.
func TestStaticHoldsModulesAndUPlot(t *testing.T) {
	want := []string{
		"static/css/app.css",
		"static/js/home.js", "static/js/arch.js", "static/js/archsvg.js", "static/js/format.js",
		"static/js/session.js", "static/js/ws.js", "static/js/losschart.js", "static/js/scatter.js",
		"static/js/recon.js", "static/js/progress.js", "static/js/controls.js", "static/js/frame.js",
		"static/js/palette.js", "static/js/quant.js", "static/js/lossdata.js", "static/js/ticks.js",
		"static/js/thumbs.js", "static/js/upload.js",
		"static/vendor/uplot/uPlot.esm.js", "static/vendor/uplot/uPlot.min.css",
		"static/vendor/uplot/LICENSE", "static/vendor/uplot/README.md",
	}
	for _, name := range want {
		b, err := fs.ReadFile(Static, name)
		if err != nil {
			t.Errorf("embedded FS lacks %s: %v", name, err)
			continue
		}
		if len(b) == 0 {
			t.Errorf("%s is empty", name)
		}
	}
	esm, err := fs.ReadFile(Static, "static/vendor/uplot/uPlot.esm.js")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(esm), "export { uPlot as default }") {
		t.Error("uPlot.esm.js is not the ES module build (no default export)")
	}
	readme, err := fs.ReadFile(Static, "static/vendor/uplot/README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`\d+\.\d+\.\d+`).Match(readme) {
		t.Error("vendor README does not name the uPlot version")
	}
}

var importRE = regexp.MustCompile(`(?m)^\s*import\s[^;]*?from\s+'([^']+)'`)

// TestModuleImportsResolve checks that every relative import of every module names a file that is
// embedded, so no page fails on a 404 for a module.
func TestModuleImportsResolve(t *testing.T) {
	mods, err := fs.Glob(Static, "static/js/*.js")
	if err != nil {
		t.Fatal(err)
	}
	if len(mods) < 10 {
		t.Fatalf("found only %d modules", len(mods))
	}
	for _, m := range mods {
		if strings.HasSuffix(m, ".test.js") {
			continue
		}
		src, err := fs.ReadFile(Static, m)
		if err != nil {
			t.Fatal(err)
		}
		for _, match := range importRE.FindAllStringSubmatch(string(src), -1) {
			spec := match[1]
			if !strings.HasPrefix(spec, ".") {
				t.Errorf("%s imports %q: only relative imports work without a build step", m, spec)
				continue
			}
			target := path.Join(path.Dir(m), spec)
			if _, err := fs.Stat(Static, target); err != nil {
				t.Errorf("%s imports %q, which is not embedded (%s)", m, spec, target)
			}
		}
	}
}

// TestJSUnitTests runs the node --test unit tests of the pure JavaScript helpers. Without node
// it skips, except under CI (CI set in the environment), where a missing node is a failure.
func TestJSUnitTests(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("node is not on PATH (apt-get install -y nodejs): under CI the JavaScript tests must run")
		}
		t.Skip("node is not on PATH (apt-get install -y nodejs)")
	}
	tests, err := filepath.Glob(filepath.Join("static", "js", "*.test.js"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tests) == 0 {
		t.Fatal("no *.test.js files found")
	}
	cmd := exec.Command(node, append([]string{"--test", "--test-reporter=tap"}, tests...)...)
	cmd.Env = append(os.Environ(), "NODE_OPTIONS=", "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test failed: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?m)^# pass [1-9]`).Match(out) || !regexp.MustCompile(`(?m)^# fail 0`).Match(out) {
		t.Fatalf("unexpected node --test output:\n%s", out)
	}
}
