package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserConvolutionalAutoencoder starts the reference convolutional
// autoencoder from the home form's "Convolutional" preset and checks that
// the session page describes it by its layers, trains it to the end and
// draws its reconstructions.
func TestBrowserConvolutionalAutoencoder(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(testid("preset-conv"))); err != nil {
		t.Fatal(err)
	}
	click(t, ctx, "preset-conv")
	for name, want := range map[string]string{"conv": "16, 32", "bottleneck": "32", "encoder": ""} {
		if got := eval[string](t, ctx, `document.querySelector('[name="`+name+`"]').value`); got != want {
			t.Fatalf("after the preset, %s = %q; want %q", name, got, want)
		}
	}
	setField(t, ctx, "train_size", "2000")
	setField(t, ctx, "epochs", "1")
	// The page's live check counts the convolutions' parameters too.
	waitText(t, ctx, "params", "the parameter count", has("111,521"))
	clickAndLoad(t, ctx, "train-button")
	if loc := eval[string](t, ctx, "location.pathname"); !strings.HasPrefix(loc, "/sessions/") {
		errs := eval[string](t, ctx, `[...document.querySelectorAll('[data-testid^="error-"]')].map(e => e.dataset.testid + ': ' + e.textContent.trim()).filter(s => !s.endsWith(': ')).join('; ')`)
		t.Fatalf("after Train the browser is at %s (form error: %q; field errors: %s)", loc, text(t, ctx, "form-error"), errs)
	}
	if cfg := text(t, ctx, "config"); !strings.Contains(cfg, "784 → conv 16 → conv 32 → 32 → convᵀ 16 → 784") || !strings.Contains(cfg, "111,521") {
		t.Fatalf("configuration table %q does not show the convolutional layers and their 111,521 parameters", cfg)
	}
	// It trains to the end and draws its reconstructions like any model.
	waitText(t, ctx, "state", "the run to complete", has("completed"))
	waitText(t, ctx, "recon-caption", "the final reconstructions", has("epoch 1.00"))
}
