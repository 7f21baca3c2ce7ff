package templates

import (
	"strings"
	"testing"
)

// An interrupted run's page: its owner sees Resume (enabled) and Delete,
// not Pause or Stop, and why it stopped; anyone else sees no control and
// who can resume it. A resumed run says where it resumed.
func TestSessionPageInterruptedAndResumed(t *testing.T) {
	doc := render(t, Session(sampleSession(true, "interrupted")))
	if hasAttr(one(t, doc, "btn-resume"), "hidden") || hasAttr(one(t, doc, "btn-resume"), "disabled") {
		t.Error("the owner's Resume button is hidden or disabled on an interrupted run")
	}
	for _, id := range []string{"btn-pause", "btn-stop"} {
		if !hasAttr(one(t, doc, id), "hidden") {
			t.Errorf("%s is shown on an interrupted run", id)
		}
	}
	if got := text(one(t, doc, "interrupted-note")); !strings.Contains(got, "press Resume") {
		t.Errorf("interrupted note for the owner = %q", got)
	}
	if len(byTestID(doc, "resumed-at")) != 0 {
		t.Error("a run that never resumed says it resumed")
	}

	doc = render(t, Session(sampleSession(false, "interrupted")))
	if len(byTestID(doc, "owner-controls")) != 0 || len(byTestID(doc, "btn-delete")) != 0 {
		t.Error("someone else sees the owner's controls")
	}
	if got := text(one(t, doc, "interrupted-note")); !strings.Contains(got, "the browser that started it can resume it") {
		t.Errorf("interrupted note for a visitor = %q", got)
	}

	v := sampleSession(true, "running")
	v.ResumedAt = "Resumed at epoch 3, step 1,400 after the server stopped"
	doc = render(t, Session(v))
	if got := text(one(t, doc, "resumed-at")); got != v.ResumedAt {
		t.Errorf("resumed-at = %q, want %q", got, v.ResumedAt)
	}
	if len(byTestID(doc, "interrupted-note")) != 0 {
		t.Error("a running run says it was interrupted")
	}
}

// The owner has a Delete button on every run, live or ended, which asks
// for a confirmation first (controls.js); nobody else has it.
func TestSessionPageDeleteButton(t *testing.T) {
	for _, state := range []string{"queued", "running", "paused", "completed", "stopped", "failed", "interrupted"} {
		doc := render(t, Session(sampleSession(true, state)))
		b := one(t, doc, "btn-delete")
		if hasAttr(b, "hidden") || hasAttr(b, "disabled") || !hasAttr(b, "data-delete") {
			t.Errorf("%s: the Delete button is hidden, disabled or unwired", state)
		}
		if c, _ := attr(b, "data-confirm"); !strings.Contains(c, "cannot be undone") {
			t.Errorf("%s: the Delete confirmation says %q", state, c)
		}
		if len(byTestID(render(t, Session(sampleSession(false, state))), "btn-delete")) != 0 {
			t.Errorf("%s: a visitor has a Delete button", state)
		}
	}
}
