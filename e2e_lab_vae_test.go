package main

import (
	"fmt"
	"regexp"
	"strconv"
	"testing"
)

// TestBrowserLabVAE opens the variational-autoencoder lab from the home
// page and starts it on a small subset: three columns, β = 0.1, 1 and 4,
// each with its new digits (drawn, then redrawn by newer weights), its
// manifold and its scatter of μ, and the reconstruction and KL parts of the
// test loss with their legend. When the three have trained, the KL part
// falls as β grows (the trade the lab is about), the figure fits a
// 1280×720 screen, and axe-core finds no serious accessibility problem.
func TestBrowserLabVAE(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	exceptions := labExceptions(t, ctx)
	labStartFromHome(t, ctx, base, "vae", map[string]string{"train_size": "2000"})
	if n := eval[int](t, ctx, `document.querySelectorAll('.lab-status').length`); n != 3 {
		t.Fatalf("%d sessions shown, want one per β", n)
	}
	for i, want := range []string{"β = 0.1", "β = 1", "β = 4"} {
		if got := text(t, ctx, fmt.Sprintf("vae-beta-%d", i)); got != want {
			t.Fatalf("column %d is headed %q, want %q", i, got, want)
		}
	}
	labWaitJS(t, ctx, "every column's legend of the loss parts", `[0, 1, 2].every((i) => { const l = document.querySelector('[data-testid="vae-parts-' + i + '"]')?.textContent || '';
		return l.includes('reconstruction') && l.includes('KL') && document.querySelectorAll('[data-testid="vae-parts-' + i + '"] .vae-swatch').length === 2 })`)
	labWaitJS(t, ctx, "the digits' legend", `document.querySelectorAll('[data-testid="vae-scatter-legend"] li').length === 10`)
	for i := range 3 {
		labWaitUpdates(t, ctx, fmt.Sprintf("vae-manifold-%d", i), 0)
		labWaitUpdates(t, ctx, fmt.Sprintf("vae-scatter-%d", i), 0)
		// Drawn, then drawn again by newer weights (while it trains, or the final ones).
		labWaitUpdates(t, ctx, fmt.Sprintf("vae-generated-%d", i), 1)
	}
	labWaitJS(t, ctx, "the three trainings to end", `[...document.querySelectorAll('.lab-status .badge')].every((b) => b.textContent.includes('completed'))`)

	parts := regexp.MustCompile(`reconstruction ([0-9.]+)\s*\+ KL ([0-9.]+)`)
	var kl [3]float64
	for i := range 3 {
		labWaitJS(t, ctx, "the loss parts after the last epoch", fmt.Sprintf(`document.querySelector('[data-testid="vae-parts-%d"]').dataset.epoch === '10'`, i))
		s := waitText(t, ctx, fmt.Sprintf("vae-parts-%d", i), "the final loss parts", func(s string) bool { return parts.MatchString(s) })
		m := parts.FindStringSubmatch(s)
		rec, _ := strconv.ParseFloat(m[1], 64)
		kl[i], _ = strconv.ParseFloat(m[2], 64)
		if !(rec > 50 && rec < 400 && kl[i] > 0 && kl[i] < 50) {
			t.Fatalf("column %d: %q", i, s)
		}
	}
	if !(kl[0] > kl[1] && kl[1] > kl[2]) {
		t.Fatalf("KL parts %v; want them to fall as β grows from 0.1 to 4", kl)
	}
	// Each new-digits grid, once final, draws something: bright strokes on black.
	for i := range 3 {
		lit := eval[int](t, ctx, fmt.Sprintf(`(() => { const c = document.querySelector('[data-testid="vae-generated-%d"]');
			const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
			for (let i = 0; i < d.length; i += 4) if (d[i] > 128) n++; return n })()`, i))
		if lit < 100 {
			t.Fatalf("column %d's new digits have %d bright pixels", i, lit)
		}
	}

	// The figure fits one 1280×720 screen.
	labScreenshot(t, ctx, "lab-vae")
	w := eval[float64](t, ctx, `document.querySelector('[data-testid="vae-lab"]').getBoundingClientRect().width`)
	h := eval[float64](t, ctx, `document.querySelector('[data-testid="vae-lab"]').getBoundingClientRect().height`)
	if w > 1280 || h > 720 || eval[int](t, ctx, `document.documentElement.scrollWidth`) > 1280 {
		t.Fatalf("the figure is %.0f×%.0f px (page %d px wide); want it on one 1280×720 screen", w, h, eval[int](t, ctx, `document.documentElement.scrollWidth`))
	}
	axeCheck(t, ctx, "VAE lab with its figure")
	if errs := exceptions(); len(errs) > 0 {
		t.Fatalf("the page threw: %v", errs)
	}
}
