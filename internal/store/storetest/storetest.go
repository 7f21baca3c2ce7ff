// Package storetest is the conformance suite of session.Store: every
// implementation (internal/store/sqlite, internal/store/postgres) runs Run
// from its tests and must pass it unchanged.
package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/aelab/aelab/session"
)

// Open returns a new, empty store for one test; the suite closes it.
type Open func(t *testing.T) session.Store

// Run runs every conformance test on stores made by open.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		f    func(t *testing.T, s session.Store)
	}{
		{"Sessions", testSessions},
		{"QuerySessions", testQuerySessions},
		{"Points", testPoints},
		{"Frames", testFrames},
		{"Checkpoints", testCheckpoints},
		{"CheckpointState", testCheckpointState},
		{"Rewind", testRewind},
		{"Keyframes", testKeyframes},
		{"EarlyWeights", testEarlyWeights},
		{"Delete", testDelete},
		{"Comparisons", testComparisons},
		{"Classes", testClasses},
		{"ClassVersions", testClassVersions},
		{"ClassConcurrentJoins", testClassConcurrentJoins},
		{"ClassBounds", testClassBounds},
		{"ClassRunPlaces", testClassRunPlaces},
		{"Datasets", testDatasets},
		{"AtomicBatch", testAtomicBatch},
		{"Trim", testTrim},
		{"TrimKeepsResumable", testTrimKeepsResumable},
		{"Concurrent", testConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			defer func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			}()
			tc.f(t, s)
		})
	}
}

var t0 = time.Date(2026, 12, 5, 9, 0, 0, 123456789, time.UTC)

// Record returns a plausible head of a session (exported for the tests of
// implementations).
func Record(id string, st session.State, created time.Time) session.SessionRecord {
	loss := 0.0123
	r := session.SessionRecord{
		ID: id, OwnerHash: []byte{1, 2, 3, byte(len(id))}, BrowserHash: []byte{9, byte(len(id))}, State: st, CreatedAt: created,
		Config: session.Config{Dataset: "mnist", Encoder: []int{256, 64}, Bottleneck: 2, Decoder: []int{64, 256},
			Activation: "relu", BottleneckActivation: "linear", OutputActivation: "sigmoid", Loss: "bce",
			Optimizer: "adam", LearningRate: 0.001, BatchSize: 64, Epochs: 5, Seed: 7,
			Noise: &session.NoiseConfig{Kind: "gaussian", Level: 0.3}, TrainClasses: []int{1, 3}},
		Epoch: 2, Step: 1875, TotalSteps: 4690, TrainLoss: &loss,
	}
	if st != session.Queued {
		r.StartedAt = created.Add(time.Second)
	}
	if st.Terminal() {
		r.FinishedAt = created.Add(time.Minute)
		r.TestLoss = &loss
		r.Reason = "stopped by its owner"
	}
	return r
}

func write(t *testing.T, s session.Store, b *session.Batch) {
	t.Helper()
	if err := s.Write(context.Background(), b); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

func equalRecords(t *testing.T, got, want session.SessionRecord) {
	t.Helper()
	for _, p := range []struct {
		name string
		g, w time.Time
	}{{"CreatedAt", got.CreatedAt, want.CreatedAt}, {"StartedAt", got.StartedAt, want.StartedAt}, {"FinishedAt", got.FinishedAt, want.FinishedAt}} {
		if !p.g.Equal(p.w) {
			t.Errorf("session %s: %s = %v, want %v", want.ID, p.name, p.g, p.w)
		}
	}
	got.CreatedAt, got.StartedAt, got.FinishedAt = want.CreatedAt, want.StartedAt, want.FinishedAt
	if !reflect.DeepEqual(got, want) {
		t.Errorf("session %s:\n got %+v\nwant %+v", want.ID, got, want)
	}
}
