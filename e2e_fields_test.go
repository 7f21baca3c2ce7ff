package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserBetaAndNoiseFields sets β on the home form of a 1280×720
// projector (the field appears only once the kind is variational; 0 and a
// noise level of 0 are refused live next to their fields; reload keeps β),
// trains the VAE, then changes β while it trains from the owner's live
// controls and sees the marker on the loss chart beside the two loss parts.
func TestBrowserBetaAndNoiseFields(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 720), chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(testid("train-button"))); err != nil {
		t.Fatal(err)
	}
	if bottom := eval[float64](t, ctx, `document.querySelector('[data-testid="train-button"]').getBoundingClientRect().bottom`); bottom > 720 {
		t.Fatalf("Train ends at y = %.0f, below the first screen", bottom)
	}
	shown := func(name string) string {
		return `document.querySelector('[data-field="` + name + `"]').offsetParent !== null`
	}
	eval[bool](t, ctx, `(document.querySelector('[data-testid="advanced"]').open = true)`)
	if eval[bool](t, ctx, shown("beta")) {
		t.Fatal("β shows for a plain autoencoder")
	}
	setField(t, ctx, "kind", "vae")
	waitFor(t, ctx, "β shown for a VAE", shown("beta")+` && !document.querySelector('[name="beta"]').disabled`)
	setField(t, ctx, "beta", "0")
	waitText(t, ctx, "error-beta", "β 0 refused live", has("from 0.0001 to 100, not 0"))
	setField(t, ctx, "noise", "gaussian")
	setField(t, ctx, "noise_level", "0")
	waitText(t, ctx, "error-noise_level", "noise level 0 refused live", has("greater than 0"))
	setField(t, ctx, "noise", "none")
	setField(t, ctx, "noise_level", "")
	for name, v := range map[string]string{"beta": "2", "encoder": "32", "bottleneck": "2", "epochs": "30",
		"train_size": "60000", "batch_size": "32", "loss": "bce"} {
		setField(t, ctx, name, v)
	}
	waitText(t, ctx, "check-status", "a valid configuration", has("ready"))
	if got := text(t, ctx, "error-beta"); got != "" {
		t.Fatalf("β 2 still has the message %q", got)
	}
	// Reload keeps β (the address follows the form).
	waitFor(t, ctx, "the address has β", `location.search.includes("beta=2") && location.search.includes("kind=vae")`)
	actAndLoad(t, ctx, "reload", func() error { return chromedp.Do(ctx, chromedp.Reload()) })
	waitFor(t, ctx, "reload keeps β", `document.querySelector('[name="beta"]').value === "2" && document.querySelector('[name="kind"]').value === "vae"`)
	if bottom := eval[float64](t, ctx, `document.querySelector('[data-testid="train-button"]').getBoundingClientRect().bottom`); bottom > 720 {
		t.Fatalf("after reload Train ends at y = %.0f, below the first screen", bottom)
	}

	clickAndLoad(t, ctx, "train-button")
	if loc := eval[string](t, ctx, "location.pathname"); !strings.HasPrefix(loc, "/sessions/") {
		t.Fatalf("after Train the browser is at %s (form error: %q)", loc, text(t, ctx, "form-error"))
	}
	if cfg := text(t, ctx, "config"); !strings.Contains(cfg, "variational autoencoder, β = 2") {
		t.Fatalf("configuration table %q, want β = 2", cfg)
	}
	waitText(t, ctx, "state", "running", has("running"))
	waitFor(t, ctx, "the β the run trains with", `document.querySelector('[data-testid="set-beta"]').value === "2"`)
	if eval[bool](t, ctx, `!!document.querySelector('[data-testid="set-noise"]')`) {
		t.Fatal("a VAE without training noise has the noise control")
	}
	if err := chromedp.Do(ctx,
		chromedp.SetValue(testid("set-beta"), ""),
		chromedp.SendKeys(testid("set-beta"), "4"+kb.Enter),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "live-status", "the change accepted", has("β 4 applies from the next step"))
	waitFor(t, ctx, "a marker on the loss chart", `Number(document.querySelector('[data-testid="loss-chart"]').dataset.markers) === 1`)
	if got := text(t, ctx, "loss-markers"); !strings.Contains(got, "β 2 → 4") {
		t.Fatalf("marker list %q, want β 2 → 4", got)
	}
	waitText(t, ctx, "loss-chart", "the loss parts", func(s string) bool {
		return strings.Contains(s, "reconstruction (train)") && strings.Contains(s, "KL (train)")
	})
	// 0 is refused before it is sent, naming β.
	if err := chromedp.Do(ctx, chromedp.SetValue(testid("set-beta"), "0"), chromedp.Click(testid("btn-set"))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "live-error", "β 0 refused", has("β must be a number greater than 0"))
	click(t, ctx, "btn-stop")
	waitText(t, ctx, "state", "stopped", has("stopped"))
}
