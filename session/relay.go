package session

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// The owner's and the teacher's actions on a run that another replica
// trains (a mirror, mirror.go) are relayed to that replica, which applies
// them to its session and answers with the same errors as it would here.

// relay asks the replica training s to do r; nil and ErrNoTrainer when
// none does.
func (s *Session) relay(ctx context.Context, r RunRequest) (RunReply, error) {
	relay := s.remote.m.opt.Cluster.Relay
	if relay == nil {
		return RunReply{}, ErrNoTrainer
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, askTimeout)
		defer cancel()
	}
	rep, err := relay.Ask(ctx, s.id, r)
	if err != nil {
		if errors.Is(err, ErrNoTrainer) {
			return rep, err
		}
		return rep, &Error{Code: EUnavailable, Message: "the server training this run did not answer; try again in a moment", Err: err}
	}
	return rep, rep.Error.err()
}

// relayAction relays a pause, resume, stop or set of a mirrored run.
func (s *Session) relayAction(r RunRequest) error {
	_, err := s.relay(context.Background(), r)
	if !errors.Is(err, ErrNoTrainer) {
		return err
	}
	// No replica trains it: it waits in the queue (or moves from a
	// replica that stopped to another).
	st := s.State()
	switch {
	case st.Terminal() && st != Interrupted:
		return Errorf(EConflict, "session %s has already %s", s.id, endedWord(st))
	case r.Action == "resume":
		return nil
	case r.Action == "stop":
		return s.stopQueued()
	case r.Action == "pause":
		return Errorf(EConflict, "session %s is %s: only a running training can be paused", s.id, st)
	}
	return Errorf(EConflict, "session %s waits for a server to train it: change its settings once it runs", s.id)
}

// stopQueued stops a mirrored run that no replica trains: the store
// keeps it stopped (the replica that takes its job then drops it) and
// every replica's viewers are told.
func (s *Session) stopQueued() error {
	m := s.remote.m
	rec := s.record()
	rec.State, rec.Reason, rec.FinishedAt = Stopped, "", time.Now()
	if st := m.opt.Store; st != nil {
		ctx, cancel := context.WithTimeout(context.Background(), reloadTimeout)
		defer cancel()
		if err := st.Write(ctx, &Batch{Sessions: []SessionRecord{rec}}); err != nil {
			return &Error{Code: EInternal, Message: "the run could not be stopped in the store", Err: err}
		}
	}
	m.announce(s.id, StateMsg{Type: TypeState, State: Stopped, TestLoss: rec.TestLoss})
	return nil
}

// announce publishes a state of run id that no replica trains, as a
// message of an incarnation of its own.
func (m *Manager) announce(id string, st StateMsg) {
	c := m.opt.Cluster
	if c == nil || c.Events == nil {
		return
	}
	b, err := json.Marshal(st)
	if err != nil {
		return
	}
	c.Events.Publish(id, RunMessage{Incarnation: "none-" + newID(), Seq: 1, Data: b})
}
