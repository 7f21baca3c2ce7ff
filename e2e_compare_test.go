package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// waitAttr polls until data-<attr> of the element with the test id is at
// least want, and returns it.
func waitAttr(t *testing.T, ctx context.Context, id, attr string, want int) int {
	t.Helper()
	js := fmt.Sprintf(`Number(document.querySelector('[data-testid="%s"]')?.dataset.%s ?? -1)`, id, attr)
	deadline := time.Now().Add(90 * time.Second)
	for {
		got := eval[int](t, ctx, js)
		if got >= want {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s data-%s stayed %d, want %d", id, attr, got, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestBrowserCompareSweep starts a 3-width sweep from the home page and
// watches the compare page fill in: three curves, three reconstruction rows,
// three rate–distortion points (and three PCA points), the table, the CSV
// export; then compares two finished sessions picked from the home page.
func TestBrowserCompareSweep(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(testid("compare-button"))); err != nil {
		t.Fatal(err)
	}
	if v := eval[string](t, ctx, `document.querySelector('[name="bottlenecks"]').value`); v != "2, 4, 8, 16, 32, 64" {
		t.Fatalf("default widths %q", v)
	}
	// A width the data cannot take: the message appears next to the field and nothing starts.
	setField(t, ctx, "bottlenecks", "2, 784")
	clickAndLoad(t, ctx, "compare-button")
	waitText(t, ctx, "error-bottlenecks", "the width error", has("width 784"))

	for name, v := range map[string]string{"encoder": "32", "train_size": "600", "epochs": "3", "batch_size": "20",
		"seed": "3", "bottlenecks": "2, 8, 32"} {
		setField(t, ctx, name, v)
	}
	// Enter in the widths field starts the sweep (not a single training with the form's default button).
	actAndLoad(t, ctx, "Enter in the widths field", func() error {
		return chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`[name="bottlenecks"]`), kb.Enter))
	})
	if loc := eval[string](t, ctx, "location.pathname"); !strings.HasPrefix(loc, "/compare/") {
		t.Fatalf("after Compare the browser is at %s", loc)
	}
	waitText(t, ctx, "compare-differs", "what differs", has("bottleneck: 2 vs 8 vs 32"))

	// Every view fills in, one curve / row / point per run.
	waitAttr(t, ctx, "compare-loss-chart", "series", 3)
	waitAttr(t, ctx, "compare-recon", "rows", 3)
	waitAttr(t, ctx, "rd-chart", "points", 3)
	waitAttr(t, ctx, "rd-chart", "pcaPoints", 3)
	waitAttr(t, ctx, "compare-latents", "plots", 3)
	if n := eval[int](t, ctx, `document.querySelectorAll('.latent-small[data-updates]:not([data-updates="0"])').length`); n != 3 {
		t.Errorf("%d latent plots drawn, want 3", n)
	}
	waitText(t, ctx, "compare-status", "all three completed", has("3 completed"))
	// The table: a test loss and a PCA figure in every row.
	cells := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid="compare-table"] tbody [data-col] .v')].map(e => e.textContent)`)
	if len(cells) != 9 {
		t.Fatalf("table cells %q", cells)
	}
	for i := 0; i < 9; i += 3 {
		if cells[i] == "–" || cells[i+1] == "–" {
			t.Errorf("row %d lacks a loss or PCA figure: %q", i/3, cells[i:i+3])
		}
	}
	// The export link downloads a CSV with a header and three rows.
	csv, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`fetch(document.querySelector('[data-testid="export-table"]').href).then(r => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(csv), "\n"); len(lines) != 4 || !strings.HasPrefix(lines[0], "session_id,label") {
		t.Fatalf("table.csv = %q", csv)
	}

	sweepURL := eval[string](t, ctx, "location.origin + location.pathname")

	// Pick two of the finished sessions on the home page and compare them.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(testid("compare-selected"))); err != nil {
		t.Fatal(err)
	}
	eval[bool](t, ctx, `(() => { const b = [...document.querySelectorAll('.pick-box')]; b[0].click(); b[1].click(); return true })()`)
	clickAndLoad(t, ctx, "compare-selected")
	waitText(t, ctx, "compare-differs", "what differs", has("bottleneck:"))
	waitAttr(t, ctx, "rd-chart", "points", 2)

	// The sweep's presenter view: one screen at 1280×720 and at 1920×1080.
	comparePresenterFits(t, ctx, sweepURL+"?present", 1280, 720)
	comparePresenterFits(t, ctx, sweepURL+"?present", 1920, 1080)
}

// comparePresenterFits opens the compare page's presenter view at w×h and
// checks that the label and the four views (loss, rate–distortion,
// reconstructions, latent plots) are wholly on screen at a readable size,
// that each chart's drawing was resized to its box, that every chart keeps
// its legend, and that nothing scrolls and no control, table or export shows.
func comparePresenterFits(t *testing.T, ctx context.Context, url string, w, h int) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(w), int64(h)), chromedp.Navigate(url),
		chromedp.WaitVisible(testid("present-label"))); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "present-label"); !strings.Contains(got, "bottleneck: 2 vs 8 vs 32") {
		t.Errorf("%d×%d: presenter label %q", w, h, got)
	}
	waitAttr(t, ctx, "compare-loss-chart", "series", 3)
	waitAttr(t, ctx, "compare-recon", "rows", 3)
	waitAttr(t, ctx, "rd-chart", "points", 3)
	waitAttr(t, ctx, "compare-latents", "plots", 3)
	time.Sleep(400 * time.Millisecond) // a resize settles in the next frame

	// Each view's box, wholly on screen and at least a fifth of the screen high and
	// 30% of it wide; each latent plot at least 120×100.
	box := `(el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom, r.width, r.height]; }`
	views := map[string][2]float64{
		`[data-testid="present-label"]`:      {0.5 * float64(w), 30},
		`[data-testid="compare-loss-chart"]`: {0.3 * float64(w), 0.2 * float64(h)},
		`[data-testid="rd-chart"]`:           {0.3 * float64(w), 0.2 * float64(h)},
		`[data-testid="compare-recon"]`:      {0.3 * float64(w), 0.2 * float64(h)},
		`[data-testid="compare-latents"]`:    {0.3 * float64(w), 0.2 * float64(h)},
		`.latent-small`:                      {120, 100},
	}
	for sel, min := range views {
		boxes := eval[[][]float64](t, ctx, fmt.Sprintf("[...document.querySelectorAll(%q)].map(%s)", sel, box))
		if len(boxes) == 0 {
			t.Errorf("%d×%d: no %s", w, h, sel)
		}
		for _, b := range boxes {
			if b[0] < 0 || b[1] < 0 || b[2] > float64(w)+0.5 || b[3] > float64(h)+0.5 || b[4] < min[0] || b[5] < min[1] {
				t.Errorf("%d×%d: %s at [left top right bottom width height] %.0f: not wholly on screen at least %.0f×%.0f", w, h, sel, b, min[0], min[1])
			}
		}
	}
	// The drawings follow their boxes: the canvases' backing stores match their CSS boxes and the
	// loss chart's plot fills its box without spilling out of it.
	fits := eval[[]string](t, ctx, `(() => {
		const bad = [], dpr = devicePixelRatio || 1;
		for (const c of document.querySelectorAll('[data-testid="rd-chart"], [data-testid="compare-recon"], .latent-small')) {
			if (Math.abs(c.width - Math.round(c.clientWidth * dpr)) > 1 || Math.abs(c.height - Math.round(c.clientHeight * dpr)) > 1)
				bad.push(c.className + ' drawn ' + c.width + '×' + c.height + ' in a box ' + c.clientWidth + '×' + c.clientHeight);
		}
		const box = document.querySelector('[data-testid="compare-loss-chart"]'), u = box.querySelector('.uplot');
		const b = box.getBoundingClientRect(), p = u ? u.getBoundingClientRect() : null;
		if (!p || p.bottom > b.bottom + 1 || p.right > b.right + 1 || p.height < b.height - 4)
			bad.push('loss chart ' + (p ? p.width + '×' + p.height : 'missing') + ' in a box ' + b.width + '×' + b.height);
		return bad;
	})()`)
	for _, f := range fits {
		t.Errorf("%d×%d: a chart is not drawn to its box: %s", w, h, f)
	}
	// A legend on every chart, visible and on screen.
	for _, sel := range []string{`[data-testid="run-legend"]`, `[data-testid="compare-loss-panel"] .key`, `[data-testid="rd-legend"]`,
		`[data-testid="compare-recon-panel"] .legend`, `[data-testid="compare-latent-legend"] li`} {
		if !eval[bool](t, ctx, fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e || e.offsetParent === null) return false; const r = e.getBoundingClientRect(); return r.height > 0 && r.bottom <= innerHeight && r.right <= innerWidth })()`, sel)) {
			t.Errorf("%d×%d: the legend %s is not visible on screen", w, h, sel)
		}
	}
	// Large type: the label and the panels' headings.
	if px := eval[float64](t, ctx, `parseFloat(getComputedStyle(document.querySelector('[data-testid="present-label"]')).fontSize)`); px < 32 {
		t.Errorf("%d×%d: the label's type is %.0f px", w, h, px)
	}
	if px := eval[float64](t, ctx, `Math.min(...[...document.querySelectorAll('.compare h2')].filter(e => e.offsetParent !== null).map(e => parseFloat(getComputedStyle(e).fontSize)))`); px < 22 {
		t.Errorf("%d×%d: a heading's type is %.0f px", w, h, px)
	}
	// No scrolling, no controls, no table, no exports.
	if eval[bool](t, ctx, `document.scrollingElement.scrollHeight > innerHeight + 1 || document.scrollingElement.scrollWidth > innerWidth + 1`) {
		t.Errorf("%d×%d: the presenter view scrolls: %s", w, h, eval[string](t, ctx, `document.scrollingElement.scrollWidth + "×" + document.scrollingElement.scrollHeight`))
	}
	if shown := eval[[]string](t, ctx, `[...document.querySelectorAll('input, button, select, textarea, a.button, [role=button], [data-testid="compare-table"], [data-testid="export-csv"]')].filter(e => e.offsetParent !== null && e.getClientRects().length > 0).map(e => e.outerHTML.slice(0, 100))`); len(shown) > 0 {
		t.Errorf("%d×%d: the presenter view shows controls or exports: %q", w, h, shown)
	}
}
