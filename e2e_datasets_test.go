package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// waitFor polls a JavaScript condition until it holds.
func waitFor(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !eval[bool](t, ctx, js) {
		if time.Now().After(deadline) {
			page := eval[string](t, ctx, `location.pathname + "\n" + document.body.innerText.slice(0, 1500)`)
			t.Fatalf("%s: %s never held; the page:\n%s", what, js, page)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitUpdates waits until a chart's data-updates counter is above zero.
func waitUpdates(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	waitFor(t, ctx, id+" drawn", fmt.Sprintf(`Number(document.querySelector('[data-testid="%s"]')?.dataset.updates ?? 0) > 0`, id))
}

// attrOf reads an attribute of the element with a test id ("" if absent).
func attrOf(t *testing.T, ctx context.Context, id, name string) string {
	return eval[string](t, ctx, fmt.Sprintf(`document.querySelector('[data-testid="%s"]')?.getAttribute(%q) ?? ""`, id, name))
}

// TestBrowserToySetShowsItsLatentScatter picks the swiss roll by its card,
// trains a 2-unit bottleneck and sees the 2-D codes and the vector
// reconstructions; on the way, the dataset cards show their thumbnails.
func TestBrowserToySetShowsItsLatentScatter(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(testid("train-button"))); err != nil {
		t.Fatal(err)
	}
	// Thumbnails: images for MNIST, a point cloud for the swiss roll, curves for the sine waves.
	for id, kind := range map[string]string{"thumb-mnist": "image", "thumb-swiss_roll": "points", "thumb-sine_waves": "vector"} {
		waitUpdates(t, ctx, id)
		if got := attrOf(t, ctx, id, "data-kind"); got != kind {
			t.Errorf("%s draws %q, want %q", id, got, kind)
		}
	}
	if label := attrOf(t, ctx, "thumb-swiss_roll", "aria-label"); !strings.Contains(label, "500 points") {
		t.Errorf("swiss roll thumbnail is described as %q", label)
	}
	// Its classes got a legend with the thumbnail's markers.
	if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid="dataset-swiss_roll"] .thumb-key canvas').length`); n != 6 {
		t.Errorf("swiss roll legend has %d markers, want 6", n)
	}

	click(t, ctx, "dataset-swiss_roll")
	waitFor(t, ctx, "swiss roll chosen", `document.querySelector('input[name="dataset"][value="swiss_roll"]').checked`)
	for name, v := range map[string]string{"encoder": "16", "bottleneck": "2", "epochs": "8", "batch_size": "32", "train_size": ""} {
		setField(t, ctx, name, v)
	}
	waitText(t, ctx, "features", "K = 3", func(s string) bool { return s == "3" })
	waitText(t, ctx, "check-status", "a valid configuration", has("ready"))
	clickAndLoad(t, ctx, "train-button")
	if loc := eval[string](t, ctx, "location.pathname"); !strings.HasPrefix(loc, "/sessions/") {
		t.Fatalf("after Train the browser is at %s", loc)
	}
	waitText(t, ctx, "session-title", "the swiss roll", has("swiss roll"))
	waitUpdates(t, ctx, "latent-canvas")
	waitUpdates(t, ctx, "recon-canvas")
	waitText(t, ctx, "latent-caption", "an identity projection", has("identity"))
	waitText(t, ctx, "latent-legend", "the six bands", func(s string) bool { return strings.Contains(s, "band 1") && strings.Contains(s, "band 6") })
	waitText(t, ctx, "recon-legend", "curves of original and reconstruction", func(s string) bool {
		return strings.Contains(s, "original") && strings.Contains(s, "reconstruction") && !strings.Contains(s, "Top row")
	})
	waitText(t, ctx, "state", "completed", has("completed"))
	// 3-D data: the reconstructions are point clouds, not strips of three values.
	if kind := attrOf(t, ctx, "recon-canvas", "data-kind"); kind != "cloud" {
		t.Errorf("swiss roll reconstructions drawn as %q, want cloud", kind)
	}
}

// classroomCSV writes a CSV of three labelled groups of 4-feature rows.
func classroomCSV(t *testing.T, name string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("reading,maths,sleep,screen,group\n")
	groups := []string{"owls", "larks", "sparrows"}
	for i := range 240 {
		g := i % 3
		fmt.Fprintf(&b, "%d,%d,%.1f,%d,%s\n", 40+g*20+i%9, 90-g*25+i%7, 6+float64(g)+float64(i%5)/5, 1+g*2+i%3, groups[g])
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBrowserUploadCSVAndTrain uploads a CSV through the home page form
// (sent by upload.js, without leaving the page), sees its card selected
// with a thumbnail, trains on it and sees its classes in the latent
// scatter; then the same form without JavaScript: a refused file comes back
// with its message, a good one redirects with the new set selected.
func TestBrowserUploadCSVAndTrain(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(testid("upload-button"))); err != nil {
		t.Fatal(err)
	}
	// A file over the limit is refused before it is sent.
	big := filepath.Join(t.TempDir(), "big.csv")
	if err := os.WriteFile(big, append([]byte("x\n"), make([]byte, 33<<20)...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(testid("upload-file"), []string{big})); err != nil {
		t.Fatal(err)
	}
	click(t, ctx, "upload-button")
	waitText(t, ctx, "upload-error", "the size limit", has("larger than 32 mib"))

	setField(t, ctx, "encoder", "12")            // typed before the upload, kept after it
	eval[bool](t, ctx, `(window.stayed = true)`) // gone if the page reloads
	setField(t, ctx, "label_column", "group")
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(testid("upload-file"), []string{classroomCSV(t, "Class survey.csv")})); err != nil {
		t.Fatal(err)
	}
	click(t, ctx, "upload-button")
	waitText(t, ctx, "upload-notice", "the upload notice", has("ready"))
	if loc := eval[string](t, ctx, "location.pathname"); loc != "/" || !eval[bool](t, ctx, "window.stayed === true") {
		t.Errorf("the JavaScript upload left the page for %s", loc)
	}
	waitFor(t, ctx, "the new card selected", `document.querySelector('[data-testid="dataset-class-survey"] input[name="dataset"]')?.checked === true`)
	waitUpdates(t, ctx, "thumb-class-survey")
	if kind := attrOf(t, ctx, "thumb-class-survey", "data-kind"); kind != "points" {
		t.Errorf("the uploaded set's thumbnail draws %q, want points", kind)
	}
	waitText(t, ctx, "features", "K = 4", func(s string) bool { return s == "4" })
	if v := eval[string](t, ctx, `document.querySelector('[name="bottleneck"]').value`); v != "2" {
		t.Errorf("bottleneck is %q after choosing 4-feature data, want 2", v)
	}
	if v := eval[string](t, ctx, `document.querySelector('[name="encoder"]').value`); v != "12" {
		t.Errorf("the encoder typed before the upload became %q", v)
	}
	if e := text(t, ctx, "upload-error"); e != "" {
		t.Errorf("upload error after a good upload: %q", e)
	}

	setField(t, ctx, "epochs", "4")
	setField(t, ctx, "batch_size", "16")
	waitText(t, ctx, "check-status", "a valid configuration", has("ready"))
	clickAndLoad(t, ctx, "train-button")
	waitUpdates(t, ctx, "latent-canvas")
	waitUpdates(t, ctx, "recon-canvas")
	waitText(t, ctx, "latent-legend", "the three groups", func(s string) bool {
		return strings.Contains(s, "larks") && strings.Contains(s, "owls") && strings.Contains(s, "sparrows")
	})
	waitText(t, ctx, "recon-legend", "vector reconstructions", has("reconstruction"))
	waitText(t, ctx, "state", "completed", has("completed"))

	// The same form without JavaScript.
	noJS := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("a,b\n1,2\n3,4\n5,six\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, noJS, chromedp.Navigate(base+"/"), chromedp.WaitVisible(testid("upload-button")),
		chromedp.SetUploadFiles(testid("upload-file"), []string{bad})); err != nil {
		t.Fatal(err)
	}
	if n := updates(t, ctx, "thumb-mnist"); n != 0 {
		t.Fatalf("scripts still ran (thumbnail drawn %d times)", n)
	}
	clickAndLoad(t, ctx, "upload-button")
	if msg := text(t, ctx, "upload-error"); !strings.Contains(msg, `line 4, column "b": "six" is not a number`) {
		t.Fatalf("refused upload without JavaScript shows %q", msg)
	}
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(testid("upload-file"), []string{classroomCSV(t, "survey.csv")})); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(`#f-label_column`), "group")); err != nil {
		t.Fatal(err)
	}
	clickAndLoad(t, ctx, "upload-button")
	if loc := eval[string](t, ctx, "location.pathname + location.search"); loc != "/?dataset=survey" {
		t.Fatalf("after the upload the browser is at %s", loc)
	}
	if !eval[bool](t, ctx, `document.querySelector('input[name="dataset"][value="survey"]').checked`) {
		t.Error("the uploaded dataset is not selected")
	}
	waitText(t, ctx, "upload-notice", "the notice", has("ready"))
}
