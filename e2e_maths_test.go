package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// apiStart starts a training through the API and returns its id.
func apiStart(t *testing.T, base, body string) string {
	t.Helper()
	res, err := http.Post(base+"/api/sessions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var created struct{ ID, Error string }
	_ = json.NewDecoder(res.Body).Decode(&created)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("start %s: %d %s", body, res.StatusCode, created.Error)
	}
	return created.ID
}

// apiStartOwned starts a training through the API and returns its id and
// owner token.
func apiStartOwned(t *testing.T, base, body string) (id, token string) {
	t.Helper()
	res, err := http.Post(base+"/api/sessions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var created struct {
		ID, Error  string
		OwnerToken string `json:"owner_token"`
	}
	_ = json.NewDecoder(res.Body).Decode(&created)
	if res.StatusCode != http.StatusCreated || created.OwnerToken == "" {
		t.Fatalf("start %s: %d %s", body, res.StatusCode, created.Error)
	}
	return created.ID, created.OwnerToken
}

// control pauses or resumes a training as its owner, retrying while the
// server answers 409 (a pause asked before the run has left the queue: the
// first MNIST training of the process waits for the set's decoding, which
// takes long under the race detector on a loaded machine).
func control(t *testing.T, base, id, token, action string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		req, _ := http.NewRequest("POST", base+"/api/sessions/"+id+"/"+action, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode == http.StatusNoContent {
			return
		}
		if res.StatusCode != http.StatusConflict || time.Now().After(deadline) {
			t.Fatalf("%s %s: %d %s", action, id, res.StatusCode, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestBrowserMathsPanel opens a session at 1280×720 and reads its Maths
// panel: KaTeX (vendored) typesets the model with K = 784 and the layer
// shapes, the loss value follows the run live and, once it ends, is the
// page's final test loss; every font the formulas use loads.
func TestBrowserMathsPanel(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	// Paused at once, so that it is still under way when KaTeX has loaded and typeset however fast
	// the machine, and resumed once the formulas are up: the panel must follow it from there.
	id, token := apiStartOwned(t, base, `{"encoder":[256],"bottleneck":16,"train_size":6000,"test_size":500,"epochs":3,"batch_size":32}`)
	control(t, base, id, token, "pause")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 720), chromedp.Navigate(base+"/sessions/"+id),
		chromedp.WaitVisible(testid("maths-panel"))); err != nil {
		t.Fatal(err)
	}
	// KaTeX loads only when the panel comes near the screen.
	if eval[bool](t, ctx, `!!window.katex`) {
		t.Error("KaTeX loaded before the Maths panel came near the screen")
	}
	eval[bool](t, ctx, `document.querySelector('[data-testid="maths-panel"]').scrollIntoView(), true`)
	waitFor(t, ctx, "the formulas typeset", `!!document.querySelector('[data-testid="maths-input"] .katex-html')`)

	r1 := eval[int](t, ctx, `Number(document.querySelector('[data-testid="maths-panel"]').dataset.rendered)`)
	if st := text(t, ctx, "state"); !strings.Contains(st, "paused") {
		t.Fatalf("the run is %s when the formulas are first typeset, not paused: the panel cannot be seen to follow it", st)
	}
	shown := func(group string) string {
		return eval[string](t, ctx, `[...document.querySelectorAll('[data-testid="maths-`+group+`"] .katex-html')].map((e) => e.textContent).join("\n")`)
	}
	if in := shown("input"); !strings.Contains(in, "K=784") {
		t.Errorf("input formula shows %q; want K = 784", in)
	}
	layers := shown("layers")
	for _, want := range []string{"W1∈R256×784", "W2∈R16×256", "x^=σ(W4h2+b4)"} {
		if !strings.Contains(strings.ReplaceAll(layers, "\u200b", ""), want) {
			t.Errorf("layers show %q; want %q in them", layers, want)
		}
	}
	if p := shown("params"); !strings.Contains(p, "=200,960+4,112+4,352+201,488=410,912") {
		t.Errorf("parameter sum shows %q", p)
	}
	if b := shown("bottleneck"); !strings.Contains(b, "M=16") || !strings.Contains(b, "=49") {
		t.Errorf("bottleneck shows %q; want M = 16 and K/M = 49", b)
	}
	if o := shown("optimizer"); !strings.Contains(o, "η=0.001") {
		t.Errorf("update rule shows %q; want Adam's η = 0.001", o)
	}

	// The loss follows the run: redrawn while it trains, and at the end
	// the test loss it shows is the page's final test loss.
	control(t, base, id, token, "resume")
	waitText(t, ctx, "state", "completed", has("completed"))
	if r2 := eval[int](t, ctx, `Number(document.querySelector('[data-testid="maths-panel"]').dataset.rendered)`); r2 <= r1 {
		t.Errorf("the panel was rendered %d times before the end and %d after; want live updates", r1, r2)
	}
	final := strings.TrimPrefix(waitText(t, ctx, "final-loss", "the final loss", has("loss")), "Final test loss ")
	waitFor(t, ctx, "the final test loss in the panel", `document.querySelector('[data-testid="maths-loss"] .maths-value .katex-html')?.textContent.includes("=`+final+`")`)
	if s := text(t, ctx, "maths-summary"); !strings.Contains(s, "test loss "+final+" at epoch 3") {
		t.Errorf("summary %q does not give the final test loss %s at epoch 3", s, final)
	}
	// The loss chart's text alternative says the same, and so does the
	// latent scatter's.
	if s := text(t, ctx, "loss-summary"); !strings.HasPrefix(s, "Test loss "+final+" at epoch 3;") {
		t.Errorf("loss chart's live summary %q; want the final test loss %s at epoch 3", s, final)
	}
	if l := attrOf(t, ctx, "loss-chart", "aria-label"); !strings.Contains(l, "Test loss "+final) {
		t.Errorf("loss chart's label %q lacks the test loss", l)
	}
	if l := attrOf(t, ctx, "latent-canvas", "aria-label"); !strings.Contains(l, "codes of 1,000 test examples from 10 classes") {
		t.Errorf("latent scatter's label %q", l)
	}
	// Every font face the page asked for loaded (none vendored is missing).
	bad, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.fonts.ready.then(() => [...document.fonts].filter((f) => f.status === "error").map((f) => f.family).join(", "))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if bad != "" {
		t.Errorf("fonts that failed to load: %s", bad)
	}
}

// TestBrowserLatentDrillDown clicks a marker of the latent scatter at
// 1280×720 and sees that test example, its reconstruction and its error;
// typing an example's number (the keyboard's way) shows that one.
func TestBrowserLatentDrillDown(t *testing.T) {
	ctx := browser(t)
	base, _ := startServer(t)
	id := apiStart(t, base, `{"encoder":[64],"bottleneck":2,"train_size":3000,"test_size":300,"epochs":1,"batch_size":32}`)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 720), chromedp.Navigate(base+"/sessions/"+id),
		chromedp.WaitVisible(testid("latent-canvas"))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "state", "completed", has("completed"))
	waitUpdates(t, ctx, "latent-canvas")
	eval[bool](t, ctx, `document.querySelector('[data-testid="latent-canvas"]').scrollIntoView({block: "center"}), true`)
	// A marker is a saturated pixel in the plot (grid and text are grey):
	// its position on the page.
	xy := eval[[]float64](t, ctx, `(() => {
		const c = document.querySelector('[data-testid="latent-canvas"]');
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		const r = c.getBoundingClientRect(), k = c.width / r.width;
		for (let y = Math.floor(c.height * 0.3); y < c.height * 0.8; y++)
			for (let x = Math.floor(c.width * 0.2); x < c.width * 0.9; x++) {
				const o = (y * c.width + x) * 4;
				if (Math.abs(d[o] - d[o + 1]) + Math.abs(d[o + 1] - d[o + 2]) > 120) return [r.left + x / k, r.top + y / k];
			}
		return [];
	})()`)
	if len(xy) != 2 {
		t.Fatal("no marker found on the latent scatter")
	}
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(xy[0], xy[1])); err != nil {
		t.Fatal(err)
	}
	shown := waitText(t, ctx, "drill-text", "the clicked example", has("test example"))
	sel := attrOf(t, ctx, "drill", "data-selected")
	if !strings.HasPrefix(shown, "Test example "+sel+", class ") || !strings.Contains(shown, "reconstruction error (MSE) ") {
		t.Fatalf("after clicking point %s the drill-down says %q", sel, shown)
	}
	lit := eval[int](t, ctx, `(() => { const c = document.querySelector('[data-testid="drill-canvas"]');
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
		for (let i = 0; i < d.length; i += 4) if (d[i] > 128 && d[i + 3] > 0) n++; return n })()`)
	if lit < 50 {
		t.Errorf("the example and its reconstruction have %d bright pixels; want a digit drawn", lit)
	}

	// The keyboard's way: type a number and press Enter.
	other := "5"
	if sel == "5" {
		other = "6"
	}
	if err := chromedp.Do(ctx, chromedp.Focus(testid("drill-index")), chromedp.SetValue(testid("drill-index"), ""),
		chromedp.SendKeys(testid("drill-index"), other+"\r")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "drill-text", "the typed example", has("test example "+other+","))
	// A number past the scatter's points is refused with what to type.
	if err := chromedp.Do(ctx, chromedp.SetValue(testid("drill-index"), ""), chromedp.SendKeys(testid("drill-index"), "5000\r")); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, "drill-error", "the refusal", has("whole number from 0 to"))
}
