package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserReplay trains a short run to its end, opens its page at
// 1280×720, moves the replay scrubber with the keyboard and sees the latent
// scatter show earlier steps (with a marker on the loss chart), plays the
// replay, goes back to the end with Live, and after a restart of the server
// on the same -data can still scrub through the run.
func TestBrowserReplay(t *testing.T) {
	ctx := browser(t)
	dir := filepath.Join(t.TempDir(), "runs")
	base, stop := startServer(t, "-data", dir)
	// 512/32 = 16 steps an epoch, 3 epochs: keyframes at 0 1 2 5 10 16 20 32 48.
	body := `{"dataset":"mnist","encoder":[32],"bottleneck":2,"train_size":512,"test_size":500,"batch_size":32,"epochs":3,"seed":5}`
	res, err := http.Post(base+"/api/sessions", "application/json", bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		ID string `json:"id"`
	}
	_ = json.NewDecoder(res.Body).Decode(&created)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d", res.StatusCode)
	}
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		res, err := http.Get(base + "/api/sessions/" + created.ID)
		if err != nil {
			t.Fatal(err)
		}
		var in struct{ State string }
		_ = json.NewDecoder(res.Body).Decode(&in)
		res.Body.Close()
		if in.State == "completed" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run did not complete (state %q)", in.State)
		}
	}

	frameStep := func() int {
		t.Helper()
		return eval[int](t, ctx, `Number(document.querySelector('[data-testid="latent-canvas"]').dataset.frameStep ?? -1)`)
	}
	waitStep := func(what string, ok func(int) bool) int {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if s := frameStep(); ok(s) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("the latent scatter never showed %s; it shows step %d (status %q)", what, frameStep(), text(t, ctx, "timeline-status"))
			}
		}
	}
	press := func(key string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Focus(testid("timeline-slider")), chromedp.KeyEvent(key)); err != nil {
			t.Fatal(err)
		}
	}
	scrub := func(page string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 720), chromedp.Navigate(page), chromedp.WaitVisible(testid("timeline-slider"))); err != nil {
			t.Fatalf("open %s: the scrubber never showed: %v", page, err)
		}
		waitStep("the end of the run", func(s int) bool { return s == 48 })
		if max := eval[string](t, ctx, `document.querySelector('[data-testid="timeline-slider"]').max`); max != "8" {
			t.Fatalf("the scrubber has %s+1 positions, want 9 keyframes", max)
		}
		updatesBefore := updates(t, ctx, "latent-canvas")
		press(kb.ArrowLeft)
		waitStep("step 32 after one step back", func(s int) bool { return s == 32 })
		if mark := eval[string](t, ctx, `document.querySelector('[data-testid="loss-chart"]').dataset.mark`); mark != "2" {
			t.Errorf("the loss chart's marker is at epoch %q, want 2", mark)
		}
		if st := text(t, ctx, "timeline-status"); !has("step 32 · epoch 2.00")(st) || !has("keyframe 8 of 9")(st) {
			t.Errorf("status = %q", st)
		}
		press(kb.Home)
		waitStep("the untrained network (step 0)", func(s int) bool { return s == 0 })
		if got := updates(t, ctx, "latent-canvas"); got <= updatesBefore {
			t.Errorf("the scatter was not redrawn while scrubbing (updates %d → %d)", updatesBefore, got)
		}
		press(kb.ArrowRight)
		press(kb.ArrowRight)
		waitStep("step 2", func(s int) bool { return s == 2 })
		// Play at 4× runs on to the end by itself.
		if err := chromedp.Do(ctx, chromedp.SetValue(testid("timeline-speed"), "4"), chromedp.Click(testid("timeline-play"))); err != nil {
			t.Fatal(err)
		}
		seen := map[int]bool{}
		for deadline := time.Now().Add(20 * time.Second); frameStep() != 48; time.Sleep(20 * time.Millisecond) {
			seen[frameStep()] = true
			if time.Now().After(deadline) {
				t.Fatalf("Play never reached the end; it shows step %d", frameStep())
			}
		}
		if len(seen) < 4 {
			t.Errorf("Play showed only steps %v on its way to the end", seen)
		}
		press(kb.Home)
		waitStep("step 0", func(s int) bool { return s == 0 })
		if err := chromedp.Do(ctx, chromedp.Click(testid("timeline-live"))); err != nil {
			t.Fatal(err)
		}
		waitStep("the end again after Live", func(s int) bool { return s == 48 })
		if mark := eval[string](t, ctx, `document.querySelector('[data-testid="loss-chart"]').dataset.mark`); mark != "" {
			t.Errorf("the loss chart keeps a marker at %q after Live", mark)
		}
	}
	scrub(base + "/sessions/" + created.ID)

	if err := stop(); err != nil {
		t.Fatal(err)
	}
	base, _ = startServer(t, "-data", dir)
	scrub(base + "/sessions/" + created.ID)
	press(kb.Home)
	for range 4 {
		press(kb.ArrowRight)
	}
	waitStep("step 10", func(s int) bool { return s == 10 })
	replayScreenshot(t, ctx)
}

// replayScreenshot saves the replay scrubber and the panels it drives as
// replay.png in AELAB_SCREENSHOTS, when set (the README's picture).
func replayScreenshot(t *testing.T, ctx context.Context) {
	t.Helper()
	dir := os.Getenv("AELAB_SCREENSHOTS")
	if dir == "" {
		return
	}
	if err := chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.CSS(`.charts`))); err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(`.charts`)))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "replay.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
