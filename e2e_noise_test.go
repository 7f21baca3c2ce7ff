package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserChangeNoiseLive starts a denoising run from the Denoising
// preset (masking 0.3), changes its training noise to Gaussian 0.2 with the
// session page's live controls while it trains, and sees the change applied:
// a marker on the loss chart naming both kinds and levels, the controls
// showing the noise the run now trains with, and, after a reload (the page
// rebuilt from the run's history), the same marker and values.
func TestBrowserChangeNoiseLive(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(testid("train-button"))); err != nil {
		t.Fatal(err)
	}
	click(t, ctx, "preset-denoising")
	waitFor(t, ctx, "the denoising preset's fields", `document.querySelector('[name="noise"]').value === "masking" && document.querySelector('[name="noise_level"]').value === "0.3"`)
	for name, v := range map[string]string{"encoder": "32", "bottleneck": "2", "epochs": "30",
		"train_size": "60000", "batch_size": "32"} {
		setField(t, ctx, name, v)
	}
	clickAndLoad(t, ctx, "train-button")
	waitText(t, ctx, "state", "running", has("running"))
	waitFor(t, ctx, "the noise shown", `document.querySelector('[data-testid="set-noise"]').value === "masking" && document.querySelector('[data-testid="set-noise-level"]').value === "0.3"`)
	if got := eval[int](t, ctx, `Number(document.querySelector('[data-testid="loss-chart"]').dataset.markers)`); got != 0 {
		t.Fatalf("%d markers before any change", got)
	}
	if err := chromedp.Do(ctx,
		chromedp.SetValue(testid("set-noise"), "gaussian"),
		chromedp.SetValue(testid("set-noise-level"), "0.2"),
	); err != nil {
		t.Fatal(err)
	}
	click(t, ctx, "btn-set")
	status := waitText(t, ctx, "live-status", "the change accepted", has("applies from the next step"))
	if !strings.Contains(strings.ToLower(status), "gaussian noise 0.2") {
		t.Fatalf("status %q, want it to name gaussian noise 0.2", status)
	}
	const marked = `Number(document.querySelector('[data-testid="loss-chart"]').dataset.markers) === 1`
	waitFor(t, ctx, "a marker on the loss chart", marked)
	const want = "noise masking 0.3 → gaussian 0.2"
	if got := text(t, ctx, "loss-markers"); !strings.Contains(got, want) {
		t.Fatalf("marker list %q, want %q", got, want)
	}

	// The page rebuilt from the run's history has the change too.
	actAndLoad(t, ctx, "reload", func() error { return chromedp.Do(ctx, chromedp.Reload()) })
	waitText(t, ctx, "state", "running", has("running"))
	waitFor(t, ctx, "the marker after a reload", marked)
	if got := text(t, ctx, "loss-markers"); !strings.Contains(got, want) {
		t.Fatalf("marker list after a reload %q, want %q", got, want)
	}
	waitFor(t, ctx, "the new noise in the controls", `document.querySelector('[data-testid="set-noise"]').value === "gaussian" && document.querySelector('[data-testid="set-noise-level"]').value === "0.2"`)
	click(t, ctx, "btn-stop")
	waitText(t, ctx, "state", "stopped", has("stopped"))
}
