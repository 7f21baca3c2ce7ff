package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// labScreenshot saves a full-page screenshot as name.png in the directory
// named by AELAB_SCREENSHOTS, when it is set (to look at a lab's figure).
func labScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("AELAB_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserLabPCA opens the "against PCA" lab from the home page, starts
// it on a small subset, and sees its figure appear: PCA's scatter beside
// the autoencoders', the error bars with PCA's figure and both networks',
// and the loss chart with the PCA line in its legend.
func TestBrowserLabPCA(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	exceptions := labExceptions(t, ctx)
	labStartFromHome(t, ctx, base, "pca", map[string]string{"train_size": "1000", "bottleneck": "2"})
	if n := eval[int](t, ctx, `document.querySelectorAll('.lab-status').length`); n != 2 {
		t.Fatalf("%d sessions shown, want the linear and the non-linear autoencoder", n)
	}

	labWaitUpdates(t, ctx, "pca-scatter", 0)
	labWaitUpdates(t, ctx, "ae-scatter", 0)
	labWaitUpdates(t, ctx, "pca-loss-chart", 0)
	waitText(t, ctx, "pca-scatter-caption", "the PCA fit", has("fitted on 1,000 training digits"))
	labWaitJS(t, ctx, "the chart's legend", `(() => { const l = document.querySelector('[data-testid="pca-loss-chart"] .u-legend')?.textContent || '';
		return l.includes('PCA, k = 2') && l.includes('linear autoencoder') && l.includes('non-linear autoencoder') })()`)

	// Once both have trained, the bars show three numbers and the caption compares them with PCA.
	labWaitJS(t, ctx, "both trainings to end", `[...document.querySelectorAll('.lab-status .badge')].every((b) => b.textContent.includes('completed'))`)
	cap := waitText(t, ctx, "error-caption", "the comparison with PCA", func(s string) bool {
		return strings.Count(s, "PCA") >= 2 && strings.Contains(s, "non-linear autoencoder:")
	})
	vals := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid="error-bars"] .error-bar-value')].map((e) => e.textContent)`)
	if len(vals) != 3 {
		t.Fatalf("error bars %v", vals)
	}
	for _, v := range vals {
		if f, err := strconv.ParseFloat(v, 64); err != nil || !(f > 0 && f < 0.2) {
			t.Fatalf("error bars %v (caption %q)", vals, cap)
		}
	}
	labScreenshot(t, ctx, "lab-pca")
	if errs := exceptions(); len(errs) > 0 {
		t.Fatalf("the page threw: %v", errs)
	}
}
