package handlers

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// slot returns the text of the element with data-testid id in page (the
// first one), or "" when there is none.
func slot(page []byte, id string) string {
	m := regexp.MustCompile(`data-testid="` + regexp.QuoteMeta(id) + `"[^>]*>([^<]*)<`).FindSubmatch(page)
	if m == nil {
		return ""
	}
	return string(m[1])
}

// TestInitAndNoiseAPIFields checks the "init" field and the training
// noise's level through the API: refusals name the field (an empty init and
// a level of 0 included), "init" is kept in the run's configuration and
// named on its page.
func TestInitAndNoiseAPIFields(t *testing.T) {
	ts := newTestServer(t)
	for _, tc := range []struct{ body, field, says string }{
		{`{"bottleneck":2,"init":"xavier"}`, "init", "he, pytorch"},
		{`{"bottleneck":2,"init":""}`, "init", "he, pytorch"},
		{`{"bottleneck":2,"init":3}`, "init", "string"},
		{`{"bottleneck":2,"noise":{"kind":"gaussian","level":0}}`, "noise", "greater than 0"},
		{`{"bottleneck":2,"noise":{"kind":"masking","level":0}}`, "noise", "greater than 0"},
		{`{"bottleneck":2,"noise":{"kind":"masking","level":1.5}}`, "noise", "between 0 and 1"},
		{`{"bottleneck":2,"noise":{"kind":"gaussian","level":-0.1}}`, "noise", "between 0"},
	} {
		res, b := ts.do(t, "POST", "/api/sessions", tc.body, nil)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), `"`+tc.field+`"`) || !strings.Contains(string(b), tc.says) {
			t.Errorf("%s: %d %s; want 400 naming %s and saying %q", tc.body, res.StatusCode, b, tc.field, tc.says)
		}
	}
	// No noise at all is still a plain run.
	ts.create(t, `{"bottleneck":2,"train_size":256,"epochs":1,"noise":{"kind":"none","level":0}}`)

	c := ts.create(t, `{"kind":"vae","init":"PyTorch","encoder":[32],"bottleneck":2,"train_size":256,"test_size":100,"epochs":1}`)
	var info struct {
		Config struct {
			Init string `json:"init"`
		} `json:"config"`
	}
	res, b := ts.do(t, "GET", "/api/sessions/"+c.ID, "", nil)
	if err := json.Unmarshal(b, &info); err != nil || res.StatusCode != 200 || info.Config.Init != "pytorch" {
		t.Fatalf("GET: %d, init %q (%v); want pytorch", res.StatusCode, info.Config.Init, err)
	}
	if _, page := ts.do(t, "GET", "/sessions/"+c.ID, "", nil); !strings.Contains(string(page), "PyTorch&#39;s nn.Linear default") {
		t.Error("the session page does not name the initial weights")
	}
}

// TestFormBetaAndNoiseFields checks the home form's β and noise-level fields
// as the server renders and reads them: β is shown (and sent) only for a
// VAE, a refused β or noise level is put next to its own field, 0 included,
// and the owner's page of a VAE has the live β control (of a denoising run
// the noise controls), a plain run neither.
func TestFormBetaAndNoiseFields(t *testing.T) {
	ts := newTestServer(t)
	_, home := ts.do(t, "GET", "/", "", nil)
	betaField := regexp.MustCompile(`<div class="field"[^>]*data-field="beta"[^>]*>`)
	if f := betaField.Find(home); f == nil || !strings.Contains(string(f), "hidden") {
		t.Errorf("β shows on the default form (kind ae): %s", f)
	}
	if !regexp.MustCompile(`id="f-beta"[^>]*disabled`).Match(home) {
		t.Error("β's input is not disabled for a plain autoencoder (it would be sent)")
	}
	_, vaeHome := ts.do(t, "GET", "/?kind=vae&beta=4", "", nil)
	if f := betaField.Find(vaeHome); f == nil || strings.Contains(string(f), "hidden") {
		t.Errorf("β is hidden on a VAE's form: %s", f)
	}
	if !regexp.MustCompile(`id="f-beta"[^>]*value="4"`).Match(vaeHome) || regexp.MustCompile(`id="f-beta"[^>]*disabled`).Match(vaeHome) {
		t.Error("the address's β=4 is not in an enabled β field")
	}

	form := url.Values{"dataset": {"mnist"}, "kind": {"vae"}, "encoder": {"32"}, "bottleneck": {"2"}, "activation": {"relu"},
		"output_activation": {"sigmoid"}, "loss": {"bce"}, "optimizer": {"adam"}, "learning_rate": {"0.001"},
		"batch_size": {"32"}, "epochs": {"1"}, "train_size": {"256"}, "seed": {"1"}, "noise": {"none"}}
	for val, says := range map[string]string{"0": "from 0.0001 to 100, not 0", "101": "from 0.0001 to 100, not 101", "much": "must be a number"} {
		form.Set("beta", val)
		res, b := ts.postForm(t, form)
		if got := slot(b, "error-beta"); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(got, says) {
			t.Errorf("β %s: %d, message next to β %q; want %q", val, res.StatusCode, got, says)
		}
	}
	form.Set("beta", "4")
	res, _ := ts.postForm(t, form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("VAE with β 4: %d", res.StatusCode)
	}
	vae := strings.TrimPrefix(res.Header.Get("Location"), "/sessions/")
	owner := ""
	for _, ck := range res.Cookies() {
		if ck.Name == ownerCookieName {
			owner = ck.Name + "=" + ck.Value
		}
	}
	if s, err := ts.m.Get(vae); err != nil || s.Config().BetaValue() != 4 {
		t.Fatalf("the run's β: %v", err)
	}

	// The same browser starts the other runs: they are its own too.
	post := func(form url.Values) (*http.Response, []byte) {
		return ts.do(t, "POST", "/sessions", form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Cookie": owner})
	}
	form.Set("kind", "ae")
	form.Set("loss", "mse")
	form.Del("beta")
	form.Set("noise", "gaussian")
	for val, says := range map[string]string{"0": "greater than 0", "1.5": "between 0 and 1", "-1": "between 0"} {
		form.Set("noise_level", val)
		res, b := post(form)
		if got := slot(b, "error-noise_level"); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(got, says) {
			t.Errorf("noise level %s: %d, message next to the level %q; want %q", val, res.StatusCode, got, says)
		}
	}
	form.Set("noise", "pink")
	form.Set("noise_level", "0.3")
	if res, b := post(form); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(slot(b, "error-noise"), "choose the training noise") {
		t.Errorf("noise pink: %d, message next to the noise %q", res.StatusCode, slot(b, "error-noise"))
	}
	form.Set("noise", "masking")
	res, _ = post(form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("denoising form: %d", res.StatusCode)
	}
	noisy := strings.TrimPrefix(res.Header.Get("Location"), "/sessions/")
	form.Set("noise", "none")
	form.Del("noise_level")
	res, _ = post(form)
	plain := strings.TrimPrefix(res.Header.Get("Location"), "/sessions/")

	for _, tc := range []struct {
		id          string
		beta, noise bool
	}{{vae, true, false}, {noisy, false, true}, {plain, false, false}} {
		_, page := ts.do(t, "GET", "/sessions/"+tc.id, "", map[string]string{"Cookie": owner})
		p := string(page)
		if !strings.Contains(p, `data-testid="set-lr"`) {
			t.Fatalf("session %s: the owner has no live controls", tc.id)
		}
		if got := strings.Contains(p, `data-testid="set-beta"`); got != tc.beta {
			t.Errorf("session %s: live β control %v, want %v", tc.id, got, tc.beta)
		}
		if got := strings.Contains(p, `data-testid="set-noise"`) && strings.Contains(p, `data-testid="set-noise-level"`); got != tc.noise {
			t.Errorf("session %s: live noise controls %v, want %v", tc.id, got, tc.noise)
		}
	}
	if _, page := ts.do(t, "GET", "/sessions/"+vae, "", nil); strings.Contains(string(page), `data-testid="set-beta"`) {
		t.Error("a viewer who is not the owner got the live β control")
	}
}
