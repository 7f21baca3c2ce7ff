package session

import (
	"encoding/json"
	"fmt"
	"time"
)

// History is what a session has recorded so far: every loss point and the
// latest progress. It is what exports (CSV) are made of.
type History struct {
	Train           []LossPoint
	Test            []LossPoint
	Progress        *Progress                // nil before the first step
	Metrics         map[string][]MetricPoint // named per-epoch measures (denoising PSNR)
	Latent          *Latent                  // the latest scatter; nil before the first
	Reconstructions *Reconstructions         // the latest reconstructions; nil before the first
	Changes         []Change                 // settings changed while it trained, oldest first
}

// History returns a copy of the session's loss curves and latest progress,
// taken from the same snapshot a new viewer gets.
func (s *Session) History() (History, error) {
	if s.State().Terminal() {
		// The last events may still wait in the hub's inbox, and the hub
		// serves a new subscriber before them: wait until it has applied
		// them all (it stops after the terminal state), so the snapshot is
		// the whole run.
		select {
		case <-s.hub.done:
		case <-time.After(10 * time.Second):
		}
	}
	sub := s.Subscribe()
	defer sub.Close()
	select {
	case msg, ok := <-sub.C:
		if !ok {
			return History{}, fmt.Errorf("session %s: the stream ended without a snapshot", s.id)
		}
		var snap struct {
			Type            string                   `json:"type"`
			Progress        *Progress                `json:"progress"`
			TrainLoss       []LossPoint              `json:"train_loss"`
			TestLoss        []LossPoint              `json:"test_loss"`
			Metrics         map[string][]MetricPoint `json:"metrics"`
			Latent          *Latent                  `json:"latent"`
			Reconstructions *Reconstructions         `json:"reconstructions"`
			Changes         []Change                 `json:"changes"`
		}
		if err := json.Unmarshal(msg, &snap); err != nil {
			return History{}, fmt.Errorf("session %s: decode snapshot: %w", s.id, err)
		}
		if snap.Type != TypeSnapshot {
			return History{}, fmt.Errorf("session %s: first message is %q, not a snapshot", s.id, snap.Type)
		}
		return History{Train: snap.TrainLoss, Test: snap.TestLoss, Progress: snap.Progress, Metrics: snap.Metrics,
			Latent: snap.Latent, Reconstructions: snap.Reconstructions, Changes: snap.Changes}, nil
	case <-time.After(10 * time.Second):
		return History{}, fmt.Errorf("session %s: no snapshot within 10 s", s.id)
	}
}
