package session

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/datasets"
)

// Session is one training: its configuration, its state, and the live stream
// of what it learns. The training goroutine alone owns the model; everything
// else sees copies.
type Session struct {
	id      string
	token   Owner // hash of the owner token given to the creator
	owner   Owner // hash of the owner key of the browser that started it (see SetOwner)
	cfg     Config
	summary Summary
	created time.Time
	hub     *hub
	log     *slog.Logger
	tk      *ticket    // its place in the manager's scheduler
	early   earlySnaps // copies of the weights before the first epoch's end (earlyweights.go)

	ctx    context.Context
	cancel context.CancelCauseFunc
	wake   chan struct{} // resume signal for a paused trainer (capacity 1)
	done   chan struct{} // closed when the trainer has returned

	snap       atomic.Pointer[ae.Snapshot]      // latest frozen weights, for live views
	wantSnap   atomic.Bool                      // a viewer asked for fresher weights
	modelFreed atomic.Bool                      // the final weights of this long-ended session were freed
	imported   bool                             // made from an uploaded model file, not trained here
	rec        *recorder                        // the store's writer; nil without a store
	kept       *keptModel                       // how to reload the weights of a session restored from the store
	ds         atomic.Pointer[datasets.Dataset] // set once the trainer has loaded it
	kf         keyframeSet                      // the replay's frames not yet in the store (keyframe.go)
	setPending atomic.Bool                      // pendingSet holds settings for the trainer (control.go)
	from       *resumePlan                      // where a resumed training starts (resume.go); nil otherwise
	remote     *remoteRun                       // a run trained by another replica, mirrored here (mirror.go); nil otherwise

	mu         sync.Mutex
	state      State
	errMsg     string
	pauseReq   bool
	pendingSet Settings // settings to apply before the next step (control.go)
	stepping   *stepReq // a step asked of the paused trainer, until it is trained
	sets       int      // settings changes accepted (at most MaxSets)
	epoch      int
	step       int
	totalSteps int
	trainLoss  *float64
	testLoss   *float64
	queuePos   int
	started    time.Time
	finished   time.Time
	resumedAt  *ResumePoint // where it last resumed after an interruption
	replica    string       // the replica that trains it, in a cluster
}

// Info is the public description of a session: the body of
// GET /api/sessions/{id} and the head of every snapshot.
type Info struct {
	ID            string     `json:"id"`
	State         State      `json:"state"`
	Error         string     `json:"error,omitempty"`
	Config        Config     `json:"config"`
	Summary       Summary    `json:"summary"`
	Epoch         int        `json:"epoch"`
	Step          int        `json:"step"`
	TotalSteps    int        `json:"total_steps"`
	TrainLoss     *float64   `json:"train_loss"`
	TestLoss      *float64   `json:"test_loss"`
	QueuePosition int        `json:"queue_position"`
	CreatedAt     time.Time  `json:"created_at"`
	StartedAt     *time.Time `json:"started_at"`
	FinishedAt    *time.Time `json:"finished_at"`
	// Imported is true for a session made from an uploaded model file
	// (POST /api/models): it was not trained here.
	Imported bool `json:"imported,omitempty"`
	// ResumedAt says where the training last resumed from a checkpoint
	// after the server stopped (POST /api/sessions/{id}/resume); absent
	// if it never did.
	ResumedAt *ResumePoint `json:"resumed_at,omitempty"`
	// Replica names the replica that trains (or trained) the run, when
	// several replicas share the work (-bus); absent otherwise.
	Replica string `json:"replica,omitempty"`
}

// ID returns the session's identifier (used in its URL).
func (s *Session) ID() string { return s.id }

// Config returns the session's validated configuration.
func (s *Session) Config() Config { return s.cfg }

// Summary returns the architecture summary of the session's model.
func (s *Session) Summary() Summary { return s.summary }

// Done is closed when the training goroutine has returned; for a run that
// ended here, its stream has ended too, so a viewer who subscribes after
// Done gets the whole run, final frames and state, in its snapshot.
func (s *Session) Done() <-chan struct{} { return s.done }

// Info returns a copy of the session's current description.
func (s *Session) Info() Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := Info{
		ID: s.id, State: s.state, Error: s.errMsg, Config: s.cfg, Summary: s.summary,
		Epoch: s.epoch, Step: s.step, TotalSteps: s.totalSteps, TrainLoss: s.trainLoss,
		TestLoss: s.testLoss, QueuePosition: s.queuePos, CreatedAt: s.created, Imported: s.imported,
		ResumedAt: s.resumedAt, Replica: s.replica,
	}
	if !s.started.IsZero() {
		t := s.started
		in.StartedAt = &t
	}
	if !s.finished.IsZero() {
		t := s.finished
		in.FinishedAt = &t
	}
	return in
}

// State returns the session's current state.
func (s *Session) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// Authorize reports whether token is the session's owner token, in
// constant time.
func (s *Session) Authorize(token string) error {
	if token == "" {
		return Errorf(EUnauthorized, "this action needs the session's owner token (Authorization: Bearer <owner_token>)")
	}
	if !s.token.Is(OwnerOf(token)) {
		return Errorf(EForbidden, "this owner token does not belong to session %s: only the browser that started it may control it", s.id)
	}
	return nil
}

// Subscribe starts a live stream of the session, beginning with a snapshot.
// The caller must Close the subscription when it stops reading.
func (s *Session) Subscribe() *Subscription { return s.hub.subscribe() }

// Watchers returns how many viewers are subscribed.
func (s *Session) Watchers() int { return int(s.hub.watchers.Load()) }

// Pause asks a running training to hold after its current step.
func (s *Session) Pause() error {
	if s.remote != nil {
		return s.relayAction(RunRequest{Action: "pause"})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.state == Paused || (s.state == Running && s.pauseReq):
		return nil
	case s.state != Running:
		return Errorf(EConflict, "session %s is %s: only a running training can be paused", s.id, s.state)
	}
	s.pauseReq = true
	return nil
}

// Resume continues a paused training. An interrupted one is resumed by
// Manager.ResumeInterrupted.
func (s *Session) Resume() error {
	if s.remote != nil {
		return s.relayAction(RunRequest{Action: "resume"})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.state == Running || s.state == Queued: // nothing to resume
		s.pauseReq = false
		return nil
	case s.state.Terminal():
		return Errorf(EConflict, "session %s has %s: only a paused or interrupted training can be resumed; start a new one to train again", s.id, endedWord(s.state))
	case s.state != Paused:
		return Errorf(EConflict, "session %s is %s: only a paused or interrupted training can be resumed", s.id, s.state)
	}
	s.pauseReq = false
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return nil
}

// Stop ends a queued, running or paused training; its model and everything
// it has streamed so far stay viewable.
func (s *Session) Stop() error {
	if s.remote != nil {
		return s.relayAction(RunRequest{Action: "stop"})
	}
	s.mu.Lock()
	st := s.state
	s.mu.Unlock()
	if st.Terminal() {
		return Errorf(EConflict, "session %s has already %s", s.id, endedWord(st))
	}
	s.cancel(errStoppedByOwner)
	return nil
}

// Snapshot returns the latest frozen copy of the model's weights, for views
// that run the model on demand (decoding a point of the latent space). It
// also asks the trainer for a fresher one, which arrives within a second
// while the training runs. Before the first snapshot exists it waits for
// one, until ctx ends.
func (s *Session) Snapshot(ctx context.Context) (*ae.Snapshot, error) {
	w, err := s.LiveWeights(ctx)
	return w.Snap, err
}

// LiveWeights is Snapshot, saying where the weights come from: for a run
// another replica trains (a mirror still following it), they are fetched
// from that replica, or read from the run's latest checkpoint when it does
// not answer in time (liveweights.go).
func (s *Session) LiveWeights(ctx context.Context) (Weights, error) {
	if s.remote != nil && s.following() {
		return s.remoteWeights(ctx)
	}
	sn, err := s.localSnapshot(ctx)
	return Weights{Snap: sn}, err
}

func (s *Session) localSnapshot(ctx context.Context) (*ae.Snapshot, error) {
	s.wantSnap.Store(true)
	for {
		if sn := s.snap.Load(); sn != nil {
			return sn, nil
		}
		if s.State().Terminal() {
			select {
			case <-s.done:
				if sn := s.snap.Load(); sn != nil {
					return sn, nil
				}
				if s.kept != nil { // restored from the store: its weights are there
					return s.reload(ctx)
				}
				if s.modelFreed.Load() {
					return nil, Errorf(EConflict, "session %s ended long ago and its model is no longer kept in memory (only the %d most recent ended sessions keep theirs): train it again to explore it", s.id, keptModels)
				}
				return nil, Errorf(EConflict, "session %s ended before its model could be used", s.id)
			default:
			}
		}
		select {
		case <-ctx.Done():
			return nil, Errorf(EUnavailable, "the model of session %s is not ready yet; try again in a moment", s.id)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Dataset returns the dataset the session trains on, once loaded (nil
// before).
func (s *Session) Dataset() *datasets.Dataset { return s.ds.Load() }

// setState records a new state and announces it to viewers.
func (s *Session) setState(st State, errMsg string) {
	s.mu.Lock()
	s.state = st
	s.errMsg = errMsg
	now := time.Now()
	if st == Running && s.started.IsZero() {
		s.started = now
	}
	if st.Terminal() {
		s.finished = now
		s.queuePos = 0
	}
	msg := s.stateMsgLocked()
	s.mu.Unlock()
	s.hub.publishWait(hubEvent{state: &msg})
}

// setQueuePosition records and announces the position of a queued session.
func (s *Session) setQueuePosition(pos int) {
	s.mu.Lock()
	s.queuePos = pos
	msg := s.stateMsgLocked()
	s.mu.Unlock()
	s.hub.publish(hubEvent{state: &msg})
}

func (s *Session) stateMsgLocked() StateMsg {
	return StateMsg{State: s.state, Error: s.errMsg, TestLoss: s.testLoss, QueuePosition: s.queuePos}
}
