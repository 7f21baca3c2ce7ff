package main

import (
	"strings"
	"testing"
)

// TestBrowserLabPretraining opens the pretraining lab from the home page,
// trains a small autoencoder and sees the comparison run when it finishes:
// both accuracy curves in the chart and the final accuracies; then compares
// again with fewer labels.
func TestBrowserLabPretraining(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	openLabFromHome(t, ctx, base, "pretraining")
	waitText(t, ctx, "lab-title", "the lab's title", has("pretraining"))
	setField(t, ctx, "train_size", "1000")
	clickAndLoad(t, ctx, "lab-start")

	res := waitText(t, ctx, "pretrain-result", "the final accuracies", has("random start"))
	if !strings.Contains(res, "100 labels") || strings.Count(res, "%") < 3 {
		t.Fatalf("result: %q", res)
	}
	waitDrawnTimes(t, ctx, "pretrain-chart", 2)
	// Two curves of 50 epochs each (plus the chance line).
	if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid="pretrain-chart"] .u-legend .u-series').length`); n < 3 {
		t.Fatalf("the chart legend has %d entries; want pretrained, random and chance", n)
	}

	setField(t, ctx, "labels", "50")
	setField(t, ctx, "epochs", "20")
	click(t, ctx, "pretrain-run")
	res = waitText(t, ctx, "pretrain-result", "the new comparison", has("after 20 epochs on 50 labels"))
	t.Log(res)
}
