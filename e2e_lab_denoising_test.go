package main

import (
	"strings"
	"testing"
)

// TestBrowserLabDenoising opens the denoising lab from the home page, starts
// it (with the plain autoencoder beside it) on a small subset, and sees the
// triplets and the PSNR chart update while it trains, then tries the trained
// model on another noise level with the slider.
func TestBrowserLabDenoising(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	exceptions := labExceptions(t, ctx)
	labStartFromHome(t, ctx, base, "denoising", map[string]string{"train_size": "1500", "noise": "gaussian", "level": "0.5"})
	if n := eval[int](t, ctx, `document.querySelectorAll('.lab-status').length`); n != 2 {
		t.Fatalf("%d sessions shown, want the denoiser and the plain autoencoder", n)
	}

	// Both figures change as the training goes on: the first drawing, then
	// at least one more from a later message.
	tri := labWaitUpdates(t, ctx, "triplets", 0)
	labWaitUpdates(t, ctx, "triplets", tri)
	psnr := labWaitUpdates(t, ctx, "psnr-chart", 0)
	labWaitUpdates(t, ctx, "psnr-chart", psnr)
	labWaitJS(t, ctx, "the chart's legend", `document.querySelector('[data-testid="psnr-chart"] .u-legend')?.textContent.includes('denoised output') === true`)
	waitText(t, ctx, "triplets-caption", "the triplets caption", has("taken at epoch"))

	// The slider starts at the training noise and tries another level.
	waitText(t, ctx, "test-noise-result", "the test-time result", has("σ = 0.50"))
	eval[bool](t, ctx, `(() => { const s = document.querySelector('[data-testid="test-noise-slider"]');
		s.value = '0.8'; s.dispatchEvent(new Event('input', {bubbles: true})); return true })()`)
	res := waitText(t, ctx, "test-noise-result", "the result at σ 0.8", has("σ = 0.80"))
	for _, want := range []string{"noisy input", "denoising AE", "plain AE", "dB"} {
		if !strings.Contains(res, want) {
			t.Errorf("test-time result %q lacks %q", res, want)
		}
	}
	labWaitUpdates(t, ctx, "test-noise-canvas", 0)
	if errs := exceptions(); len(errs) > 0 {
		t.Fatalf("the page threw: %v", errs)
	}
}
