package templates

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestLiveControls checks the owner's learning-rate and step controls: only the owner gets them,
// the inputs are labelled, the step form shows only while paused and nothing after the end.
func TestLiveControls(t *testing.T) {
	if got := byTestID(render(t, Session(sampleSession(false, "running"))), "live-controls"); len(got) != 0 {
		t.Fatal("a viewer who is not the owner got the live controls")
	}
	running := render(t, Session(sampleSession(true, "running")))
	live := one(t, running, "live-controls")
	if hasAttr(live, "hidden") {
		t.Error("live controls hidden while running")
	}
	lr := one(t, running, "set-lr")
	if id, _ := attr(lr, "id"); id != "set-lr" {
		t.Errorf("learning-rate input id %q", id)
	}
	labels := findAll(running, func(n *html.Node) bool { f, ok := attr(n, "for"); return n.Data == "label" && ok && f == "set-lr" })
	if len(labels) != 1 || text(labels[0]) == "" {
		t.Error("the learning-rate field has no label")
	}
	if typ, _ := attr(one(t, running, "btn-set"), "type"); typ != "submit" {
		t.Errorf("Apply is type %q, want submit (Enter applies)", typ)
	}
	if !hasAttr(one(t, running, "step-form"), "hidden") {
		t.Error("the step form shows while running")
	}
	paused := render(t, Session(sampleSession(true, "paused")))
	if hasAttr(one(t, paused, "step-form"), "hidden") {
		t.Error("the step form is hidden while paused")
	}
	if v, _ := attr(one(t, paused, "step-batches"), "max"); v != "1000" {
		t.Errorf("batches max %q, want 1000", v)
	}
	if !hasAttr(one(t, render(t, Session(sampleSession(true, "completed"))), "live-controls"), "hidden") {
		t.Error("live controls shown after the end")
	}
}

// TestLiveSettingsOfTheKind checks that the owner's live controls offer β only for a VAE and the
// training noise only for a denoising run, each input labelled, with a help line that names them.
func TestLiveSettingsOfTheKind(t *testing.T) {
	for _, tc := range []struct {
		vae, noisy bool
	}{{false, false}, {true, false}, {false, true}, {true, true}} {
		v := sampleSession(true, "running")
		v.Generative, v.Denoising = tc.vae, tc.noisy
		doc := render(t, Session(v))
		for id, want := range map[string]bool{"set-beta": tc.vae, "set-noise": tc.noisy, "set-noise-level": tc.noisy} {
			got := byTestID(doc, id)
			if (len(got) == 1) != want {
				t.Errorf("vae %v, noisy %v: %d %s inputs, want %v", tc.vae, tc.noisy, len(got), id, want)
				continue
			}
			if !want {
				continue
			}
			elID, _ := attr(got[0], "id")
			labels := findAll(doc, func(n *html.Node) bool { f, ok := attr(n, "for"); return n.Data == "label" && ok && f == elID })
			if len(labels) != 1 || text(labels[0]) == "" {
				t.Errorf("%s has no label", id)
			}
		}
		help := ""
		for _, n := range findAll(doc, func(n *html.Node) bool { id, _ := attr(n, "id"); return id == "set-help" }) {
			help = text(n)
		}
		if strings.Contains(help, "β") != tc.vae || strings.Contains(help, "noise") != tc.noisy {
			t.Errorf("vae %v, noisy %v: help %q", tc.vae, tc.noisy, help)
		}
	}
}
