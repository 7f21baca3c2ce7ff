package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserLabExplorerReplay trains the latent explorer to its end (1,000
// examples: 16 steps an epoch, 20 epochs), then scrubs its replay with the
// keyboard: at the first keyframe (step 0) the manifold is drawn from the
// kept weights nearest that moment, the end of the first epoch, and says
// so; it differs from the final manifold; End and Live bring the final
// weights back. Then its manifold is used with the keyboard alone.
func TestBrowserLabExplorerReplay(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	exceptions := labExceptions(t, ctx)
	labStartFromHome(t, ctx, base, "explorer", map[string]string{"train_size": "1000"})
	labWaitJS(t, ctx, "the end of the training", `document.querySelector('.lab-status .badge').textContent === 'completed'`)
	is := func(want string) func(string) bool { return func(s string) bool { return s == want } }
	waitText(t, ctx, "manifold-moment", "the final manifold", is("Manifold of the latest weights (step 320)"))
	labWaitJS(t, ctx, "the scrubber", `!document.querySelector('[data-testid="timeline"]').hidden`)
	manifold := func() string {
		return eval[string](t, ctx, `document.querySelector('[data-testid="manifold"]').toDataURL()`)
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

	scrubKey(kb.Home)
	waitText(t, ctx, "timeline-status", "the first keyframe", has("step 0 ·"))
	moment("Manifold at step 16 (epoch 1), the kept weights nearest step 0")
	labWaitJS(t, ctx, "the manifold to be redrawn from the weights of step 16",
		fmt.Sprintf(`document.querySelector('[data-testid="manifold"]').toDataURL() !== %q`, final))
	early := manifold()
	// Decoding on the map uses the same weights.
	click(t, ctx, "map-overlay")
	waitText(t, ctx, "decoded-caption", "the decoded point at the past weights", has("step 16 (epoch 1), the kept weights nearest step 0"))

	// Forward one keyframe at a time to the end of the first epoch: now the
	// weights are those of that very moment.
	for i := 0; i < 8 && !strings.Contains(text(t, ctx, "timeline-status"), "Step 16 ·"); i++ {
		scrubKey(kb.ArrowRight)
		labWaitJS(t, ctx, "the keyframe", `document.querySelector('[data-testid="timeline-status"]').textContent !== 'Live'`)
	}
	moment("Manifold at step 16 (epoch 1)")
	if got := manifold(); got != early {
		t.Fatal("the manifold at step 16 differs from the one shown for step 0, which uses the same kept weights")
	}

	scrubKey(kb.End)
	moment("Manifold at step 320 (epoch 20)")
	labWaitJS(t, ctx, "the final manifold back", fmt.Sprintf(`document.querySelector('[data-testid="manifold"]').toDataURL() === %q`, final))
	click(t, ctx, "timeline-live")
	moment("Manifold of the latest weights (step 320)")

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
