package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser gives a browser test a fresh browser context (its own cookies,
// storage and cache, like a new profile) in one headless Chromium (Debian's
// package) shared by the test binary, and marks the test parallel: browser
// tests wait mostly on pages and trainings, so two of them (-parallel
// defaults to the cores) share the machine well, and one Chromium started
// once saves a launch and a profile per test. Outside CI a machine without
// Chromium skips the browser tests; in CI (CI=true) that is a failure,
// since .ci/run installs it.
func browser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	t.Parallel()
	root, err := sharedChromium()
	if errors.Is(err, errNoChromium) {
		if os.Getenv("CI") != "" {
			t.Fatal("Chromium is not installed (apt-get install -y chromium)")
		}
		t.Skip("Chromium is not installed (apt-get install -y chromium)")
	}
	if err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	ctx, cancelC := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	// A guard against a hung page, not a speed bar: two tests share the
	// cores now, so it is half as long again as the 4 minutes it was.
	ctx, cancelT := context.WithTimeout(ctx, 6*time.Minute)
	t.Cleanup(func() { cancelT(); cancelC() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a browser context: %v", err)
	}
	return ctx
}

var errNoChromium = errors.New("chromium is not installed")

// chromium is the test binary's one browser: started by the first browser
// test, closed by TestMain after the last.
var chromium struct {
	once   sync.Once
	ctx    context.Context // its first tab, kept open while the browser lives
	err    error
	cancel func()
}

func sharedChromium() (context.Context, error) {
	chromium.once.Do(func() {
		path := ""
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				path = p
				break
			}
		}
		if path == "" {
			chromium.err = errNoChromium
			return
		}
		dir, err := os.MkdirTemp("", "aelab-chromium-")
		if err != nil {
			chromium.err = err
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.WindowSize(1280, 900),
			chromedp.UserDataDir(dir),
		)
		actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelC := chromedp.NewContext(actx)
		chromium.ctx = ctx
		chromium.cancel = func() { cancelC(); cancelA(); os.RemoveAll(dir) }
		chromium.err = chromedp.Do(ctx)
	})
	return chromium.ctx, chromium.err
}

// closeChromium stops the shared browser, if a test started it.
func closeChromium() {
	if chromium.cancel != nil {
		chromium.cancel()
	}
}

func testid(id string) chromedp.CSS { return chromedp.CSS(fmt.Sprintf(`[data-testid="%s"]`, id)) }

// eval runs a JavaScript expression in the page and returns its value.
func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// text returns the text of the element with the given test id ("" if absent).
func text(t *testing.T, ctx context.Context, id string) string {
	return eval[string](t, ctx, fmt.Sprintf(`(document.querySelector('[data-testid="%s"]')?.textContent ?? "").trim()`, id))
}

// updates reads the data-updates counter a chart keeps for tests.
func updates(t *testing.T, ctx context.Context, id string) int {
	return eval[int](t, ctx, fmt.Sprintf(`Number(document.querySelector('[data-testid="%s"]')?.dataset.updates ?? 0)`, id))
}

// setField types a value into a form field as a user would (input and
// change events included).
func setField(t *testing.T, ctx context.Context, name, value string) {
	t.Helper()
	eval[bool](t, ctx, fmt.Sprintf(`(() => { const el = document.querySelector('[name="%s"]');
		el.value = %q; el.dispatchEvent(new Event("input", {bubbles: true}));
		el.dispatchEvent(new Event("change", {bubbles: true})); return true })()`, name, value))
}

// waitText polls until the element's text satisfies ok.
func waitText(t *testing.T, ctx context.Context, id string, what string, ok func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		s := text(t, ctx, id)
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never showed %s; last text %q", id, what, s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func has(sub string) func(string) bool {
	return func(s string) bool { return strings.Contains(strings.ToLower(s), sub) }
}

func click(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(testid(id))); err != nil {
		t.Fatalf("click %s: %v", id, err)
	}
}

// clickAndLoad clicks an element that navigates, and waits for the new page.
// The click is the element's own click(), not a mouse event at coordinates
// measured beforehand: the live form check can insert a message and move the
// button between measuring and clicking, and the mouse then lands beside it.
func clickAndLoad(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(testid(id))); err != nil {
		t.Fatalf("click %s: %v", id, err)
	}
	actAndLoad(t, ctx, "click "+id, func() error {
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(document.querySelector('[data-testid="%s"]').click(), true)`, id)))
		return err
	})
}

func actAndLoad(t *testing.T, ctx context.Context, what string, act func() error) {
	t.Helper()
	eval[bool](t, ctx, `(window.__aelabOldPage = true)`)
	if err := act(); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		// While the old document is being replaced, evaluation can fail; try again.
		fresh, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__aelabOldPage === undefined && document.readyState === "complete"`))
		if err == nil && fresh {
			return
		}
		if time.Now().After(deadline) {
			where, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + " readyState=" + document.readyState + " old=" + window.__aelabOldPage`))
			t.Fatalf("%s: no new page loaded within 60 s (evaluate error %v; page %s)", what, err, where)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestBrowserTrainAndWatch drives the whole product as a student would: fill
// the form, start a training, watch every view change live, pause, resume,
// stop, and reload to see the final state again.
func TestBrowserTrainAndWatch(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)

	// A refused configuration: the message appears next to the field and
	// nothing starts.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(testid("train-button"))); err != nil {
		t.Fatal(err)
	}
	setField(t, ctx, "bottleneck", "784")
	clickAndLoad(t, ctx, "train-button")
	waitText(t, ctx, "error-bottleneck", "the bottleneck error", has("smaller than"))

	// A valid one, long enough to watch and control.
	for name, v := range map[string]string{"encoder": "64", "bottleneck": "2", "epochs": "30",
		"train_size": "60000", "batch_size": "32"} {
		setField(t, ctx, name, v)
	}
	// The live architecture summary follows the form (784/2 = 392×).
	waitText(t, ctx, "ratio", "392×", has("392"))
	clickAndLoad(t, ctx, "train-button")
	if loc := eval[string](t, ctx, "location.pathname"); !strings.HasPrefix(loc, "/sessions/") {
		t.Fatalf("after Train the browser is at %s", loc)
	}
	waitText(t, ctx, "state", "running", has("running"))

	// Every view changes while it trains.
	views := []string{"loss-chart", "latent-canvas", "recon-canvas"}
	first := map[string]int{}
	for _, v := range views {
		first[v] = updates(t, ctx, v)
	}
	p1 := waitText(t, ctx, "progress-text", "progress", func(s string) bool { return s != "" })
	deadline := time.Now().Add(90 * time.Second)
	for _, v := range views {
		for updates(t, ctx, v) <= first[v] {
			if time.Now().After(deadline) {
				t.Fatalf("%s did not change while training (data-updates stayed %d)", v, first[v])
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitText(t, ctx, "progress-text", "new progress", func(s string) bool { return s != p1 })

	// Owner controls: pause, resume, stop.
	click(t, ctx, "btn-pause")
	waitText(t, ctx, "state", "paused", has("paused"))
	click(t, ctx, "btn-resume")
	waitText(t, ctx, "state", "running", has("running"))
	click(t, ctx, "btn-stop")
	waitText(t, ctx, "state", "stopped", has("stopped"))
	final := waitText(t, ctx, "final-loss", "the final test loss", has("loss"))
	// Nothing is left to pause, resume or stop.
	waitFor(t, ctx, "the controls gone after the run ended", `["btn-pause", "btn-resume", "btn-stop"].every((id) => document.querySelector('[data-testid="' + id + '"]').offsetParent === null)`)

	// Reopening the page shows the same final state from the snapshot.
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "state", "stopped after reload", has("stopped"))
	waitText(t, ctx, "final-loss", "the same final loss", func(s string) bool { return s == final })
	for _, v := range views {
		deadline := time.Now().Add(30 * time.Second)
		for updates(t, ctx, v) == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("%s is empty after reload", v)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}
