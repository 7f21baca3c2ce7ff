package main

import (
	"strings"
	"testing"
)

// TestBrowserLabCompression opens the compression lab from the home page,
// starts a sweep of two widths on a small subset, and sees the table (bits
// per example, ratios, MSE and PSNR of float32 and 8-bit codes), the
// rate–quality chart with its legend and the reconstructions appear.
func TestBrowserLabCompression(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	exceptions := labExceptions(t, ctx)
	labStartFromHome(t, ctx, base, "compression", map[string]string{"train_size": "600", "widths": "4, 16"})
	if n := eval[int](t, ctx, `document.querySelectorAll('.lab-status').length`); n != 2 {
		t.Fatalf("%d sessions shown, want one per width", n)
	}
	if href := eval[string](t, ctx, `document.querySelector('[data-testid="compare-link"]')?.getAttribute('href') ?? ''`); !strings.HasPrefix(href, "/compare/") {
		t.Fatalf("comparison link %q", href)
	}

	row := waitText(t, ctx, "compression-row-16", "the measurements of M = 16", has("db"))
	for _, want := range []string{"6,272", "512", "128", "12.3×", "49.0×"} {
		if !strings.Contains(row, want) {
			t.Errorf("row of M = 16 %q lacks %q", row, want)
		}
	}
	waitText(t, ctx, "compression-row-4", "the measurements of M = 4", has("db"))
	labWaitUpdates(t, ctx, "rate-quality-chart", 0)
	labWaitJS(t, ctx, "the chart's legend", `(() => { const l = document.querySelector('[data-testid="rate-quality-chart"] .u-legend')?.textContent || '';
		return l.includes('float32 code') && l.includes('8-bit code') })()`)
	labWaitUpdates(t, ctx, "compression-recons", 0)
	labWaitJS(t, ctx, "both trainings to end", `[...document.querySelectorAll('.lab-status .badge')].every((b) => b.textContent.includes('completed'))`)
	labWaitJS(t, ctx, "the final measurements", `[...document.querySelectorAll('[data-testid^="compression-row-"]')].every((r) => !r.textContent.includes('training'))`)
	labScreenshot(t, ctx, "lab-compression")
	if errs := exceptions(); len(errs) > 0 {
		t.Fatalf("the page threw: %v", errs)
	}
}
