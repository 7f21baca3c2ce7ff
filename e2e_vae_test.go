package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserVariationalAutoencoder starts a VAE from the home form's
// "Variational (2-D code)" preset and checks what the session page shows of
// it: the loss chart draws the reconstruction and KL parts beside the loss,
// and the "new digits" grid of prior samples appears and refreshes while it
// trains.
func TestBrowserVariationalAutoencoder(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(testid("preset-vae2"))); err != nil {
		t.Fatal(err)
	}
	click(t, ctx, "preset-vae2")
	for name, want := range map[string]string{"kind": "vae", "bottleneck": "2", "loss": "bce", "encoder": "400"} {
		if got := eval[string](t, ctx, `document.querySelector('[name="`+name+`"]').value`); got != want {
			t.Fatalf("after the preset, %s = %q; want %q", name, got, want)
		}
	}
	// Long enough to be seen training and the grid refreshed (at most once a
	// second): 15,000 × 2 epochs ended on CI's quiet 2 cores before the
	// page had drawn the grid twice.
	setField(t, ctx, "train_size", "30000")
	setField(t, ctx, "epochs", "4")
	clickAndLoad(t, ctx, "train-button")
	if loc := eval[string](t, ctx, "location.pathname"); !strings.HasPrefix(loc, "/sessions/") {
		t.Fatalf("after Train the browser is at %s (form error: %q)", loc, text(t, ctx, "form-error"))
	}
	if cfg := text(t, ctx, "config"); !strings.Contains(cfg, "variational autoencoder, β = 1") {
		t.Fatalf("configuration table %q does not say it is a VAE", cfg)
	}

	// The grid of generated examples is drawn, then redrawn by newer weights.
	deadline := time.Now().Add(120 * time.Second)
	for updates(t, ctx, "generated-canvas") < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the generated grid was drawn %d times; want it refreshed while training", updates(t, ctx, "generated-canvas"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	waitText(t, ctx, "generated-caption", "the step of the weights", has("decoded by the weights of step"))
	// It shows something: bright pixels on the black tiles.
	lit := eval[int](t, ctx, `(() => { const c = document.querySelector('[data-testid="generated-canvas"]');
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
		for (let i = 0; i < d.length; i += 4) if (d[i] > 128) n++; return n })()`)
	if lit < 100 {
		t.Fatalf("the generated grid has %d bright pixels; want digits drawn", lit)
	}

	// The loss chart's legend names the two parts and shows their values.
	legend := waitText(t, ctx, "loss-chart", "the loss parts", func(s string) bool {
		return strings.Contains(s, "reconstruction (train)") && strings.Contains(s, "KL (train)")
	})
	if strings.Contains(legend, "sparsity") {
		t.Fatalf("legend %q shows a penalty that is off", legend)
	}
	waitText(t, ctx, "state", "completed", has("completed"))
}
