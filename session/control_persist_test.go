package session_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/aelab/aelab/session"
)

// TestChangesSurviveARestart changes the learning rate and noise of a
// denoising run: the changes come back from the store after a restart,
// with their steps and the values they changed from.
func TestChangesSurviveARestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := openStore(t, dir)
	m := session.NewManager(session.Options{Datasets: registry, Store: st, MaxStoreBytes: 1 << 30})
	s, _, err := m.Create(session.Config{Encoder: []int{32}, Bottleneck: 2, TrainSize: 512, TestSize: 300, BatchSize: 32, Epochs: 2, Seed: 17,
		Noise: &session.NoiseConfig{Kind: "gaussian", Level: 0.2}})
	if err != nil {
		t.Fatal(err)
	}
	lr := 0.0005
	if err := s.Set(session.Settings{LearningRate: &lr, Noise: &session.NoiseConfig{Kind: "masking", Level: 0.4}}); err != nil {
		t.Fatal(err)
	}
	wait(t, s)
	h1, err := s.History()
	if err != nil {
		t.Fatal(err)
	}
	if len(h1.Changes) != 2 || h1.Changes[0].From != 0.001 || h1.Changes[1].FromKind != "gaussian" || h1.Changes[1].ToKind != "masking" {
		t.Fatalf("changes %+v, want the learning rate from 0.001 and the noise from gaussian to masking", h1.Changes)
	}
	shutdown(t, m)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = openStore(t, dir)
	defer st.Close()
	m = session.NewManager(session.Options{Datasets: registry, Store: st, MaxStoreBytes: 1 << 30})
	defer shutdown(t, m)
	if err := m.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := m.Get(s.ID())
	if err != nil {
		t.Fatal(err)
	}
	h2, err := got.History()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(h2.Changes, h1.Changes) {
		t.Fatalf("after a restart the changes are\n%+v\nwant\n%+v", h2.Changes, h1.Changes)
	}
	if _, ok := h2.Metrics["set:learning_rate"]; ok {
		t.Fatal("a change came back as a metric")
	}
}
