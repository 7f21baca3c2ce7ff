package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// labWaitJS polls until the JavaScript expression js is true.
func labWaitJS(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !eval[bool](t, ctx, js) {
		if time.Now().After(deadline) {
			t.Fatalf("%s never happened (%s)", what, js)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// labWaitUpdates waits until the data-updates counter of a figure passes after.
func labWaitUpdates(t *testing.T, ctx context.Context, id string, after int) int {
	t.Helper()
	labWaitJS(t, ctx, id+" drawn more than "+fmt.Sprint(after)+" times",
		fmt.Sprintf(`Number(document.querySelector('[data-testid="%s"]')?.dataset.updates ?? 0) > %d`, id, after))
	return updates(t, ctx, id)
}

// labExceptions collects the page's uncaught exceptions; the returned
// function lists them so far.
func labExceptions(t *testing.T, ctx context.Context) func() []string {
	var mu sync.Mutex
	var errs []string
	cctx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	msgs := chromedp.Console(cctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleException || (m.Type == chromedp.ConsoleError && !strings.Contains(m.URL, "favicon")) {
				mu.Lock()
				errs = append(errs, m.Text+" "+m.URL)
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), errs...)
	}
}

// labStartFromHome opens a lab as a student would: its link on the home
// page, then its Start button, with a few form fields set first.
func labStartFromHome(t *testing.T, ctx context.Context, base, slug string, fields map[string]string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 720), chromedp.Navigate(base+"/"), chromedp.WaitVisible(testid("home-lab-"+slug))); err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, ctx, "home-lab-"+slug)
	if loc := eval[string](t, ctx, "location.pathname"); loc != "/labs/"+slug {
		t.Fatalf("the home page's link led to %s", loc)
	}
	for k, v := range fields {
		setField(t, ctx, k, v)
	}
	clickAndLoad(t, ctx, "lab-start")
	if q := eval[string](t, ctx, "location.search"); !strings.HasPrefix(q, "?s=") {
		t.Fatalf("Start led to %s%s", eval[string](t, ctx, "location.pathname"), q)
	}
}

// TestBrowserLabExplorer opens the latent explorer from the home page,
// starts it, and explores: the scatter and the manifold appear, clicking the
// map decodes the point under the pointer (while it trains, paused, and
// after), the pictures keep following the model after a reload, and the
// interpolation, sliders and variance bars fill in.
func TestBrowserLabExplorer(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	exceptions := labExceptions(t, ctx)
	labStartFromHome(t, ctx, base, "explorer", nil) // the ready-made training: long enough to pause

	labWaitUpdates(t, ctx, "latent-map", 0)
	labWaitUpdates(t, ctx, "manifold", 0)
	labWaitJS(t, ctx, "the manifold bounds", `document.querySelector('[data-testid="manifold-caption"]').textContent.includes('12 × 12')`)
	// Hovering a tile reads its code: the top-left tile is (lo₁, hi₂).
	eval[bool](t, ctx, `(() => { const c = document.querySelector('[data-testid="manifold"]'); c.scrollIntoView({block: "center"});
		const r = c.getBoundingClientRect();
		c.dispatchEvent(new PointerEvent('pointermove', {clientX: r.left + 64, clientY: r.top + 2, bubbles: true})); return true })()`)
	waitText(t, ctx, "manifold-hover", "the hovered tile's code", has("tile in row 1, column 1: code z = ("))

	// Click the middle of the map while it trains: the point is decoded.
	before := updates(t, ctx, "decoded")
	click(t, ctx, "map-overlay")
	labWaitUpdates(t, ctx, "decoded", before)
	waitText(t, ctx, "decoded-caption", "the decoded point", has("z = ("))

	// Paused (by its owner, through the API) and reloaded: the page keeps
	// refreshing its pictures from the model every few seconds.
	control := func(action string) {
		t.Helper()
		st, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`(async () => {
			const id = JSON.parse(document.getElementById('lab-boot').textContent).sessions[0].id;
			return (await fetch('/api/sessions/' + id + '/%s', {method: 'POST'})).status })()`, action), // the owner cookie goes along
			chromedp.EvalAwaitPromise))
		if err != nil || st != 204 {
			t.Fatalf("%s: HTTP %d, %v", action, st, err)
		}
	}
	control("pause")
	labWaitJS(t, ctx, "the paused state", `document.querySelector('.lab-status .badge').textContent === 'paused'`)
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	labWaitUpdates(t, ctx, "manifold", 1) // drawn, then redrawn by the periodic refresh
	labWaitUpdates(t, ctx, "variance-bars", 1)

	// Stopped, the model stops changing: a click in the middle and one near
	// the top left decode two points into two drawings.
	control("stop")
	labWaitJS(t, ctx, "the end of the training", `document.querySelector('.lab-status .badge').textContent === 'stopped'`)
	click(t, ctx, "map-overlay")
	labWaitJS(t, ctx, "the final model's drawing", `(() => {
		const step = document.querySelector('.lab-progress-text').textContent.match(/step ([\d,]+)\//)?.[1];
		return step !== undefined && document.querySelector('[data-testid="decoded-caption"]').textContent.endsWith('step ' + step);
	})()`)
	code := func() string { return strings.SplitN(text(t, ctx, "decoded-caption"), "·", 2)[0] }
	first := code()
	img1 := eval[string](t, ctx, `document.querySelector('[data-testid="decoded"]').toDataURL()`)
	x := eval[float64](t, ctx, `(() => { const r = document.querySelector('[data-testid="map-overlay"]').getBoundingClientRect(); return r.left + r.width * 0.25 })()`)
	y := eval[float64](t, ctx, `(() => { const r = document.querySelector('[data-testid="map-overlay"]').getBoundingClientRect(); return r.top + r.height * 0.2 })()`)
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(x, y)); err != nil {
		t.Fatal(err)
	}
	labWaitJS(t, ctx, "another decoded point", fmt.Sprintf(`!document.querySelector('[data-testid="decoded-caption"]').textContent.startsWith(%q)`, first))
	labWaitJS(t, ctx, "the decoded image to change",
		fmt.Sprintf(`document.querySelector('[data-testid="decoded"]').toDataURL() !== %q`, img1))

	// The other views fill in on their own.
	labWaitUpdates(t, ctx, "interpolation", 0)
	labWaitJS(t, ctx, "one slider per unit", `document.querySelectorAll('[data-testid="unit-sliders"] input[type=range]').length === 2`)
	labWaitUpdates(t, ctx, "slider-decoded", 0)
	waitText(t, ctx, "interp-caption", "the interpolation caption", has("straight line"))

	// Moving a slider decodes a new code.
	before = updates(t, ctx, "slider-decoded")
	eval[bool](t, ctx, `(() => { const s = document.querySelector('[data-testid="unit-sliders"] input[data-unit="1"]');
		s.value = String(Number(s.max)); s.dispatchEvent(new Event('input', {bubbles: true})); return true })()`)
	labWaitUpdates(t, ctx, "slider-decoded", before)

	if errs := exceptions(); len(errs) > 0 {
		t.Fatalf("the page threw: %v", errs)
	}
}
