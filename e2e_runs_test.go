package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

// TestBrowserRunsSurviveRestartAndDownload trains a small run to its end and
// notes its curves on the session page, restarts the server on the same
// -data directory, finds the run on /runs, opens it and sees the same curves
// (as many loss points, the same final test loss), then downloads the loss
// chart as a PNG and checks the file.
func TestBrowserRunsSurviveRestartAndDownload(t *testing.T) {
	ctx := browser(t)
	dir := filepath.Join(t.TempDir(), "data")
	base, stop := startServer(t, "-data", dir)

	body := `{"dataset":"blobs","encoder":[16],"bottleneck":2,"output_activation":"linear","batch_size":32,"epochs":3,"seed":5}`
	res, err := http.Post(base+"/api/sessions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ ID string }
	_ = json.NewDecoder(res.Body).Decode(&created)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d", res.StatusCode)
	}
	id := created.ID
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var info struct{ State string }
		if r, err := http.Get(base + "/api/sessions/" + id); err == nil {
			_ = json.NewDecoder(r.Body).Decode(&info)
			r.Body.Close()
		}
		if info.State == "completed" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run did not complete (state %q)", info.State)
		}
	}

	// curves waits for the session page's loss chart to have drawn and
	// returns its point counts and the final loss line.
	curves := func() (train, test int, final string) {
		t.Helper()
		final = waitText(t, ctx, "final-loss", "the final test loss", has("loss"))
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			train = eval[int](t, ctx, `Number(document.querySelector('[data-testid="loss-chart"]').dataset.trainPoints ?? 0)`)
			test = eval[int](t, ctx, `Number(document.querySelector('[data-testid="loss-chart"]').dataset.testPoints ?? 0)`)
			drawn := eval[bool](t, ctx, `!!document.querySelector('[data-testid="loss-chart"] canvas')`)
			if train > 0 && test > 0 && drawn {
				return train, test, final
			}
			if time.Now().After(deadline) {
				t.Fatalf("the loss chart never drew (train %d, test %d points)", train, test)
			}
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/sessions/"+id)); err != nil {
		t.Fatal(err)
	}
	train, test, final := curves()
	if test < 3 { // one per epoch at least (and one before the first step)
		t.Errorf("%d test-loss points for 3 epochs", test)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	base, _ = startServer(t, "-data", dir)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/runs"), chromedp.WaitVisible(testid("runs-table"))); err != nil {
		t.Fatal(err)
	}
	if st := text(t, ctx, "run-"+id); !strings.Contains(st, "completed") {
		t.Fatalf("/runs after the restart shows the run as %q", st)
	}
	// The list fits a projector's 1280×720 and a phone without scrolling sideways.
	for _, vp := range []struct {
		w, h int
		opts []chromedp.EmulateViewportOption
		name string
	}{{1280, 720, nil, "runs-1280"}, {390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateScale(2), chromedp.EmulateMobile}, "runs-phone"}} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(vp.w), int64(vp.h), vp.opts...), chromedp.Navigate(base+"/runs"),
			chromedp.WaitVisible(testid("run-link-"+id))); err != nil {
			t.Fatal(err)
		}
		if sw := eval[int](t, ctx, `document.documentElement.scrollWidth`); sw > vp.w {
			t.Errorf("/runs at %d px wide is %d px wide", vp.w, sw)
		}
		if !eval[bool](t, ctx, `(() => { const r = document.querySelector('[data-testid="run-loss-`+id+`"]').getBoundingClientRect(); return r.width > 0 && r.right <= innerWidth })()`) {
			t.Errorf("/runs at %d px wide: the test loss is not in view", vp.w)
		}
		labScreenshot(t, ctx, vp.name)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, ctx, "run-link-"+id)
	train2, test2, final2 := curves()
	if train2 != train || test2 != test || final2 != final {
		t.Fatalf("after the restart: %d train and %d test points, %q; before: %d, %d, %q", train2, test2, final2, train, test, final)
	}

	// The loss chart's download button saves what is drawn, as a PNG.
	dl := t.TempDir()
	allow := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dl,
			BrowserContextID: chromedp.FromContext(ctx).BrowserContextID}) // the test's own (see browser)
		return err
	})
	if err := chromedp.Do(ctx, allow); err != nil {
		t.Fatal(err)
	}
	canvasWidth := eval[int](t, ctx, `document.querySelector('[data-testid="loss-chart"] canvas').width`)
	click(t, ctx, "download-loss")
	want := filepath.Join(dl, fmt.Sprintf("aelab-%s-loss.png", id))
	var png []byte
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if b, err := os.ReadFile(want); err == nil && len(b) > 24 {
			png = b
			break
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(dl)
			t.Fatalf("no %s downloaded; the directory holds %v", filepath.Base(want), entries)
		}
	}
	if string(png[:8]) != "\x89PNG\r\n\x1a\n" || string(png[12:16]) != "IHDR" {
		t.Fatalf("the download is not a PNG: % x", png[:16])
	}
	w, h := binary.BigEndian.Uint32(png[16:20]), binary.BigEndian.Uint32(png[20:24])
	canvasHeight := eval[int](t, ctx, `document.querySelector('[data-testid="loss-chart"] canvas').height`)
	if int(w) < canvasWidth || int(h) <= canvasHeight {
		t.Errorf("the PNG is %d×%d; the chart's canvas is %d×%d (it should hold the whole canvas, with the title and legend around it)", w, h, canvasWidth, canvasHeight)
	}
}
