package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// focusedJS describes the focused element: its data-testid (or name, id,
// tag), or "body".
const focusedJS = `(() => { const a = document.activeElement;
	if (!a || a === document.body || a === document.documentElement) return 'body';
	return a.dataset.testid || a.getAttribute('name') || a.id || a.tagName.toLowerCase() + (a.textContent ? ':' + a.textContent.trim().slice(0, 30) : '') })()`

// focusRingJS measures the focused element's focus ring in CSS pixels: the
// outline width (on the dataset card for its hidden radio button), 0 when
// none shows.
const focusRingJS = `(() => { let a = document.activeElement;
	if (!a || a === document.body) return 0;
	const card = a.closest('.dataset-card');
	if (card && a.type === 'radio') a = card;
	const cs = getComputedStyle(a);
	return cs.outlineStyle === 'none' ? 0 : parseFloat(cs.outlineWidth) })()`

// press sends keys to the focused element as a keyboard would.
func press(t *testing.T, ctx context.Context, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if err := chromedp.Do(ctx, chromedp.KeyEvent(k)); err != nil {
			t.Fatalf("key %q: %v", k, err)
		}
	}
}

// tabTo presses Tab until the element named id has the focus (at most
// 120 presses), as a keyboard user reaches it.
func tabTo(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	var seen []string
	for range 120 {
		press(t, ctx, kb.Tab)
		f := eval[string](t, ctx, focusedJS)
		if f == id {
			return
		}
		seen = append(seen, f)
	}
	t.Fatalf("Tab never reached %s; it went through %v", id, seen)
}

// tabWalk presses Tab from the top of the page until the focus comes back
// to the page (or to where it started), checking that every stop shows a
// focus ring at least 2 px wide and that the focus moves at each press (no
// trap). It returns the stops in order.
func tabWalk(t *testing.T, ctx context.Context, page string) []string {
	t.Helper()
	eval[bool](t, ctx, `(document.activeElement?.blur(), window.scrollTo(0, 0), true)`)
	var stops []string
	prevPath := ""
	for range 200 {
		press(t, ctx, kb.Tab)
		f := eval[string](t, ctx, focusedJS)
		if f == "body" || (len(stops) > 0 && f == stops[0]) {
			if len(stops) < 3 {
				t.Fatalf("%s: the Tab order has only %v", page, stops)
			}
			t.Logf("%s: %d Tab stops, each with a focus ring: %v", page, len(stops), stops)
			return stops
		}
		// The same element focused twice in a row is a trap.
		path := eval[string](t, ctx, `(() => { const p = []; for (let e = document.activeElement; e && e !== document.body; e = e.parentElement) p.push(e.tagName + [...(e.parentElement?.children || [])].indexOf(e)); return p.join('<') })()`)
		if path == prevPath {
			t.Fatalf("%s: the focus stays on %s after Tab (a trap); stops so far %v", page, f, stops)
		}
		prevPath = path
		if w := eval[float64](t, ctx, focusRingJS); w < 2 {
			t.Fatalf("%s: %s has the focus but shows no focus ring (outline %.1f px); stops so far %v", page, f, w, stops)
		}
		stops = append(stops, f)
	}
	t.Fatalf("%s: 200 presses of Tab never came back to the page: %v", page, stops)
	return nil
}

// TestBrowserKeyboardHomeAndSession uses the home page and a run's page with
// the keyboard alone, at 1280×720: every Tab stop shows a focus ring and
// none traps the focus; Escape closes the advanced options and the
// presenter view; Train, Pause, Step, the drill-down by number, Resume and
// Stop all work from the keyboard.
func TestBrowserKeyboardHomeAndSession(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 720), chromedp.Navigate(base+"/"), chromedp.WaitVisible(testid("train-button"))); err != nil {
		t.Fatal(err)
	}
	stops := tabWalk(t, ctx, "home page")
	for _, want := range []string{"train-button", "dataset"} {
		if !strings.Contains(strings.Join(stops, " "), want) {
			t.Fatalf("home page: Tab never reaches %s: %v", want, stops)
		}
	}

	// The advanced options: open with Enter on their summary, Escape from a
	// field inside closes them and gives the focus back to the summary.
	eval[bool](t, ctx, `(document.querySelector('[data-testid="advanced"]').open = false, document.activeElement?.blur(), true)`)
	for range 120 {
		press(t, ctx, kb.Tab)
		if eval[bool](t, ctx, `document.activeElement?.tagName === 'SUMMARY' && document.activeElement.parentElement.dataset.testid === 'advanced'`) {
			break
		}
	}
	press(t, ctx, kb.Enter)
	if !eval[bool](t, ctx, `document.querySelector('[data-testid="advanced"]').open`) {
		t.Fatal("Enter on the summary did not open the advanced options")
	}
	press(t, ctx, kb.Tab)
	if !eval[bool](t, ctx, `document.querySelector('[data-testid="advanced"]').contains(document.activeElement) && document.activeElement.tagName !== 'SUMMARY'`) {
		t.Fatalf("Tab from the open summary went to %s, not into the options", eval[string](t, ctx, focusedJS))
	}
	press(t, ctx, kb.Escape)
	if !eval[bool](t, ctx, `!document.querySelector('[data-testid="advanced"]').open && document.activeElement.tagName === 'SUMMARY'`) {
		t.Fatalf("Escape left the options open or the focus on %s", eval[string](t, ctx, focusedJS))
	}

	// A long enough run, started with Enter on Train.
	for name, v := range map[string]string{"encoder": "32", "bottleneck": "2", "epochs": "30", "train_size": "60000", "batch_size": "32"} {
		setField(t, ctx, name, v)
	}
	eval[bool](t, ctx, `(document.activeElement?.blur(), true)`)
	tabTo(t, ctx, "train-button")
	actAndLoad(t, ctx, "Enter on Train", func() error { _, err := chromedp.Run(ctx, chromedp.KeyEvent(kb.Enter)); return err })
	waitText(t, ctx, "state", "running", has("running"))
	waitFor(t, ctx, "the scrubber", `!document.querySelector('[data-testid="timeline"]').hidden`)
	stops = tabWalk(t, ctx, "session page")
	for _, want := range []string{"btn-pause", "btn-stop", "set-lr", "timeline-slider", "timeline-play", "drill-index"} {
		if !strings.Contains(" "+strings.Join(stops, " ")+" ", " "+want+" ") {
			t.Fatalf("session page: Tab never reaches %s: %v", want, stops)
		}
	}

	// Pause, step two batches, drill into example 7, resume.
	eval[bool](t, ctx, `(document.activeElement?.blur(), true)`)
	tabTo(t, ctx, "btn-pause")
	press(t, ctx, kb.Enter)
	waitText(t, ctx, "state", "paused", has("paused"))
	waitFor(t, ctx, "the step form", `document.querySelector('[data-testid="step-form"]').offsetParent !== null`)
	eval[bool](t, ctx, `(document.activeElement?.blur(), true)`)
	tabTo(t, ctx, "step-batches")
	press(t, ctx, kb.End) // the cursor after the value
	press(t, ctx, kb.Backspace, kb.Backspace, kb.Backspace, kb.Backspace, "2", kb.Enter)
	waitText(t, ctx, "live-status", "the step done", has("trained 2 batches"))
	eval[bool](t, ctx, `(document.activeElement?.blur(), true)`)
	tabTo(t, ctx, "drill-index")
	press(t, ctx, "7", kb.Enter)
	waitText(t, ctx, "drill-text", "example 7 drilled into by number", has("test example 7"))
	eval[bool](t, ctx, `(document.activeElement?.blur(), true)`)
	tabTo(t, ctx, "btn-resume")
	press(t, ctx, kb.Enter)
	waitText(t, ctx, "state", "running again", has("running"))

	// P opens the presenter view, Escape closes it.
	eval[bool](t, ctx, `(document.activeElement?.blur(), true)`)
	actAndLoad(t, ctx, "P", func() error { _, err := chromedp.Run(ctx, chromedp.KeyEvent("p")); return err })
	if q := eval[string](t, ctx, "location.search"); !strings.Contains(q, "present") {
		t.Fatalf("P led to %s", q)
	}
	actAndLoad(t, ctx, "Escape", func() error { _, err := chromedp.Run(ctx, chromedp.KeyEvent(kb.Escape)); return err })
	if q := eval[string](t, ctx, "location.search"); strings.Contains(q, "present") {
		t.Fatalf("Escape left the presenter view on (%s)", q)
	}

	waitText(t, ctx, "state", "running", has("running"))
	tabTo(t, ctx, "btn-stop")
	press(t, ctx, kb.Enter)
	waitText(t, ctx, "state", "stopped", has("stopped"))
}

// TestBrowserKeyboardAnomalyCharts drills into the anomaly lab's histogram
// and ROC curve with the keyboard alone: Tab reaches each chart, which shows
// a focus ring; the arrow keys and End choose a bar or a point, said in a
// polite live region; Enter shows the examples behind it; Escape clears the
// choice.
func TestBrowserKeyboardAnomalyCharts(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	openLabFromHome(t, ctx, base, "anomaly")
	setField(t, ctx, "anomaly", "0")
	setField(t, ctx, "train_size", "1500")
	clickAndLoad(t, ctx, "lab-start")
	waitDrawnTimes(t, ctx, "score-histogram", 1)
	waitDrawnTimes(t, ctx, "roc-chart", 1)
	waitText(t, ctx, "auc", "an AUC", aucRE.MatchString)

	eval[bool](t, ctx, `(document.activeElement?.blur(), window.scrollTo(0, 0), true)`)
	tabTo(t, ctx, "score-histogram")
	if w := eval[float64](t, ctx, focusRingJS); w < 2 {
		t.Fatalf("the focused histogram shows no focus ring (outline %.1f px)", w)
	}
	press(t, ctx, kb.End)
	says := waitText(t, ctx, "histogram-keys", "the last bar said", has("bar 32 of 32"))
	if !strings.Contains(says, "and above") || eval[string](t, ctx, `document.querySelector('[data-testid="score-histogram"]').dataset.selected`) != "31" {
		t.Fatalf("after End: %q", says)
	}
	before := updates(t, ctx, "bin-examples")
	press(t, ctx, kb.Enter)
	waitText(t, ctx, "bin-caption", "the examples behind the last bar", has("shown, "))
	labWaitUpdates(t, ctx, "bin-examples", before)
	press(t, ctx, kb.ArrowLeft)
	waitText(t, ctx, "histogram-keys", "the bar before said", has("bar 31 of 32"))
	press(t, ctx, kb.Escape)
	waitText(t, ctx, "histogram-keys", "the choice cleared", has("selection cleared"))

	tabTo(t, ctx, "roc-chart")
	if w := eval[float64](t, ctx, focusRingJS); w < 2 {
		t.Fatalf("the focused ROC curve shows no focus ring (outline %.1f px)", w)
	}
	press(t, ctx, kb.Home, kb.ArrowRight)
	waitText(t, ctx, "roc-keys", "the second point said", func(s string) bool {
		return strings.HasPrefix(s, "Point 2 of ") && strings.Contains(s, "% of anomalies caught")
	})
	press(t, ctx, kb.Enter)
	waitText(t, ctx, "bin-caption", "the point's mistakes", func(s string) bool {
		return strings.HasPrefix(s, "At threshold ") && (strings.Contains(s, "anomalies missed") || strings.Contains(s, "no mistakes"))
	})
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="bin-examples"]').closest('section').dataset.shows`); got != "roc-point" {
		t.Fatalf("the examples panel shows %q, want the ROC point's", got)
	}
	axeCheck(t, ctx, "anomaly lab with a chart selected by keyboard")
}
