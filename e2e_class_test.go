package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// pageWait polls js (a boolean expression) in ctx until it holds.
func pageWait(t *testing.T, ctx context.Context, what, js string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s (%s)", what, js)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestBrowserClass is a lesson in one room: a teacher creates a class with
// a preset (a generated data set, one epoch, the code width locked), three
// students in their own browsers join by code and train, and their tiles
// and dots appear on the teacher's dashboard; the presenter view of a run
// at 1280×720 shows loss, latent and reconstructions without scrolling.
func TestBrowserClass(t *testing.T) {
	root := browser(t)
	base, _ := startServer(t)
	if err := chromedp.Do(root, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	newBrowser := func() context.Context {
		ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		return ctx
	}
	teacher := newBrowser()
	if err := chromedp.Do(teacher, chromedp.Navigate(base+"/classes/new"), chromedp.WaitVisible(testid("class-form"))); err != nil {
		t.Fatal(err)
	}
	preset := map[string]string{"dataset": "blobs", "encoder": "16", "bottleneck": "2", "output_activation": "linear",
		"epochs": "1", "batch_size": "32", "train_size": "", "seed": "1"}
	js := `document.getElementById('class-name').value = 'Period 3';
		document.querySelector('[data-testid="use-preset"]').checked = true;
		document.querySelector('[data-testid="lock-bottleneck"]').checked = true;
		document.querySelector('[data-testid="hide-seed"]').checked = true;`
	for k, v := range preset {
		js += fmt.Sprintf("document.querySelector('[name=\"preset.%s\"]').value = %q;\n", k, v)
	}
	eval[bool](t, teacher, js+"true")
	clickAndLoad(t, teacher, "create-class")
	if p := eval[string](t, teacher, "location.pathname"); !strings.HasPrefix(p, "/classes/") {
		t.Fatalf("after creating the class the teacher is at %s (%s)", p, text(t, teacher, "form-error"))
	}

	code := text(t, teacher, "join-code")
	if len(code) != 7 || code[3] != '-' {
		t.Fatalf("join code %q", code)
	}
	pageWait(t, teacher, "the class stream", `document.querySelector('[data-testid="connection"]').dataset.status === 'live'`, 30*time.Second)

	var runs []string
	for _, name := range []string{"Ana", "Ben", "Chloé"} {
		s := newBrowser()
		if err := chromedp.Do(s, chromedp.Navigate(base+"/join"), chromedp.WaitVisible(testid("join-form"))); err != nil {
			t.Fatal(err)
		}
		eval[bool](t, s, fmt.Sprintf(`document.querySelector('[data-testid="join-code-input"]').value = %q;
			document.querySelector('[data-testid="join-name"]').value = %q; true`, strings.ToLower(code), name))
		clickAndLoad(t, s, "join-button")
		if got := text(t, s, "banner-student"); got != name {
			t.Fatalf("%s's form says the student is %q (at %s)", name, got, eval[string](t, s, "location.pathname"))
		}
		if eval[bool](t, s, `!!document.getElementById('f-seed')`) || !eval[bool](t, s, `document.getElementById('f-bottleneck').disabled`) {
			t.Errorf("%s's form must hide the seed and lock the bottleneck", name)
		}
		clickAndLoad(t, s, "train-button")
		// The start's redirect may still be committing when the click returns: give it a moment.
		p := eval[string](t, s, "location.pathname")
		for deadline := time.Now().Add(20 * time.Second); !strings.HasPrefix(p, "/sessions/") && time.Now().Before(deadline); {
			time.Sleep(100 * time.Millisecond)
			p = eval[string](t, s, "location.pathname")
		}
		if !strings.HasPrefix(p, "/sessions/") {
			t.Fatalf("%s's Train led to %s: %s\n%s", name, p, text(t, s, "form-error"), eval[string](t, s, `location.href + " nav=" + performance.getEntriesByType("navigation").map(e => e.name + " " + e.type).join(",") + " ref=" + document.referrer + " boot=" + (document.getElementById("session-boot")?.textContent ?? "").slice(0, 200)`))
		}
		runs = append(runs, strings.TrimPrefix(p, "/sessions/"))
	}

	// The dashboard: three tiles, completed, with pictures; three dots on the chart; the counters.
	pageWait(t, teacher, "three completed tiles",
		`document.querySelectorAll('[data-testid="tile"][data-state="completed"]').length === 3`, 2*time.Minute)
	pageWait(t, teacher, "three dots", `Number(document.querySelector('[data-testid="rd-chart"]').dataset.points) === 3`, 30*time.Second)
	for _, id := range runs {
		if !eval[bool](t, teacher, fmt.Sprintf(`!!document.querySelector('[data-testid="tile"][data-run=%q]')`, id)) {
			t.Errorf("no tile for run %s", id)
		}
	}
	names := eval[string](t, teacher, `[...document.querySelectorAll('[data-testid="tile-student"]')].map(e => e.textContent).sort().join(',')`)
	if names != "Ana,Ben,Chloé" {
		t.Errorf("tiles name %q", names)
	}
	if got := text(t, teacher, "count-students"); got != "3 students" {
		t.Errorf("counter %q", got)
	}
	if got := text(t, teacher, "rd-students"); !strings.Contains(got, "Ana") || !strings.Contains(got, "Chloé") {
		t.Errorf("the chart's legend names the students: %q", got)
	}

	// The presenter view of a run at 1280×720: the three panels on one screen.
	if err := chromedp.Do(teacher, chromedp.EmulateViewport(1280, 720),
		chromedp.Navigate(base+"/sessions/"+runs[0]+"?present"), chromedp.WaitVisible(testid("present-label"))); err != nil {
		t.Fatal(err)
	}
	if got := text(t, teacher, "present-label"); !strings.HasPrefix(got, "Ana · M = 2") {
		t.Errorf("presenter label %q", got)
	}
	pageWait(t, teacher, "the reconstructions", `Number(document.querySelector('[data-testid="recon-canvas"]').dataset.updates) > 0`, 30*time.Second)
	box := `(sel) => { const r = document.querySelector(sel).getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom, r.width, r.height]; }`
	for _, sel := range []string{`[data-testid="loss-chart"]`, `[data-testid="latent-canvas"]`, `[data-testid="recon-canvas"]`, `[data-testid="present-label"]`} {
		b := eval[[]float64](t, teacher, fmt.Sprintf("(%s)(%q)", box, sel))
		if b[0] < 0 || b[1] < 0 || b[2] > 1280 || b[3] > 720 || b[4] < 100 || b[5] < 40 {
			t.Errorf("%s at %v: not wholly on a 1280×720 screen", sel, b)
		}
	}
	if eval[bool](t, teacher, `document.scrollingElement.scrollHeight > innerHeight + 1 || !!document.querySelector('.present input:not([type=hidden]):not([hidden]), .present button:not([hidden])') && [...document.querySelectorAll('.present input, .present button')].some(e => e.offsetParent !== null)`) {
		t.Errorf("the presenter view scrolls or shows form controls: %s", eval[string](t, teacher, `"scrollHeight " + document.scrollingElement.scrollHeight + " of " + innerHeight + "; controls: " + [...document.querySelectorAll('.present input, .present button, .present select')].filter(e => e.offsetParent !== null).map(e => e.outerHTML.slice(0, 120)).join(" | ")`))
	}
	presenterChartsFill(t, teacher, 1280, 720)
	if err := chromedp.Do(teacher, chromedp.EmulateViewport(1920, 1080), chromedp.Reload(), chromedp.WaitVisible(testid("present-label"))); err != nil {
		t.Fatal(err)
	}
	presenterChartsFill(t, teacher, 1920, 1080)
}

// presenterChartsFill checks that the presenter view's loss chart and
// latent scatter are drawn wholly inside their boxes, that those boxes
// take what their panels leave (no empty band at a panel's foot), and that
// the page does not scroll.
func presenterChartsFill(t *testing.T, ctx context.Context, w, h int) {
	t.Helper()
	pageWait(t, ctx, fmt.Sprintf("the loss chart at %d×%d", w, h), `!!document.querySelector('[data-testid="loss-chart"] .uplot')`, 30*time.Second)
	time.Sleep(300 * time.Millisecond) // a resize settles in the next frame
	// For each chart: its box's bottom and height, how far what is drawn
	// reaches, and the empty band between the panel's last visible child
	// and the panel's own foot.
	js := `[['[data-testid="loss-chart"]', '[data-testid="loss-chart"] .uplot'], ['[data-testid="latent-canvas"]', '[data-testid="latent-canvas"]']].map(([box, drawn]) => {
		const b = document.querySelector(box), p = b.closest('.panel');
		const kids = [...p.children].filter((e) => e.offsetParent !== null && e.getBoundingClientRect().height > 0);
		const last = Math.max(...kids.map((e) => e.getBoundingClientRect().bottom));
		return [b.getBoundingClientRect().bottom, b.getBoundingClientRect().height, document.querySelector(drawn).getBoundingClientRect().bottom, p.getBoundingClientRect().bottom - last];
	})`
	for i, b := range eval[[][]float64](t, ctx, js) {
		name := []string{"loss chart", "latent scatter"}[i]
		box, height, drawn, empty := b[0], b[1], b[2], b[3]
		if drawn > box+1 {
			t.Errorf("%d×%d: the %s is drawn to %.0f px, below its box (%.0f px): its foot is cut off", w, h, name, drawn, box)
		}
		if empty > 24 || height < 60 {
			t.Errorf("%d×%d: the %s's box (%.0f px high) leaves %.0f px of its panel empty", w, h, name, height, empty)
		}
	}
	if eval[bool](t, ctx, `document.scrollingElement.scrollHeight > innerHeight + 1`) {
		t.Errorf("%d×%d: the presenter view scrolls", w, h)
	}
}
