package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserFirstRunPath walks the path to the first run on a 1280×720
// projector: Train and the network drawing on the first screen, a start
// refused by the rate limit keeps its message and focus (and counts down
// while the live check runs), Back and reload keep the form, and the session
// page offers "Edit and train again".
func TestBrowserFirstRunPath(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t, "-start-burst", "1", "-starts-per-minute", "0.5")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 720), chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(testid("train-button"))); err != nil {
		t.Fatal(err)
	}
	// The first screen holds the picker, the shape, Train and the drawing.
	for _, id := range []string{"train-button", "arch", "dataset-swiss_roll", "copy-link"} {
		waitFor(t, ctx, id+" visible", `document.querySelector('[data-testid="`+id+`"]').getBoundingClientRect().height > 0`)
		if bottom := eval[float64](t, ctx, `document.querySelector('[data-testid="`+id+`"]').getBoundingClientRect().bottom`); bottom > 720 {
			t.Errorf("%s ends at y = %.0f, below the first screen of 720 px", id, bottom)
		}
	}
	if y := eval[float64](t, ctx, `window.scrollY`); y != 0 {
		t.Errorf("the page starts scrolled to %v", y)
	}

	// A toy-set card fits the shape (M = 2, a small hidden layer), and the address follows the form.
	click(t, ctx, "dataset-swiss_roll")
	waitFor(t, ctx, "the shape fitted to the swiss roll", `document.querySelector('[name="bottleneck"]').value === "2" && document.querySelector('[name="encoder"]').value === "16"`)
	setField(t, ctx, "epochs", "2")
	setField(t, ctx, "batch_size", "32")
	waitFor(t, ctx, "the address follows the form", `location.search.includes("dataset=swiss_roll") && location.search.includes("epochs=2")`)
	waitText(t, ctx, "check-status", "a valid configuration", has("ready"))

	// The first start; the session page offers Train again and Copy link.
	clickAndLoad(t, ctx, "train-button")
	waitText(t, ctx, "session-title", "the swiss roll", has("swiss roll"))
	again := attrOf(t, ctx, "train-again", "href")
	for _, want := range []string{"dataset=swiss_roll", "encoder=16", "bottleneck=2", "epochs=2", "batch_size=32"} {
		if !strings.Contains(again, want) {
			t.Errorf("Train again link %q lacks %s", again, want)
		}
	}

	// Back keeps the form.
	if err := chromedp.Do(ctx, chromedp.NavigateBack(), chromedp.WaitVisible(testid("train-button"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "Back keeps the form", `document.querySelector('input[value="swiss_roll"]').checked && document.querySelector('[name="epochs"]').value === "2" && document.querySelector('[name="bottleneck"]').value === "2"`)

	// A second start is over the limit (one start per two minutes): the form comes back with the
	// message, focus on it, and a countdown; the live check does not clear it.
	clickAndLoad(t, ctx, "train-button")
	waitText(t, ctx, "form-error", "the rate-limit message", has("too many trainings"))
	waitFor(t, ctx, "focus on the message", `document.activeElement === document.querySelector('[data-testid="form-error"]')`)
	first := text(t, ctx, "form-error")
	time.Sleep(2500 * time.Millisecond) // past the live check's answer and two ticks
	later := text(t, ctx, "form-error")
	if !strings.Contains(later, "too many trainings") || later == first {
		t.Errorf("the refused start's message did not stay and count down: %q then %q", first, later)
	}
	if top := eval[float64](t, ctx, `document.querySelector('[data-testid="form-error"]').getBoundingClientRect().top`); top < 0 || top > 720 {
		t.Errorf("the message is off screen (top %.0f)", top)
	}
	if v := eval[string](t, ctx, `document.querySelector('[name="encoder"]').value`); v != "16" {
		t.Errorf("the refused form lost its encoder: %q", v)
	}
	// Reload does not post again and keeps the form.
	waitFor(t, ctx, "the address is the form's", `location.pathname === "/" && location.search.includes("epochs=2")`)
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(testid("train-button"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "reload keeps the form", `document.querySelector('input[value="swiss_roll"]').checked && document.querySelector('[name="epochs"]').value === "2"`)

	// Copy link hands on every field.
	click(t, ctx, "copy-link")
	waitFor(t, ctx, "the link copied", `(document.querySelector('[data-testid="copy-link"]').dataset.copied || "").includes("learning_rate=")`)
	link := eval[string](t, ctx, `document.querySelector('[data-testid="copy-link"]').dataset.copied`)
	if !strings.HasPrefix(link, base+"/?") || !strings.Contains(link, "dataset=swiss_roll") || !strings.Contains(link, "seed=1") {
		t.Errorf("copied link %q", link)
	}
}

// TestBrowserPhoneReachesTrain: on a phone the form comes first and Train is
// a short scroll away (it was 6,800 px down).
func TestBrowserPhoneReachesTrain(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(base+"/"), chromedp.WaitVisible(testid("train-button"))); err != nil {
		t.Fatal(err)
	}
	if y := eval[float64](t, ctx, `document.querySelector('[data-testid="train-button"]').getBoundingClientRect().bottom + scrollY`); y > 2*844 {
		t.Errorf("Train ends %.0f px down the phone page, more than two screens", y)
	}
}
