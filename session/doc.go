// Package session runs the trainings of aelab and everything done with
// them, between the pure computation (ae, analysis, datasets) and the
// HTTP handlers. It knows nothing of HTTP or SQL.
//
// # The door (door.go, admission.go, cpu.go, memory.go, ratelimit.go)
//
// A Manager admits every piece of work in one place: a training (Start), a
// baseline, a view of a snapshot, an analysis, an upload or a model import
// (Do). Admission reserves the caller's rate token, room among the running
// and queued trainings, bytes of the memory budget and turns of the one CPU
// pool at once, and releases them with defer.
//
// # Trainings (session.go, train.go, control.go, trainstate.go)
//
// A Session is one training. Its goroutine alone owns the model and
// publishes copies (progress, losses, latent scatter, reconstructions); the
// owner pauses, steps, stops or changes its settings (Settings) between
// two steps. A Config is validated once (Validate) for the API and the
// form alike, with field errors (FieldErrors) that say what to change.
//
// # Fan-out (hub.go, classhub.go, messages.go)
//
// Each session's hub keeps its history and sends every viewer (a
// Subscription) a snapshot then the changes, as JSON wire messages
// (docs/protocol.md); a class's hub does the same for a teacher's
// dashboard. Publishing never blocks training, and a viewer that falls
// behind is dropped, never waited for.
//
// # Persistence (store.go, recorder.go, restore.go, resume.go, keyframe.go)
//
// A Store (internal/store/sqlite, internal/store/postgres) keeps sessions,
// curves, frames, checkpoints, keyframes, comparisons, datasets and
// classes. The recorder batches what the hubs publish and writes it off the
// training goroutines; Restore brings sessions back after a restart and
// ResumeInterrupted continues a run from its checkpoint as if it had never
// stopped.
//
// # Classes and comparisons (class*.go, comparison.go, sweep.go)
//
// A Class gathers students' runs under a join code with a lesson's preset;
// a comparison trains several configurations that differ in one thing and
// sets their results side by side.
package session
