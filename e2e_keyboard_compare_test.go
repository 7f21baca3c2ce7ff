package main

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// pickRE is what the compare page's live line says of the example under
// the keyboard cursor of a run's latent scatter.
var pickRE = regexp.MustCompile(`^Test example (\d+)(?:, class [^:]+)? in (.+): at \(.+\)\. Enter shows it`)

// TestBrowserKeyboardComparePick uses the compare page's per-run latent
// scatters with the keyboard alone, at 1280×720: Tab reaches each run's
// scatter, with a focus ring and a name that says which keys to use; the
// arrow keys move a cursor from example to example, said in a polite live
// line; Enter shows that example with every run's reconstruction and
// error, the focus staying on the scatter; Escape clears the cursor; the
// next Tab stop is the other run's scatter, where the arrows and Enter
// pick another example; and Tab then Enter on a run's link opens its page.
func TestBrowserKeyboardComparePick(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	ids := []string{
		apiStart(t, base, `{"encoder":[32],"bottleneck":2,"train_size":600,"test_size":200,"epochs":2,"batch_size":32}`),
		apiStart(t, base, `{"encoder":[32],"bottleneck":8,"train_size":600,"test_size":200,"epochs":2,"batch_size":32}`),
	}
	res, err := http.Post(base+"/api/comparisons", "application/json", strings.NewReader(`{"sessions":["`+ids[0]+`","`+ids[1]+`"]}`))
	if err != nil {
		t.Fatal(err)
	}
	var cmp struct{ URL string }
	_ = json.NewDecoder(res.Body).Decode(&cmp)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated || cmp.URL == "" {
		t.Fatalf("comparison: %d %q", res.StatusCode, cmp.URL)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 720), chromedp.Navigate(base+cmp.URL), chromedp.WaitVisible(testid("compare-title"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "both runs' scatters drawn", `document.querySelector('[data-testid="compare-latents"]').dataset.plots === '2'`)
	waitFor(t, ctx, "the scatters wired for picking", `document.querySelector('[data-testid="compare-pick"]').dataset.ready === 'true'`)
	if live := eval[string](t, ctx, `document.querySelector('[data-testid="compare-pick-live"]').getAttribute('aria-live')`); live != "polite" {
		t.Fatalf("the scatters' cursor line is not a polite live region (aria-live %q)", live)
	}
	runOfFocus := `document.activeElement.closest('figure')?.dataset.run || ''`

	// Tab reaches the first run's scatter, with a focus ring and its keys in its name.
	eval[bool](t, ctx, `(document.activeElement?.blur(), window.scrollTo(0, 0), true)`)
	tabTo(t, ctx, "compare-latent-canvas")
	if w := eval[float64](t, ctx, focusRingJS); w < 2 {
		t.Fatalf("the focused scatter shows no focus ring (outline %.1f px)", w)
	}
	if name := eval[string](t, ctx, `document.activeElement.getAttribute('aria-label')`); !strings.Contains(name, "Arrow keys") || !strings.Contains(name, "Enter") {
		t.Fatalf("the scatter's name does not say how to use it: %q", name)
	}
	first := eval[string](t, ctx, runOfFocus)
	if first == "" {
		t.Fatal("the focused scatter belongs to no run")
	}

	// The first arrow puts the cursor on an example; the next ones move it.
	press(t, ctx, kb.ArrowRight)
	m := pickRE.FindStringSubmatch(waitText(t, ctx, "compare-pick-live", "the cursor's example said", pickRE.MatchString))
	var ex string
	for _, k := range []string{kb.ArrowRight, kb.ArrowRight, kb.ArrowDown, kb.ArrowDown, kb.ArrowLeft, kb.ArrowUp} {
		press(t, ctx, k)
		if now := pickRE.FindStringSubmatch(text(t, ctx, "compare-pick-live")); now != nil && now[1] != m[1] {
			ex = now[1]
			break
		}
	}
	if ex == "" {
		t.Fatalf("the arrows never moved the cursor off example %s", m[1])
	}
	press(t, ctx, kb.Enter)
	waitFor(t, ctx, "example "+ex+" shown for both runs",
		`(() => { const r = document.querySelector('[data-testid="compare-pick"]'); return r.dataset.shown === '`+ex+`' && r.dataset.runs === '2' })()`)
	if eval[bool](t, ctx, `document.querySelector('[data-testid="compare-pick-result"]').hidden`) {
		t.Fatal("the picked example's panel is hidden")
	}
	if s := text(t, ctx, "compare-pick-text"); !strings.HasPrefix(s, "Test example "+ex) || !strings.Contains(s, "Reconstruction error (MSE)") {
		t.Fatalf("the picked example's text: %q", s)
	}
	if f := eval[string](t, ctx, focusedJS); f != "compare-latent-canvas" {
		t.Fatalf("showing the example moved the focus to %s", f)
	}
	press(t, ctx, kb.Escape)
	waitText(t, ctx, "compare-pick-live", "the cursor cleared", has("cursor cleared"))

	// The next Tab stop is the other run's scatter: its own cursor and pick.
	press(t, ctx, kb.Tab)
	if f, run := eval[string](t, ctx, focusedJS), eval[string](t, ctx, runOfFocus); f != "compare-latent-canvas" || run == first || run == "" {
		t.Fatalf("after the first scatter, Tab went to %s (run %q)", f, run)
	}
	press(t, ctx, kb.ArrowLeft)
	firstLabel := m[2]
	m = pickRE.FindStringSubmatch(waitText(t, ctx, "compare-pick-live", "the second scatter's cursor", pickRE.MatchString))
	if m[2] == firstLabel {
		t.Fatalf("the second scatter's cursor names the first run: %q", m[0])
	}
	second := m[1]
	press(t, ctx, kb.Enter)
	waitFor(t, ctx, "example "+second+" shown", `document.querySelector('[data-testid="compare-pick"]').dataset.shown === '`+second+`'`)
	axeCheck(t, ctx, "compare page picking by keyboard")

	// Tab on to a run's link under the example; Enter opens that run.
	var link string
	for range 30 {
		press(t, ctx, kb.Tab)
		if eval[bool](t, ctx, `!!document.activeElement.closest('[data-testid="compare-pick-runs"]')`) {
			link = eval[string](t, ctx, `document.activeElement.getAttribute('href')`)
			break
		}
	}
	if !strings.HasPrefix(link, "/sessions/") {
		t.Fatalf("Tab never reached a run's link under the example (%q)", link)
	}
	if w := eval[float64](t, ctx, focusRingJS); w < 2 {
		t.Fatalf("the focused run link shows no focus ring (outline %.1f px)", w)
	}
	actAndLoad(t, ctx, "Enter on a run's link", func() error { _, err := chromedp.Run(ctx, chromedp.KeyEvent(kb.Enter)); return err })
	if p := eval[string](t, ctx, "location.pathname"); p != link {
		t.Fatalf("Enter on the link to %s led to %s", link, p)
	}
}
