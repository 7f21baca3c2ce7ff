package session

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// small is a configuration that trains in well under a second.
func small() Config {
	return Config{Encoder: []int{32}, Bottleneck: 2, TrainSize: 512, TestSize: 500, BatchSize: 32, Epochs: 3, Seed: 7}
}

func newTestManager(t *testing.T, opt Options) *Manager {
	t.Helper()
	opt.Datasets = testRegistry
	m := NewManager(opt)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := m.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return m
}

// collect reads a subscription to its end and decodes every message.
func collect(t *testing.T, sub *Subscription, timeout time.Duration) []map[string]any {
	t.Helper()
	defer sub.Close()
	var out []map[string]any
	deadline := time.After(timeout)
	for {
		select {
		case b, ok := <-sub.C:
			if !ok {
				return out
			}
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("message is not one JSON object: %v: %s", err, b)
			}
			out = append(out, m)
		case <-deadline:
			t.Fatalf("stream did not end within %v (%d messages)", timeout, len(out))
		}
	}
}

func waitDone(t *testing.T, s *Session) {
	t.Helper()
	clock := startGranted()
	for {
		select {
		case <-s.Done():
			return
		case <-time.After(50 * time.Millisecond):
		}
		if clock.over(60 * time.Second) {
			granted, wall := clock.elapsed()
			t.Fatalf("training did not end in %s of granted time (%s of wall time)", granted.Round(time.Second), wall.Round(time.Second))
		}
	}
}

func TestTrainingStreamsEveryMessageType(t *testing.T) {
	m := newTestManager(t, Options{})
	s, token, err := m.Create(small())
	if err != nil {
		t.Fatal(err)
	}
	if len(token) < 32 {
		t.Fatalf("owner token too short: %q", token)
	}
	msgs := collect(t, s.Subscribe(), 60*time.Second)
	if len(msgs) == 0 || msgs[0]["type"] != TypeSnapshot {
		t.Fatalf("first message must be a snapshot, got %v", msgs[:min(1, len(msgs))])
	}
	seen := map[string]int{}
	var train, test []LossPoint
	addPoints := func(v any, dst *[]LossPoint) {
		b, _ := json.Marshal(v)
		var pts []LossPoint
		if err := json.Unmarshal(b, &pts); err != nil {
			t.Fatal(err)
		}
		*dst = append(*dst, pts...)
	}
	addPoints(msgs[0]["train_loss"], &train)
	addPoints(msgs[0]["test_loss"], &test)
	for _, msg := range msgs {
		seen[msg["type"].(string)]++
		if msg["type"] == TypeLoss {
			addPoints(msg["train"], &train)
			addPoints(msg["test"], &test)
		}
	}
	for _, typ := range []string{TypeProgress, TypeLoss, TypeLatent, TypeReconstructions, TypeState} {
		if seen[typ] == 0 {
			t.Errorf("no %s message; saw %v", typ, seen)
		}
	}
	last := msgs[len(msgs)-1]
	if last["type"] != TypeState || last["state"] != string(Completed) {
		t.Fatalf("last message = %v, want state completed", last)
	}
	// 512/32 = 16 steps per epoch, 3 epochs.
	if s.Info().TotalSteps != 48 || s.Info().Step != 48 {
		t.Fatalf("steps = %d/%d, want 48/48", s.Info().Step, s.Info().TotalSteps)
	}
	checkStrictlyIncreasing(t, "train", train)
	checkStrictlyIncreasing(t, "test", test)
	if len(train) != 48 {
		t.Errorf("train points = %d, want one per step (48)", len(train))
	}
	if len(test) != 4 || test[0].Step != 0 || test[3].Step != 48 {
		t.Errorf("test points = %+v, want steps 0, 16, 32, 48", test)
	}
	if test[3].Loss >= test[0].Loss {
		t.Errorf("test loss did not fall: %v → %v", test[0].Loss, test[3].Loss)
	}
	if in := s.Info(); in.TestLoss == nil || *in.TestLoss != test[3].Loss {
		t.Errorf("info test loss = %v, want %v", in.TestLoss, test[3].Loss)
	}

	// A late joiner gets the same history in one snapshot, then the close.
	late := collect(t, s.Subscribe(), 5*time.Second)
	if len(late) != 1 || late[0]["type"] != TypeSnapshot {
		t.Fatalf("late joiner got %d messages, want one snapshot", len(late))
	}
	var lateTrain []LossPoint
	addPoints(late[0]["train_loss"], &lateTrain)
	if fmt.Sprint(lateTrain) != fmt.Sprint(train) {
		t.Errorf("late snapshot history differs from the live one")
	}
	if st := late[0]["state"].(map[string]any); st["state"] != string(Completed) {
		t.Errorf("late snapshot state = %v", st)
	}
	if late[0]["latent"] == nil || late[0]["reconstructions"] == nil {
		t.Errorf("late snapshot lacks the final latent or reconstructions")
	}
}

func checkStrictlyIncreasing(t *testing.T, name string, pts []LossPoint) {
	t.Helper()
	for i := 1; i < len(pts); i++ {
		if pts[i].Step <= pts[i-1].Step {
			t.Fatalf("%s loss points not strictly increasing at %d: %v then %v (missing or duplicated)", name, i, pts[i-1], pts[i])
		}
	}
}

func TestLatentAndReconstructionShapes(t *testing.T) {
	m := newTestManager(t, Options{})
	c := small()
	c.Bottleneck = 8
	c.Epochs = 1
	s, _, err := m.Create(c)
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, s)
	snap := collect(t, s.Subscribe(), 5*time.Second)[0]
	b, _ := json.Marshal(snap["latent"])
	var lat Latent
	if err := json.Unmarshal(b, &lat); err != nil {
		t.Fatal(err)
	}
	if lat.Projection != "pca" || len(lat.X) != 1000 || len(lat.Y) != 1000 || len(lat.Labels) != 1000 {
		t.Fatalf("latent: projection %q, %d/%d/%d points", lat.Projection, len(lat.X), len(lat.Y), len(lat.Labels))
	}
	if len(lat.ClassNames) != 10 || lat.Axes[0][:3] != "PC1" {
		t.Fatalf("latent labels: %v %v", lat.ClassNames, lat.Axes)
	}
	b, _ = json.Marshal(snap["reconstructions"])
	var rec Reconstructions
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Kind != "image" || rec.Width != 28 || rec.Height != 28 || rec.Count != 10 ||
		len(rec.Originals) != 10*784 || len(rec.Reconstructions) != 10*784 || len(rec.MSE) != 10 {
		t.Fatalf("reconstructions: %s %dx%d count %d, %d/%d bytes", rec.Kind, rec.Width, rec.Height, rec.Count, len(rec.Originals), len(rec.Reconstructions))
	}
	// One example of each digit.
	seen := map[int]bool{}
	for _, l := range rec.Labels {
		seen[l] = true
	}
	if len(seen) != 10 {
		t.Errorf("reconstruction labels %v do not cover the ten digits", rec.Labels)
	}
}

func TestPauseResumeStop(t *testing.T) {
	m := newTestManager(t, Options{})
	c := small()
	c.TrainSize, c.Epochs = 60000, 20 // long enough to control
	c.TestSize = 200
	s, token, err := m.Create(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Authorize(""); ErrorCode(err) != EUnauthorized {
		t.Fatalf("empty token: %v", err)
	}
	if err := s.Authorize(token + "x"); ErrorCode(err) != EForbidden {
		t.Fatalf("wrong token: %v", err)
	}
	if err := s.Authorize(token); err != nil {
		t.Fatal(err)
	}
	waitState(t, s, Running)
	if err := s.Resume(); err != nil { // resuming a running session is a no-op
		t.Fatal(err)
	}
	if err := s.Pause(); err != nil {
		t.Fatal(err)
	}
	waitState(t, s, Paused)
	step := s.Info().Step
	time.Sleep(300 * time.Millisecond)
	if s.Info().Step != step {
		t.Fatalf("paused session kept training: %d → %d", step, s.Info().Step)
	}
	if err := s.Resume(); err != nil {
		t.Fatal(err)
	}
	waitState(t, s, Running)
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	waitDone(t, s)
	if s.State() != Stopped {
		t.Fatalf("state = %s, want stopped", s.State())
	}
	if err := s.Pause(); ErrorCode(err) != EConflict {
		t.Fatalf("pausing a stopped session: %v, want conflict", err)
	}
	if err := s.Stop(); ErrorCode(err) != EConflict {
		t.Fatalf("stopping twice: %v, want conflict", err)
	}
}

func waitState(t *testing.T, s *Session, want State) {
	t.Helper()
	clock := startGranted()
	for s.State() != want {
		if clock.over(30 * time.Second) {
			t.Fatalf("state = %s, want %s", s.State(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestDivergenceFailsWithAdvice(t *testing.T) {
	m := newTestManager(t, Options{})
	c := small()
	c.Activation, c.OutputActivation, c.Optimizer, c.LearningRate = "linear", "linear", "sgd", 10
	s, _, err := m.Create(c)
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, s)
	in := s.Info()
	if in.State != Failed {
		t.Fatalf("state = %s, want failed", in.State)
	}
	if want := "learning rate (10) is probably too high"; !strings.Contains(in.Error, want) {
		t.Fatalf("error %q does not say %q", in.Error, want)
	}
	snap := collect(t, s.Subscribe(), 5*time.Second)[0]
	if _, err := json.Marshal(snap); err != nil {
		t.Fatal(err)
	}
}

func TestQueueRunsInOrder(t *testing.T) {
	m := newTestManager(t, Options{MaxRunning: 1, MaxQueued: 1})
	long := small()
	long.TrainSize, long.Epochs, long.TestSize = 60000, 20, 200
	a, _, err := m.Create(long)
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, a, Running)
	b, _, err := m.Create(small())
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return b.Info().QueuePosition == 1 })
	if in := b.Info(); in.State != Queued || in.QueuePosition != 1 {
		t.Fatalf("second session: %s at %d, want queued at 1", in.State, in.QueuePosition)
	}
	if _, _, err := m.Create(small()); ErrorCode(err) != EUnavailable {
		t.Fatalf("third session with a full queue: %v, want unavailable", err)
	}
	if err := a.Stop(); err != nil {
		t.Fatal(err)
	}
	waitDone(t, b)
	if b.State() != Completed {
		t.Fatalf("queued session ended %s, want completed", b.State())
	}
}

func TestShutdownStopsTrainings(t *testing.T) {
	m := NewManager(Options{Datasets: testRegistry})
	long := small()
	long.TrainSize, long.Epochs, long.TestSize = 60000, 20, 200
	s, _, err := m.Create(long)
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, s, Running)
	sub := s.Subscribe()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := m.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	msgs := collect(t, sub, 5*time.Second)
	last := msgs[len(msgs)-1]
	if last["type"] != TypeState || last["state"] != string(Stopped) || !strings.Contains(fmt.Sprint(last["error"]), "shutting down") {
		t.Fatalf("last message = %v, want stopped by shutdown", last)
	}
	if _, _, err := m.Create(small()); ErrorCode(err) != EUnavailable {
		t.Fatalf("create after shutdown: %v", err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	clock := startGranted()
	for !cond() {
		if clock.over(30 * time.Second) {
			t.Fatal("condition not reached in 30 s of granted time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestOldEndedSessionsFreeTheirModels(t *testing.T) {
	m := newTestManager(t, Options{})
	c := small()
	c.Epochs, c.TrainSize, c.TestSize = 1, 64, 100
	var all []*Session
	for i := 0; i < keptModels+2; i++ {
		s, _, err := m.Create(c)
		if err != nil {
			t.Fatal(err)
		}
		waitDone(t, s)
		all = append(all, s)
	}
	last, _, err := m.Create(c) // eviction runs on create
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, last)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := all[0].Snapshot(ctx); ErrorCode(err) != EConflict || !strings.Contains(err.Error(), "no longer kept") {
		t.Fatalf("oldest session's model: %v, want freed", err)
	}
	if _, err := all[len(all)-1].Snapshot(ctx); err != nil {
		t.Fatalf("a recent session's model: %v", err)
	}
	if all[0].Info().State != Completed || all[0].Info().TestLoss == nil {
		t.Fatal("a freed session must keep its history")
	}
}
