package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core (testdata/axe, from npm), injected into the pages
// under test; the app does not serve it.
//
//go:embed testdata/axe/axe.min.js
var axeSource string

// axeViolation is the part of an axe-core result the test reports.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// axeRun runs axe-core (WCAG 2.1 A and AA rules and best practices) on
// the page in ctx and returns its serious and critical violations and how
// many rules passed.
func axeRun(t *testing.T, ctx context.Context, page string) ([]axeViolation, int) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axeSource+"\n;true")); err != nil {
		t.Fatalf("%s: inject axe-core: %v", page, err)
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {
		runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
	}).then((r) => JSON.stringify({passes: r.passes.length, violations: r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')}))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe-core: %v", page, err)
	}
	var r struct {
		Passes     int            `json:"passes"`
		Violations []axeViolation `json:"violations"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%s: axe-core result: %v", page, err)
	}
	return r.Violations, r.Passes
}

// axeCheck fails on each serious or critical violation axe-core finds on
// the page in ctx (and when it checked nothing).
func axeCheck(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	vs, passes := axeRun(t, ctx, page)
	if passes < 10 {
		t.Errorf("%s: axe-core passed only %d rules: did it run?", page, passes)
	}
	for _, v := range vs {
		var where []string
		for i, n := range v.Nodes {
			if i == 4 {
				where = append(where, fmt.Sprintf("… %d more", len(v.Nodes)-4))
				break
			}
			where = append(where, fmt.Sprintf("%v: %s", n.Target, strings.ReplaceAll(n.Summary, "\n", " ")))
		}
		t.Errorf("%s: %s (%s): %s\n\t%s", page, v.ID, v.Impact, v.Help, strings.Join(where, "\n\t"))
	}
}

// TestBrowserAccessibility checks the pages a class uses with axe-core at
// 1280×720, in one browser: home, a session (running, with its Maths panel
// typeset), a comparison, the labs index and a lab, the join page and a
// class's dashboard. No serious or critical violation may remain.
func TestBrowserAccessibility(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	a := apiStart(t, base, `{"encoder":[64],"bottleneck":2,"train_size":3000,"test_size":300,"epochs":2,"batch_size":32}`)
	b := apiStart(t, base, `{"encoder":[64],"bottleneck":8,"train_size":3000,"test_size":300,"epochs":2,"batch_size":32}`)
	res, err := http.Post(base+"/api/comparisons", "application/json", strings.NewReader(`{"sessions":["`+a+`","`+b+`"]}`))
	if err != nil {
		t.Fatal(err)
	}
	var cmp struct{ URL string }
	_ = json.NewDecoder(res.Body).Decode(&cmp)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated || cmp.URL == "" {
		t.Fatalf("comparison: %d %q", res.StatusCode, cmp.URL)
	}

	visit := func(path, ready string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 720), chromedp.Navigate(base+path), chromedp.WaitVisible(testid(ready))); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	visit("/", "train-button")
	axeCheck(t, ctx, "home")
	// The check can fail: a button without a name is a critical violation.
	eval[bool](t, ctx, `document.querySelector('main').insertAdjacentHTML('beforeend', '<button type="button" id="axe-probe"></button>'), true`)
	if vs, _ := axeRun(t, ctx, "home with a nameless button"); len(vs) == 0 || vs[0].ID != "button-name" {
		t.Errorf("axe-core did not report a button without a name: %+v", vs)
	}

	visit("/sessions/"+a, "maths-panel")
	eval[bool](t, ctx, `document.querySelector('[data-testid="maths-panel"]').scrollIntoView(), true`)
	waitFor(t, ctx, "the formulas typeset", `!!document.querySelector('[data-testid="maths-input"] .katex-html')`)
	waitUpdates(t, ctx, "latent-canvas")
	axeCheck(t, ctx, "session")

	visit(cmp.URL, "compare-title")
	axeCheck(t, ctx, "compare")

	visit("/labs", "labs-nav")
	axeCheck(t, ctx, "labs")
	for _, lab := range []string{"compression", "anomaly", "explorer"} {
		visit("/labs/"+lab, "labs-nav")
		axeCheck(t, ctx, "lab "+lab)
	}

	visit("/join", "labs-nav")
	axeCheck(t, ctx, "join")
	visit("/classes/new", "class-form")
	eval[bool](t, ctx, `document.getElementById('class-name').value = 'Period 3', true`)
	clickAndLoad(t, ctx, "create-class")
	waitFor(t, ctx, "the dashboard", `location.pathname.startsWith('/classes/') && !!document.querySelector('[data-testid="join-code"]')`)
	axeCheck(t, ctx, "class dashboard")
}
