package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserLabExplorerReplay trains the latent explorer to its end (1,000
// examples: 16 steps an epoch, 20 epochs), then scrubs its replay with the
// keyboard: at step 0 the manifold is drawn from the untrained weights
// (kept in memory), at step 16 from the first epoch's (in the store), at
// step 20, which keeps none, from the nearest (step 16's), saying so, and
// decoding on the map uses them too; End and Live bring the final weights
// back. Then its manifold is used with the keyboard alone.
func TestBrowserLabExplorerReplay(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	exceptions := labExceptions(t, ctx)
	labStartFromHome(t, ctx, base, "explorer", map[string]string{"train_size": "1000"})
	labWaitJS(t, ctx, "the end of the training", `document.querySelector('.lab-status .badge').textContent === 'completed'`)
	is := func(want string) func(string) bool { return func(s string) bool { return s == want } }
	waitText(t, ctx, "manifold-moment", "the final manifold", is("Manifold of the latest weights (step 320)"))
	labWaitJS(t, ctx, "the scrubber", `!document.querySelector('[data-testid="timeline"]').hidden`)
	// manifold returns the drawing once it has settled (drawn on the next
	// animation frame after its answer, whose caption comes first).
	manifold := func() string {
		t.Helper()
		last := ""
		for range 50 {
			time.Sleep(150 * time.Millisecond)
			now := eval[string](t, ctx, `document.querySelector('[data-testid="manifold"]').toDataURL()`)
			if now == last {
				return now
			}
			last = now
		}
		t.Fatal("the manifold never stopped changing")
		return ""
	}
	final := manifold()
	scrubKey := func(key string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Focus(testid("timeline-slider")), chromedp.KeyEvent(key)); err != nil {
			t.Fatal(err)
		}
	}
	moment := func(want string) {
		t.Helper()
		waitText(t, ctx, "manifold-moment", fmt.Sprintf("the manifold at %q", want), is(want))
	}

	drawnAs := func(what, url string, same bool) {
		t.Helper()
		op := "!=="
		if same {
			op = "==="
		}
		labWaitJS(t, ctx, what, fmt.Sprintf(`document.querySelector('[data-testid="manifold"]').toDataURL() %s %q`, op, url))
	}
	to := func(status string) { // forward one keyframe at a time
		t.Helper()
		for i := 0; i < 12 && !strings.Contains(text(t, ctx, "timeline-status"), status); i++ {
			scrubKey(kb.ArrowRight)
			time.Sleep(100 * time.Millisecond)
		}
		waitText(t, ctx, "timeline-status", status, func(s string) bool { return strings.Contains(s, status) })
	}

	// Step 0: the untrained network's weights, kept in memory.
	scrubKey(kb.Home)
	waitText(t, ctx, "timeline-status", "the first keyframe", has("step 0 ·"))
	moment("Manifold at step 0 (epoch 0)")
	drawnAs("the manifold redrawn from the untrained weights", final, false)
	untrained := manifold()

	// The end of the first epoch: the store's weights of that moment.
	to("Step 16 ·")
	moment("Manifold at step 16 (epoch 1)")
	drawnAs("the manifold redrawn from the weights of step 16", untrained, false)
	epoch1 := manifold()

	// Step 20 keeps no weights: the nearest, step 16's, are used and said.
	to("Step 20 ·")
	moment("Manifold at step 16 (epoch 1), the kept weights nearest step 20")
	drawnAs("the manifold of step 16 again", epoch1, true)

	scrubKey(kb.End)
	moment("Manifold at step 320 (epoch 20)")
	labWaitJS(t, ctx, "the final manifold back", fmt.Sprintf(`document.querySelector('[data-testid="manifold"]').toDataURL() === %q`, final))
	click(t, ctx, "timeline-live")
	moment("Manifold of the latest weights (step 320)")

	// Decoding on the map uses the weights of the moment shown too (done
	// last: the decoded point frames a tile of the manifold).
	scrubKey(kb.Home)
	moment("Manifold at step 0 (epoch 0)")
	click(t, ctx, "map-overlay")
	waitText(t, ctx, "decoded-caption", "the decoded point at the untrained weights", func(s string) bool { return strings.HasSuffix(s, "· step 0 (epoch 0)") })
	to("Step 20 ·")
	waitText(t, ctx, "decoded-caption", "the decoded point at step 20's nearest weights", has("step 16 (epoch 1), the kept weights nearest step 20"))

	// The manifold's tiles by keyboard: Tab reaches the grid (with a focus
	// ring), the arrows move from tile to tile and read its code aloud
	// (a polite live region), Enter decodes that code.
	eval[bool](t, ctx, `(document.activeElement?.blur(), window.scrollTo(0, 0), true)`)
	tabTo(t, ctx, "manifold")
	if w := eval[float64](t, ctx, focusRingJS); w < 2 {
		t.Fatalf("the focused manifold shows no focus ring (outline %.1f px)", w)
	}
	press(t, ctx, kb.ArrowRight, kb.ArrowRight, kb.ArrowDown)
	said := waitText(t, ctx, "manifold-hover", "the tile's code", has("tile in row 2, column 2: code z = ("))
	if live := eval[string](t, ctx, `document.querySelector('[data-testid="manifold-hover"]').getAttribute('aria-live')`); live != "polite" {
		t.Fatalf("the tile's code is said in a live region %q, want polite", live)
	}
	code := strings.TrimSuffix(strings.SplitN(said, "code z = ", 2)[1], ". Enter decodes it.")
	press(t, ctx, kb.Enter)
	waitText(t, ctx, "decoded-caption", "the tile decoded", func(s string) bool { return strings.HasPrefix(s, "z = "+code+" · ") })
	press(t, ctx, kb.Escape)
	waitText(t, ctx, "manifold-hover", "the choice cleared", has("selection cleared"))
	axeCheck(t, ctx, "latent explorer with its replay")

	if errs := exceptions(); len(errs) > 0 {
		t.Fatalf("the page threw: %v", errs)
	}
}
