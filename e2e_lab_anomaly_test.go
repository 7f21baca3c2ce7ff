package main

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// waitDrawnTimes polls until the element's data-updates counter reaches n.
func waitDrawnTimes(t *testing.T, ctx context.Context, id string, n int) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for updates(t, ctx, id) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%s was drawn %d times; want at least %d", id, updates(t, ctx, id), n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// openLabFromHome goes from the home page to a lab by its link.
func openLabFromHome(t *testing.T, ctx context.Context, base, slug string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(testid("home-lab-"+slug))); err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, ctx, "home-lab-"+slug)
	if loc := eval[string](t, ctx, "location.pathname"); loc != "/labs/"+slug {
		t.Fatalf("the %s lab link leads to %s", slug, loc)
	}
}

var aucRE = regexp.MustCompile(`AUC (0\.\d+|1\.000)`)

// TestBrowserLabAnomaly opens the anomaly-detection lab from the home page,
// starts it on a small subset with digit 0 as the anomaly, and sees the
// histogram, the ROC curve with its AUC, precision/recall/F1 that follow the
// threshold slider, and the gallery.
func TestBrowserLabAnomaly(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	openLabFromHome(t, ctx, base, "anomaly")
	waitText(t, ctx, "lab-title", "the lab's title", has("anomaly detection"))
	setField(t, ctx, "anomaly", "0")
	setField(t, ctx, "train_size", "1500")
	clickAndLoad(t, ctx, "lab-start")
	if loc := eval[string](t, ctx, "location.pathname + location.search"); !strings.HasPrefix(loc, "/labs/anomaly?s=") {
		t.Fatalf("after Start the browser is at %s", loc)
	}

	waitDrawnTimes(t, ctx, "score-histogram", 1)
	waitDrawnTimes(t, ctx, "roc-chart", 1)
	waitDrawnTimes(t, ctx, "anomaly-gallery", 1)
	auc := waitText(t, ctx, "auc", "an AUC", aucRE.MatchString)
	prf := waitText(t, ctx, "prf", "precision, recall and F1", has("precision"))
	if !strings.Contains(prf, "%") || !strings.Contains(strings.ToLower(prf), "recall") {
		t.Fatalf("prf shows %q", prf)
	}
	if !strings.Contains(text(t, ctx, "key-normal")+text(t, ctx, "key-anomaly"), "normalanomaly") {
		t.Fatal("the histogram has no legend")
	}

	// The scores keep coming while it trains: the histogram is redrawn.
	waitDrawnTimes(t, ctx, "score-histogram", 2)
	waitText(t, ctx, "state-"+eval[string](t, ctx, `JSON.parse(document.getElementById('lab-boot').textContent).sessions[0].id`),
		"completed", has("completed"))
	auc = waitText(t, ctx, "auc", "the final AUC", aucRE.MatchString)
	v, _ := strconv.ParseFloat(aucRE.FindStringSubmatch(auc)[1], 64)
	if v <= 0.6 {
		t.Errorf("AUC %.3f: digit 0 should be told from the other digits better than that", v)
	}

	// Moving the threshold to flag almost nothing changes the numbers.
	before := text(t, ctx, "prf")
	eval[bool](t, ctx, `(() => { const s = document.querySelector('[data-testid="threshold-slider"]');
		s.value = 995; s.dispatchEvent(new Event('input', {bubbles: true})); return true })()`)
	after := waitText(t, ctx, "prf", "new numbers", func(s string) bool { return s != before })
	t.Logf("AUC %s; at the best F1: %s; near the top: %s", auc, before, after)

	// Clicking a bar of the histogram shows the examples behind it.
	eval[bool](t, ctx, `(() => { const c = document.querySelector('[data-testid="score-histogram"]'); c.scrollIntoView({block: "center"});
		const r = c.getBoundingClientRect();
		c.dispatchEvent(new MouseEvent('click', {clientX: r.left + 74 + (r.width - 92) * 0.1, clientY: r.top + r.height / 2, bubbles: true})); return true })()`)
	waitText(t, ctx, "bin-caption", "the examples behind the bar", has("shown, "))
	waitUpdates(t, ctx, "bin-examples")

	// Clicking the middle of the ROC curve shows that point's mistakes.
	eval[bool](t, ctx, `(() => { const c = document.querySelector('[data-testid="roc-chart"]'); c.scrollIntoView({block: "center"});
		const r = c.getBoundingClientRect(), side = Math.min(r.width - 92, r.height - 78);
		c.dispatchEvent(new MouseEvent('click', {clientX: r.left + 74 + side * 0.5, clientY: r.top + 14 + side * 0.5, bubbles: true})); return true })()`)
	waitText(t, ctx, "bin-caption", "the ROC point's mistakes", has("at threshold "))
}
