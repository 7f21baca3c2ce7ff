package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp/kb"
)

// cursorRE is what the map's live line says of the example under the
// keyboard cursor.
var cursorRE = regexp.MustCompile(`^Example (\d+) \(.+\) at \(.+\): Enter picks it as ([AB])`)

// TestBrowserKeyboardExplorerPick picks the latent explorer's two examples
// to interpolate with the keyboard alone: Tab reaches the Pick A button and
// the map, each with a focus ring; on the map the arrow keys move a cursor
// from example to example, said in a polite live region; Enter picks it as
// A (then the mode is B), the arrows move on, Enter picks B, and the
// interpolation between the two is drawn; the key A picks the example
// under the cursor as A directly.
func TestBrowserKeyboardExplorerPick(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	labStartFromHome(t, ctx, base, "explorer", map[string]string{"train_size": "1000"})
	labWaitUpdates(t, ctx, "latent-map", 0)
	if live := eval[string](t, ctx, `document.querySelector('[data-testid="map-cursor"]').getAttribute('aria-live')`); live != "polite" {
		t.Fatalf("the map's cursor line is not a polite live region (aria-live %q)", live)
	}

	eval[bool](t, ctx, `(document.activeElement?.blur(), window.scrollTo(0, 0), true)`)
	tabTo(t, ctx, "mode-a")
	if w := eval[float64](t, ctx, focusRingJS); w < 2 {
		t.Fatalf("the focused Pick A button shows no focus ring (outline %.1f px)", w)
	}
	press(t, ctx, kb.Enter)
	if eval[string](t, ctx, `document.querySelector('[data-testid="mode-a"]').getAttribute('aria-pressed')`) != "true" {
		t.Fatal("Enter on Pick A did not choose that mode")
	}
	tabTo(t, ctx, "map-overlay")
	if w := eval[float64](t, ctx, focusRingJS); w < 2 {
		t.Fatalf("the focused map shows no focus ring (outline %.1f px)", w)
	}

	// The first arrow puts the cursor on an example; the next ones move it.
	press(t, ctx, kb.ArrowRight)
	first := waitText(t, ctx, "map-cursor", "the cursor's example said", cursorRE.MatchString)
	m := cursorRE.FindStringSubmatch(first)
	if m[2] != "A" {
		t.Fatalf("in Pick A mode the cursor says %q", first)
	}
	var a string
	for range 6 { // to the right until the example changes (or none is further right)
		press(t, ctx, kb.ArrowRight)
		now := cursorRE.FindStringSubmatch(text(t, ctx, "map-cursor"))
		if now != nil && now[1] != m[1] {
			break
		}
	}
	a = cursorRE.FindStringSubmatch(waitText(t, ctx, "map-cursor", "the cursor moved", cursorRE.MatchString))[1]
	press(t, ctx, kb.Enter)
	waitText(t, ctx, "map-cursor", "A picked", has("picked as a"))
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="interp-from"]').value`); got != a {
		t.Fatalf("Enter on example %s set A to %q", a, got)
	}
	if eval[string](t, ctx, `document.querySelector('[data-testid="mode-b"]').getAttribute('aria-pressed')`) != "true" {
		t.Fatal("after picking A the mode is not Pick B")
	}
	if f := eval[string](t, ctx, focusedJS); f != "map-overlay" {
		t.Fatalf("picking moved the focus to %s", f)
	}

	// Down (then left if down leads nowhere) to another example, Enter picks B.
	var b string
	for _, k := range []string{kb.ArrowDown, kb.ArrowDown, kb.ArrowLeft, kb.ArrowUp, kb.ArrowUp, kb.ArrowUp} {
		press(t, ctx, k)
		if m := cursorRE.FindStringSubmatch(text(t, ctx, "map-cursor")); m != nil && m[1] != a {
			if m[2] != "B" {
				t.Fatalf("in Pick B mode the cursor says %q", m[0])
			}
			b = m[1]
			break
		}
	}
	if b == "" {
		t.Fatalf("the arrows never moved the cursor off example %s: %q", a, text(t, ctx, "map-cursor"))
	}
	before := updates(t, ctx, "interpolation")
	press(t, ctx, kb.Enter)
	waitText(t, ctx, "map-cursor", "B picked", has("picked as b"))
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="interp-to"]').value`); got != b {
		t.Fatalf("Enter on example %s set B to %q", b, got)
	}
	labWaitUpdates(t, ctx, "interpolation", before)
	waitText(t, ctx, "interp-caption", "the interpolation's caption", func(s string) bool { return strings.TrimSpace(s) != "" })

	// The key A picks the example under the cursor as A, whatever the mode.
	press(t, ctx, "a")
	waitText(t, ctx, "map-cursor", "A picked by its key", has("picked as a"))
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="interp-from"]').value`); got != b {
		t.Fatalf("the key A on example %s set A to %q", b, got)
	}
	axeCheck(t, ctx, "latent explorer picking by keyboard")
}
