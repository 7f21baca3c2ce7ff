package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserChangeRateAndStep changes the learning rate of a run while it
// trains, from the keyboard (type, Enter), and sees the marker on the loss
// chart; then pauses it, steps it three batches and sees the step reached.
func TestBrowserChangeRateAndStep(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(testid("train-button"))); err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]string{"encoder": "32", "bottleneck": "2", "epochs": "30",
		"train_size": "60000", "batch_size": "32"} {
		setField(t, ctx, name, v)
	}
	clickAndLoad(t, ctx, "train-button")
	waitText(t, ctx, "state", "running", has("running"))
	// The field shows the rate the run trains with.
	waitFor(t, ctx, "the learning rate shown", `document.querySelector('[data-testid="set-lr"]').value === "0.001"`)
	if got := eval[int](t, ctx, `Number(document.querySelector('[data-testid="loss-chart"]').dataset.markers)`); got != 0 {
		t.Fatalf("%d markers before any change", got)
	}
	if err := chromedp.Do(ctx,
		chromedp.SetValue(testid("set-lr"), ""),
		chromedp.SendKeys(testid("set-lr"), "0.0001"+kb.Enter),
	); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "live-status", "the change accepted", has("applies from the next step"))
	waitFor(t, ctx, "a marker on the loss chart", `Number(document.querySelector('[data-testid="loss-chart"]').dataset.markers) === 1`)
	if got := text(t, ctx, "loss-markers"); !strings.Contains(got, "lr 0.001 → 0.0001") {
		t.Fatalf("marker list %q, want lr 0.001 → 0.0001", got)
	}

	// Paused, the Step button trains three batches and the run stays paused.
	if v := eval[bool](t, ctx, `document.querySelector('[data-testid="step-form"]').offsetParent === null`); !v {
		t.Fatal("the step form shows while the run trains")
	}
	click(t, ctx, "btn-pause")
	waitText(t, ctx, "state", "paused", has("paused"))
	waitFor(t, ctx, "the step form", `document.querySelector('[data-testid="step-form"]').offsetParent !== null`)
	before := eval[int](t, ctx, `Number(document.querySelector('[data-testid="recon-canvas"]').dataset.updates)`)
	if err := chromedp.Do(ctx, chromedp.SetValue(testid("step-batches"), "3")); err != nil {
		t.Fatal(err)
	}
	click(t, ctx, "btn-step")
	status := waitText(t, ctx, "live-status", "the step done", has("now at step"))
	if !strings.Contains(status, "Trained 3 batches") {
		t.Fatalf("status after the step %q", status)
	}
	waitFor(t, ctx, "fresh reconstructions after the step", `Number(document.querySelector('[data-testid="recon-canvas"]').dataset.updates) > `+strconv.Itoa(before))
	if got := text(t, ctx, "state"); !strings.Contains(got, "paused") {
		t.Fatalf("state %q after a step, want paused", got)
	}
	click(t, ctx, "btn-stop")
	waitText(t, ctx, "state", "stopped", has("stopped"))
	waitFor(t, ctx, "the live controls gone", `document.querySelector('[data-testid="live-controls"]').offsetParent === null`)
}

// TestBrowserDenoisingPreset starts a run from the Denoising preset: the
// reconstructions panel shows three rows, the noisy input, the output and
// the clean target. The Sparse preset fills its fields too.
func TestBrowserDenoisingPreset(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(testid("train-button"))); err != nil {
		t.Fatal(err)
	}
	click(t, ctx, "preset-sparse")
	waitFor(t, ctx, "the sparse preset's fields", `document.querySelector('[name="sparsity"]').value === "0.01" && document.querySelector('[name="bottleneck"]').value === "128"`)
	click(t, ctx, "preset-denoising")
	waitFor(t, ctx, "the denoising preset's fields", `document.querySelector('[name="noise"]').value === "masking" && document.querySelector('[name="noise_level"]').value === "0.3" && document.querySelector('[name="sparsity"]').value === ""`)
	// Long enough to be stopped while it trains: the preset's 5 epochs of
	// the test server's set ended on CI's quiet cores before the click.
	setField(t, ctx, "train_size", "60000")
	setField(t, ctx, "epochs", "20")
	clickAndLoad(t, ctx, "train-button")
	waitText(t, ctx, "state", "running", has("running"))
	waitFor(t, ctx, "three rows of reconstructions", `document.querySelector('[data-testid="recon-canvas"]').dataset.rows === "3"`)
	if got := text(t, ctx, "recon-legend"); !strings.Contains(got, "noisy inputs") || !strings.Contains(got, "clean targets") {
		t.Fatalf("legend %q, want the noisy inputs and clean targets named", got)
	}
	click(t, ctx, "btn-stop")
	waitText(t, ctx, "state", "stopped", has("stopped"))
}
