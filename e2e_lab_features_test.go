package main

import (
	"strings"
	"testing"
)

// TestBrowserLabFeatures opens the feature-extraction lab from the home
// page, starts a sweep of two small autoencoders and sees the accuracy
// chart and the table fill in as each one finishes, with k-means purity.
func TestBrowserLabFeatures(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	openLabFromHome(t, ctx, base, "features")
	waitText(t, ctx, "lab-title", "the lab's title", has("feature extraction"))
	setField(t, ctx, "widths", "2, 16")
	setField(t, ctx, "train_size", "800")
	clickAndLoad(t, ctx, "lab-start")
	if n := eval[int](t, ctx, `JSON.parse(document.getElementById('lab-boot').textContent).sessions.length`); n != 2 {
		t.Fatalf("the sweep started %d sessions; want 2", n)
	}

	// Both rows get their three accuracies and purities once trained.
	for _, w := range []string{"2", "16"} {
		row := waitText(t, ctx, "features-row-"+w, "accuracies", func(s string) bool { return strings.Count(s, "%") == 5 })
		t.Logf("code width %s: %s", w, row)
	}
	waitDrawnTimes(t, ctx, "accuracy-chart", 2)
	if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid="accuracy-chart"] .u-legend .u-series').length`); n < 4 {
		t.Fatalf("the chart legend has %d entries; want latent, PCA, raw and chance", n)
	}
	if s := text(t, ctx, "features-table"); !strings.Contains(s, "Codes") || !strings.Contains(s, "Purity") {
		t.Fatalf("table: %q", s)
	}

	// Measuring again with logistic regression replaces the numbers.
	before := text(t, ctx, "features-row-16")
	setField(t, ctx, "classifier", "logreg")
	waitText(t, ctx, "features-row-16", "new numbers", func(s string) bool { return s != before && strings.Count(s, "%") == 5 })
}
