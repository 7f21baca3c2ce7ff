package session

import (
	"encoding/json"
	"testing"
	"time"
)

// A viewer who comes once a run is Done gets the whole run in its first
// message: the terminal state and the final frames. Done used to close as
// soon as the terminal state was queued for the hub, which might still be
// applying earlier events; the hub then took the viewer between two of
// them (its select picks at random), and the snapshot of a completed run
// had a latent frame but no reconstructions, or the state "running"
// (TestUploadWithoutLabelsTrainsWithUnlabelledPoints under -race).
func TestSnapshotAfterDoneHoldsTheWholeRun(t *testing.T) {
	m := newTestManager(t, Options{})
	for i := range 20 {
		c := Config{Dataset: "swiss_roll", Encoder: []int{8}, Bottleneck: 2, TrainSize: 96, TestSize: 30,
			BatchSize: 16, Epochs: 2, Seed: uint64(i + 1), OutputActivation: "linear"}
		s, _, err := m.Create(c)
		if err != nil {
			t.Fatal(err)
		}
		waitDone(t, s)
		sub := s.Subscribe()
		var b []byte
		select {
		case b = <-sub.C:
		case <-time.After(10 * time.Second):
			t.Fatal("no snapshot")
		}
		sub.Close()
		var snap Snapshot
		if err := json.Unmarshal(b, &snap); err != nil {
			t.Fatal(err)
		}
		if snap.State.State != Completed || snap.Reconstructions == nil || snap.Latent == nil || snap.Progress == nil ||
			snap.Progress.Step != snap.Progress.TotalSteps || snap.Reconstructions.Step != snap.Progress.Step {
			t.Fatalf("run %d: snapshot after Done: state %q, progress %+v, latent %v, reconstructions %v",
				i, snap.State.State, snap.Progress, snap.Latent != nil, snap.Reconstructions != nil)
		}
	}
}
