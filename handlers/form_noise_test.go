package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestFormNoiseFields starts a denoising run from the home form (the
// Denoising preset's fields): a kind without a level is refused next to the
// level field, a kind with one gives the run its training noise, and the
// run's "Edit and train again" link carries it back.
func TestFormNoiseFields(t *testing.T) {
	ts := newTestServer(t)
	form := url.Values{"dataset": {"mnist"}, "encoder": {"32"}, "bottleneck": {"8"}, "activation": {"relu"},
		"output_activation": {"sigmoid"}, "loss": {"mse"}, "optimizer": {"adam"}, "learning_rate": {"0.001"},
		"batch_size": {"32"}, "epochs": {"1"}, "train_size": {"256"}, "seed": {"1"}, "noise": {"masking"}, "noise_level": {""}}
	res, b := ts.postForm(t, form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "give the noise level") {
		t.Fatalf("noise without a level: %d", res.StatusCode)
	}
	form.Set("noise_level", "1.5")
	res, b = ts.postForm(t, form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "between 0 and 1") {
		t.Fatalf("masking 1.5: %d", res.StatusCode)
	}
	form.Set("noise_level", "0.3")
	res, _ = ts.postForm(t, form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("denoising form: %d", res.StatusCode)
	}
	id := strings.TrimPrefix(res.Header.Get("Location"), "/sessions/")
	s, err := ts.m.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	if n := s.Config().Noise; n == nil || n.Kind != "masking" || n.Level != 0.3 {
		t.Fatalf("the run's noise is %+v, want masking 0.3", n)
	}
	if q := formQuery(configForm(s.Config())); !strings.Contains(q, "noise=masking") || !strings.Contains(q, "noise_level=0.3") {
		t.Fatalf("train-again query %q lacks the noise", q)
	}
	form.Set("noise", "none")
	form.Set("noise_level", "")
	res, _ = ts.postForm(t, form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("form without noise: %d", res.StatusCode)
	}
	s2, _ := ts.m.Get(strings.TrimPrefix(res.Header.Get("Location"), "/sessions/"))
	if s2.Config().Noise != nil {
		t.Fatalf("no noise chosen, but the run has %+v", s2.Config().Noise)
	}
}
