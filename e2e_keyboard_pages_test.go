package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// hasStops fails unless every wanted stop is among the Tab stops.
func hasStops(t *testing.T, page string, stops []string, want ...string) {
	t.Helper()
	all := " " + strings.Join(stops, " ") + " "
	for _, w := range want {
		if !strings.Contains(all, " "+w+" ") {
			t.Fatalf("%s: Tab never reaches %s: %v", page, w, stops)
		}
	}
}

// TestBrowserKeyboardLabsCompareClass walks the labs index, a comparison
// and a class dashboard with the keyboard alone, at 1280×720: every Tab
// stop shows a focus ring and none traps the focus; the labs open with
// Enter; on the comparison the chart toggles switch with Space and every
// run's numbers are reachable (the table's run links and the CSV
// exports), P and Escape open and close the presenter view; on the
// dashboard the class is created from the keyboard, a run's tile is
// reached and opened with Enter, its compare box ticks with Space, Escape
// closes the lesson's summary and the presenter view, and the
// rate–distortion chart names its dots with the arrow keys and opens the
// run with Enter (it was hover-only).
func TestBrowserKeyboardLabsCompareClass(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	visit := func(path, ready string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 720), chromedp.Navigate(base+path), chromedp.WaitVisible(testid(ready))); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}

	// The labs index: each lab is a Tab stop, Enter opens it.
	visit("/labs", "labs-nav")
	stops := tabWalk(t, ctx, "labs index")
	hasStops(t, "labs index", stops, "lab-compression", "lab-anomaly", "lab-explorer", "lab-denoising")
	eval[bool](t, ctx, `(document.activeElement?.blur(), true)`)
	tabTo(t, ctx, "lab-explorer")
	actAndLoad(t, ctx, "Enter on a lab", func() error { _, err := chromedp.Run(ctx, chromedp.KeyEvent(kb.Enter)); return err })
	if p := eval[string](t, ctx, "location.pathname"); p != "/labs/explorer" {
		t.Fatalf("Enter on the explorer's link led to %s", p)
	}

	// A comparison of two ended runs.
	a := apiStart(t, base, `{"encoder":[32],"bottleneck":2,"train_size":600,"test_size":200,"epochs":2,"batch_size":32}`)
	b := apiStart(t, base, `{"encoder":[32],"bottleneck":8,"train_size":600,"test_size":200,"epochs":2,"batch_size":32}`)
	res, err := http.Post(base+"/api/comparisons", "application/json", strings.NewReader(`{"sessions":["`+a+`","`+b+`"]}`))
	if err != nil {
		t.Fatal(err)
	}
	var cmp struct{ URL string }
	_ = json.NewDecoder(res.Body).Decode(&cmp)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated || cmp.URL == "" {
		t.Fatalf("comparison: %d %q", res.StatusCode, cmp.URL)
	}
	visit(cmp.URL, "compare-title")
	waitFor(t, ctx, "both runs in the table", `document.querySelectorAll('[data-testid="compare-table"] tbody th a').length === 2`)
	stops = tabWalk(t, ctx, "comparison")
	hasStops(t, "comparison", stops, "compare-log-toggle", "compare-train-toggle", "rd-log-toggle", "export-table", "export-curves")
	links := 0
	for _, s := range stops {
		if strings.HasPrefix(s, "a:") {
			links++
		}
	}
	if links < 2 {
		t.Fatalf("comparison: the runs' links are not Tab stops: %v", stops)
	}
	eval[bool](t, ctx, `(document.activeElement?.blur(), true)`)
	tabTo(t, ctx, "rd-log-toggle")
	press(t, ctx, " ")
	if !eval[bool](t, ctx, `document.querySelector('[data-testid="rd-log-toggle"]').checked`) {
		t.Fatal("Space did not switch the width chart to a log scale")
	}
	eval[bool](t, ctx, `(document.activeElement?.blur(), true)`)
	tabTo(t, ctx, "compare-train-toggle")
	press(t, ctx, " ")
	if eval[bool](t, ctx, `document.querySelector('[data-testid="compare-train-toggle"]').checked`) {
		t.Fatal("Space did not hide the training loss")
	}
	// P opens the presenter view, Escape closes it.
	eval[bool](t, ctx, `(document.activeElement?.blur(), true)`)
	actAndLoad(t, ctx, "P", func() error { _, err := chromedp.Run(ctx, chromedp.KeyEvent("p")); return err })
	if q := eval[string](t, ctx, "location.search"); !strings.Contains(q, "present") {
		t.Fatalf("P on the comparison led to %q", q)
	}
	actAndLoad(t, ctx, "Escape", func() error { _, err := chromedp.Run(ctx, chromedp.KeyEvent(kb.Escape)); return err })
	if q := eval[string](t, ctx, "location.search"); strings.Contains(q, "present") {
		t.Fatalf("Escape left the comparison's presenter view on (%s)", q)
	}

	// A class, created from the keyboard.
	visit("/classes/new", "class-form")
	stops = tabWalk(t, ctx, "new class")
	hasStops(t, "new class", stops, "class-name", "use-preset", "create-class")
	eval[bool](t, ctx, `(document.activeElement?.blur(), true)`)
	tabTo(t, ctx, "class-name")
	press(t, ctx, "P", "3")
	tabTo(t, ctx, "use-preset")
	if !eval[bool](t, ctx, `document.activeElement.checked`) {
		press(t, ctx, " ")
	}
	tabTo(t, ctx, "create-class")
	actAndLoad(t, ctx, "Enter on Create", func() error { _, err := chromedp.Run(ctx, chromedp.KeyEvent(kb.Enter)); return err })
	waitFor(t, ctx, "the dashboard", `location.pathname.startsWith('/classes/') && !!document.querySelector('[data-testid="join-code"]')`)
	code := text(t, ctx, "join-code")
	// A student joins and trains (through the API).
	jb, _ := json.Marshal(map[string]string{"code": code, "name": "Ana"})
	res, err = http.Post(base+"/api/join", "application/json", bytes.NewReader(jb))
	if err != nil {
		t.Fatal(err)
	}
	var joined struct {
		StudentToken string `json:"student_token"`
	}
	_ = json.NewDecoder(res.Body).Decode(&joined)
	res.Body.Close()
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusCreated || joined.StudentToken == "" {
		t.Fatalf("join: %d", res.StatusCode)
	}
	classID := strings.TrimPrefix(eval[string](t, ctx, "location.pathname"), "/classes/")
	req, _ := http.NewRequest("POST", base+"/api/sessions", strings.NewReader(`{"class":"`+classID+`","encoder":[32],"bottleneck":2,"train_size":600,"test_size":200,"epochs":1,"batch_size":32}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+joined.StudentToken)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	rb := new(bytes.Buffer)
	_, _ = rb.ReadFrom(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("the student run: %d %q", res.StatusCode, rb.String())
	}
	waitFor(t, ctx, "the run's tile", `document.querySelectorAll('[data-testid="tile"]').length === 1`)
	stops = tabWalk(t, ctx, "class dashboard")
	hasStops(t, "class dashboard", stops, "btn-open-close", "csv-link", "present-link", "tile-student", "tile-pick", "tile-show", "rd-chart")

	// The presenter view: Enter on its link, Escape back.
	eval[bool](t, ctx, `(document.activeElement?.blur(), true)`)
	tabTo(t, ctx, "present-link")
	actAndLoad(t, ctx, "Enter on the presenter link", func() error { _, err := chromedp.Run(ctx, chromedp.KeyEvent(kb.Enter)); return err })
	if q := eval[string](t, ctx, "location.search"); !strings.Contains(q, "present") {
		t.Fatalf("the presenter link led to %q", q)
	}
	actAndLoad(t, ctx, "Escape", func() error { _, err := chromedp.Run(ctx, chromedp.KeyEvent(kb.Escape)); return err })
	if q := eval[string](t, ctx, "location.search"); strings.Contains(q, "present") {
		t.Fatalf("Escape left the class's presenter view on (%s)", q)
	}
	waitFor(t, ctx, "the run's tile again", `document.querySelectorAll('[data-testid="tile"]').length === 1`)

	eval[bool](t, ctx, `(document.activeElement?.blur(), true)`)
	tabTo(t, ctx, "tile-pick")
	press(t, ctx, " ")
	if !eval[bool](t, ctx, `document.querySelector('[data-testid="tile-pick"]').checked`) {
		t.Fatal("Space did not tick the tile's compare box")
	}
	// The lesson's summary: Enter opens it, Escape closes it.
	eval[bool](t, ctx, `(document.activeElement?.blur(), true)`)
	for range 120 {
		press(t, ctx, kb.Tab)
		if eval[bool](t, ctx, `document.activeElement?.tagName === 'SUMMARY' && document.activeElement.parentElement.dataset.testid === 'lesson-summary'`) {
			break
		}
	}
	press(t, ctx, kb.Enter)
	if !eval[bool](t, ctx, `document.querySelector('[data-testid="lesson-summary"]').open`) {
		t.Fatal("Enter on the lesson's summary did not open it")
	}
	press(t, ctx, kb.Escape)
	if eval[bool](t, ctx, `document.querySelector('[data-testid="lesson-summary"]').open`) {
		t.Fatal("Escape left the lesson's summary open")
	}
	dashboard := eval[string](t, ctx, "location.pathname")
	eval[bool](t, ctx, `(document.activeElement?.blur(), true)`)
	tabTo(t, ctx, "tile-student")
	run := eval[string](t, ctx, `document.activeElement.getAttribute('href')`)
	actAndLoad(t, ctx, "Enter on the tile's name", func() error { _, err := chromedp.Run(ctx, chromedp.KeyEvent(kb.Enter)); return err })
	if p := eval[string](t, ctx, "location.pathname"); p != run {
		t.Fatalf("Enter on the tile's name led to %s, want %s", p, run)
	}

	// The rate–distortion chart: Tab reaches it, the arrows name its dots,
	// Enter opens the run.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+dashboard), chromedp.WaitVisible(testid("rd-chart"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the run's dot", `Number(document.querySelector('[data-testid="rd-chart"]').dataset.points) === 1`)
	eval[bool](t, ctx, `(document.activeElement?.blur(), window.scrollTo(0, 0), true)`)
	tabTo(t, ctx, "rd-chart")
	if w := eval[float64](t, ctx, focusRingJS); w < 2 {
		t.Fatalf("the focused rate–distortion chart shows no focus ring (outline %.1f px)", w)
	}
	press(t, ctx, kb.ArrowRight)
	waitText(t, ctx, "rd-hover", "the dot named", has("run 1 of 1, ana: m = 2, test loss"))
	axeCheck(t, ctx, "class dashboard with a dot chosen by keyboard")
	actAndLoad(t, ctx, "Enter on the chart's dot", func() error { _, err := chromedp.Run(ctx, chromedp.KeyEvent(kb.Enter)); return err })
	if p := eval[string](t, ctx, "location.pathname"); p != run {
		t.Fatalf("Enter on the chart's dot led to %s, want %s", p, run)
	}
}
