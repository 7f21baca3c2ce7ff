package session

import "testing"

// TestEndedWordReadsAsEnglish: the refusals say "has been interrupted",
// not "has interrupted".
func TestEndedWordReadsAsEnglish(t *testing.T) {
	for st, want := range map[State]string{Completed: "completed", Failed: "failed", Stopped: "been stopped", Interrupted: "been interrupted"} {
		if got := endedWord(st); got != want {
			t.Errorf("endedWord(%s) = %q, want %q", st, got, want)
		}
	}
}
