package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// waitAttr polls until data-<attr> of the element with the test id is at
// least want, and returns it.
func waitAttr(t *testing.T, ctx context.Context, id, attr string, want int) int {
	t.Helper()
	js := fmt.Sprintf(`Number(document.querySelector('[data-testid="%s"]')?.dataset.%s ?? -1)`, id, attr)
	deadline := time.Now().Add(90 * time.Second)
	for {
		got := eval[int](t, ctx, js)
		if got >= want {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s data-%s stayed %d, want %d", id, attr, got, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestBrowserCompareSweep starts a 3-width sweep from the home page and
// watches the compare page fill in: three curves, three reconstruction rows,
// three rate–distortion points (and three PCA points), the table, the CSV
// export; then compares two finished sessions picked from the home page.
func TestBrowserCompareSweep(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(testid("compare-button"))); err != nil {
		t.Fatal(err)
	}
	if v := eval[string](t, ctx, `document.querySelector('[name="bottlenecks"]').value`); v != "2, 4, 8, 16, 32, 64" {
		t.Fatalf("default widths %q", v)
	}
	// A width the data cannot take: the message appears next to the field and nothing starts.
	setField(t, ctx, "bottlenecks", "2, 784")
	clickAndLoad(t, ctx, "compare-button")
	waitText(t, ctx, "error-bottlenecks", "the width error", has("width 784"))

	for name, v := range map[string]string{"encoder": "32", "train_size": "600", "epochs": "3", "batch_size": "20",
		"seed": "3", "bottlenecks": "2, 8, 32"} {
		setField(t, ctx, name, v)
	}
	// Enter in the widths field starts the sweep (not a single training with the form's default button).
	actAndLoad(t, ctx, "Enter in the widths field", func() error {
		return chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`[name="bottlenecks"]`), kb.Enter))
	})
	if loc := eval[string](t, ctx, "location.pathname"); !strings.HasPrefix(loc, "/compare/") {
		t.Fatalf("after Compare the browser is at %s", loc)
	}
	waitText(t, ctx, "compare-differs", "what differs", has("bottleneck: 2 vs 8 vs 32"))

	// Every view fills in, one curve / row / point per run.
	waitAttr(t, ctx, "compare-loss-chart", "series", 3)
	waitAttr(t, ctx, "compare-recon", "rows", 3)
	waitAttr(t, ctx, "rd-chart", "points", 3)
	waitAttr(t, ctx, "rd-chart", "pcaPoints", 3)
	waitAttr(t, ctx, "compare-latents", "plots", 3)
	if n := eval[int](t, ctx, `document.querySelectorAll('.latent-small[data-updates]:not([data-updates="0"])').length`); n != 3 {
		t.Errorf("%d latent plots drawn, want 3", n)
	}
	waitText(t, ctx, "compare-status", "all three completed", has("3 completed"))
	// The table: a test loss and a PCA figure in every row.
	cells := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid="compare-table"] tbody [data-col] .v')].map(e => e.textContent)`)
	if len(cells) != 9 {
		t.Fatalf("table cells %q", cells)
	}
	for i := 0; i < 9; i += 3 {
		if cells[i] == "–" || cells[i+1] == "–" {
			t.Errorf("row %d lacks a loss or PCA figure: %q", i/3, cells[i:i+3])
		}
	}
	// The export link downloads a CSV with a header and three rows.
	csv, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`fetch(document.querySelector('[data-testid="export-table"]').href).then(r => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(csv), "\n"); len(lines) != 4 || !strings.HasPrefix(lines[0], "session_id,label") {
		t.Fatalf("table.csv = %q", csv)
	}

	// Pick two of the finished sessions on the home page and compare them.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(testid("compare-selected"))); err != nil {
		t.Fatal(err)
	}
	eval[bool](t, ctx, `(() => { const b = [...document.querySelectorAll('.pick-box')]; b[0].click(); b[1].click(); return true })()`)
	clickAndLoad(t, ctx, "compare-selected")
	waitText(t, ctx, "compare-differs", "what differs", has("bottleneck:"))
	waitAttr(t, ctx, "rd-chart", "points", 2)
}
