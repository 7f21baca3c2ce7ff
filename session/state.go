package session

// State is where a session is in its life.
type State string

// States of a session. Queued, running and paused are live; the others are
// terminal and never change again.
const (
	Queued    State = "queued"    // waiting for a training slot
	Running   State = "running"   // training
	Paused    State = "paused"    // holding its model, waiting for resume or stop
	Completed State = "completed" // trained every epoch
	Stopped   State = "stopped"   // stopped by its owner or by shutdown
	Failed    State = "failed"    // an error ended it (see the session's error)
	// Interrupted (restore.go): the server stopped while it was queued or
	// training.
)

// Terminal reports whether s never changes again.
func (s State) Terminal() bool {
	return s == Completed || s == Stopped || s == Failed || s == Interrupted
}
