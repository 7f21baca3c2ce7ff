package templates

import (
	"strings"
	"testing"
)

// The replay scrubber sits under the loss chart, hidden until the script
// has keyframes, with a labelled slider, Play, the four speeds and Live.
func TestSessionPageTimeline(t *testing.T) {
	doc := render(t, Session(sampleSession(false, "completed")))
	root := one(t, doc, "timeline")
	if _, hidden := attr(root, "hidden"); !hidden {
		t.Error("the scrubber shows before it has keyframes")
	}
	if v, _ := attr(root, "role"); v != "group" {
		t.Errorf("timeline role = %q, want group", v)
	}
	slider := one(t, doc, "timeline-slider")
	if v, _ := attr(slider, "type"); v != "range" {
		t.Errorf("slider type = %q", v)
	}
	if v, _ := attr(slider, "aria-labelledby"); v != "timeline-title" {
		t.Errorf("slider is labelled by %q", v)
	}
	if got := text(one(t, doc, "timeline-play")); got != "Play" {
		t.Errorf("play = %q", got)
	}
	if got := text(one(t, doc, "timeline-live")); got != "Live" {
		t.Errorf("live = %q", got)
	}
	if got := text(one(t, doc, "timeline-speed")); strings.Join(strings.Fields(got), " ") != "0.5× 1× 2× 4×" {
		t.Errorf("speeds = %q", got)
	}
	// Under the loss chart: inside its panel.
	for n := root.Parent; ; n = n.Parent {
		if n == nil {
			t.Fatal("the scrubber is not in the loss chart's panel")
		}
		if v, _ := attr(n, "aria-labelledby"); v == "loss-title" {
			break
		}
	}
}
