package session

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

// pauseAt makes the training of seed hold at step n: the hook blocks the
// trainer before step n until the test has asked for a pause, so the run
// pauses after exactly n+1 steps. It returns the channel told when the
// hook is reached and the one the test answers on.
func pauseAt(t *testing.T, seed uint64, n int) (reached, resume chan struct{}) {
	reached, resume = make(chan struct{}), make(chan struct{})
	testHookStep = func(s uint64, step int) {
		if s == seed && step == n {
			reached <- struct{}{}
			<-resume
		}
	}
	t.Cleanup(func() { testHookStep = nil })
	return reached, resume
}

// pauseAtStep creates a run of c that pauses after n+1 steps.
func pauseAtStep(t *testing.T, m *Manager, c Config, n int) *Session {
	t.Helper()
	reached, resume := pauseAt(t, c.Seed, n)
	s, _, err := m.Create(c)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-reached:
	case <-time.After(60 * time.Second):
		t.Fatal("the run never reached the step to pause at")
	}
	if err := s.Pause(); err != nil {
		t.Fatal(err)
	}
	close(resume)
	waitState(t, s, Paused)
	if got := s.Info().Step; got != n+1 {
		t.Fatalf("paused at step %d, want %d", got, n+1)
	}
	return s
}

func lossesOf(t *testing.T, s *Session) (train, test []LossPoint, changes []Change) {
	t.Helper()
	h, err := s.History()
	if err != nil {
		t.Fatal(err)
	}
	return h.Train, h.Test, h.Changes
}

func sameCurve(t *testing.T, name string, a, b []LossPoint) {
	t.Helper()
	if len(a) != len(b) || len(a) == 0 {
		t.Fatalf("%s: %d points against %d", name, len(a), len(b))
	}
	for i := range a {
		if a[i].Step != b[i].Step || math.Float64bits(a[i].Loss) != math.Float64bits(b[i].Loss) {
			t.Fatalf("%s point %d: step %d loss %v against step %d loss %v", name, i, a[i].Step, a[i].Loss, b[i].Step, b[i].Loss)
		}
	}
}

// TestSameSeedSameCurvesWithPausesStepsAndViewers trains the same
// configuration twice, once straight without viewers, once watched, paused
// at step 11, stepped 3 batches, stepped 1 more and resumed: the loss
// curves must be bit-identical step for step (a plain and a variational
// autoencoder, whose sampling noise must not depend on the views either).
func TestSameSeedSameCurvesWithPausesStepsAndViewers(t *testing.T) {
	for _, kind := range []string{"ae", "vae"} {
		t.Run(kind, func(t *testing.T) {
			m := newTestManager(t, Options{})
			c := small()
			c.Kind, c.Seed = kind, 4242
			a, _, err := m.Create(c)
			if err != nil {
				t.Fatal(err)
			}
			waitDone(t, a)
			if a.State() != Completed {
				t.Fatalf("run A ended %s: %s", a.State(), a.Info().Error)
			}
			trainA, testA, _ := lossesOf(t, a)

			b := pauseAtStep(t, m, c, 10)
			sub := b.Subscribe() // a viewer all along: heavy views run between steps
			res, err := b.Step(context.Background(), 3)
			if err != nil {
				t.Fatal(err)
			}
			if res.Step != 14 || res.Batches != 3 || len(res.Losses) != 3 {
				t.Fatalf("step result %+v, want 3 batches to step 14", res)
			}
			for i, l := range res.Losses { // one point per step in this short run
				if math.Float64bits(l) != math.Float64bits(trainA[11+i].Loss) {
					t.Fatalf("stepped batch %d: loss %v, straight run %v", i, l, trainA[11+i].Loss)
				}
			}
			if b.State() != Paused || b.Info().Step != 14 {
				t.Fatalf("after the step: %s at %d, want paused at 14", b.State(), b.Info().Step)
			}
			if _, err := b.Step(context.Background(), 1); err != nil {
				t.Fatal(err)
			}
			if err := b.Resume(); err != nil {
				t.Fatal(err)
			}
			msgs := collect(t, sub, 60*time.Second)
			waitDone(t, b)
			if b.State() != Completed {
				t.Fatalf("run B ended %s", b.State())
			}
			trainB, testB, _ := lossesOf(t, b)
			sameCurve(t, "train", trainA, trainB)
			sameCurve(t, "test", testA, testB)
			seen := map[string]bool{}
			for _, msg := range msgs {
				seen[msg["type"].(string)] = true
			}
			if !seen[TypeLatent] || !seen[TypeReconstructions] {
				t.Fatalf("the watched run sent %v, want latent and reconstructions", seen)
			}
		})
	}
}

// TestStepPublishesEveryView checks that a step of a paused run publishes
// its loss points, progress, latent scatter and reconstructions at the new
// step, and that the run stays paused.
func TestStepPublishesEveryView(t *testing.T) {
	m := newTestManager(t, Options{})
	c := small()
	c.Seed = 31
	s := pauseAtStep(t, m, c, 4)
	sub := s.Subscribe()
	defer sub.Close()
	<-sub.C // the snapshot
	if _, err := s.Step(context.Background(), 2); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{TypeLoss: false, TypeProgress: false, TypeLatent: false, TypeReconstructions: false}
	deadline := time.After(10 * time.Second)
	for missing := len(want); missing > 0; {
		select {
		case b := <-sub.C:
			var msg struct {
				Type  string      `json:"type"`
				Step  int         `json:"step"`
				Train []LossPoint `json:"train"`
			}
			if err := json.Unmarshal(b, &msg); err != nil {
				t.Fatal(err)
			}
			step := msg.Step
			if msg.Type == TypeLoss && len(msg.Train) > 0 {
				step = msg.Train[len(msg.Train)-1].Step
			}
			if done, ok := want[msg.Type]; ok && !done && step == 7 {
				want[msg.Type] = true
				missing--
			}
		case <-deadline:
			t.Fatalf("after the step, views at step 7: %v", want)
		}
	}
	if s.State() != Paused {
		t.Fatalf("state %s after a step, want paused", s.State())
	}
	_ = s.Stop()
	waitDone(t, s)
}

// TestSetAppliesAtTheNextStepAndIsRecorded changes the learning rate of a
// paused run: it applies at the next step, the change is recorded with its
// step in the history (and so in every new viewer's snapshot), and the
// curve differs from the straight run's from that step on only.
func TestSetAppliesAtTheNextStepAndIsRecorded(t *testing.T) {
	m := newTestManager(t, Options{})
	c := small()
	c.Seed = 77
	a, _, err := m.Create(c)
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, a)
	trainA, _, _ := lossesOf(t, a)

	b := pauseAtStep(t, m, c, 7) // paused after 8 steps
	lr := 1e-4
	if fe := m.ValidateSettings(b, Settings{LearningRate: &lr}); len(fe) != 0 {
		t.Fatal(fe)
	}
	if err := b.Set(Settings{LearningRate: &lr}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Step(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if err := b.Resume(); err != nil {
		t.Fatal(err)
	}
	waitDone(t, b)
	trainB, _, changes := lossesOf(t, b)
	if len(changes) != 1 {
		t.Fatalf("changes %+v, want one", changes)
	}
	ch := changes[0]
	if ch.Field != FieldLearningRate || ch.Step != 8 || ch.From != 0.001 || ch.To != lr {
		t.Fatalf("change %+v, want learning_rate 0.001 → 0.0001 at step 8", ch)
	}
	// A step's loss is measured before its update: the first step trained
	// with the new rate (the 9th) has the straight run's loss, the 10th not.
	sameCurve(t, "before the change", trainA[:9], trainB[:9])
	if trainA[9].Loss == trainB[9].Loss {
		t.Fatalf("the step after the change has the loss of the straight run (%v): the rate did not apply", trainA[9].Loss)
	}
	if err := b.Set(Settings{LearningRate: &lr}); ErrorCode(err) != EConflict {
		t.Fatalf("set on an ended run: %v, want conflict", err)
	}
}

// TestSetAndStepRefusals checks every refusal of the session layer.
func TestSetAndStepRefusals(t *testing.T) {
	m := newTestManager(t, Options{})
	c := small()
	c.TrainSize, c.Epochs, c.TestSize, c.Seed = 60000, 20, 200, 5
	s, _, err := m.Create(c)
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, s, Running)
	if _, err := s.Step(context.Background(), 1); ErrorCode(err) != EConflict || !strings.Contains(err.Error(), "paused") {
		t.Fatalf("step while running: %v, want conflict saying pause", err)
	}
	for _, tc := range []struct {
		name  string
		v     Settings
		field string
		says  string
	}{
		{"nothing", Settings{}, "learning_rate", "at least one"},
		{"zero rate", Settings{LearningRate: ptr(0.0)}, "learning_rate", "greater than 0"},
		{"negative rate", Settings{LearningRate: ptr(-1e-3)}, "learning_rate", "greater than 0"},
		{"huge rate", Settings{LearningRate: ptr(100.0)}, "learning_rate", "at most 10"},
		{"NaN rate", Settings{LearningRate: ptr(math.NaN())}, "learning_rate", "greater than 0"},
		{"beta on an ae", Settings{Beta: ptr(2.0)}, "beta", "variational"},
		{"noise on a clean run", Settings{Noise: &NoiseConfig{Kind: "gaussian", Level: 0.3}}, "noise", "not started with training-time noise"},
	} {
		msg, ok := m.ValidateSettings(s, tc.v).Map()[tc.field]
		if !ok || !strings.Contains(msg, tc.says) {
			t.Errorf("%s: %q; want %s to say %q", tc.name, msg, tc.field, tc.says)
		}
	}
	if fe := CheckStepBatches(0); len(fe) == 0 || fe[0].Field != "batches" {
		t.Errorf("0 batches: %v", fe)
	}
	if fe := CheckStepBatches(MaxStepBatches + 1); len(fe) == 0 {
		t.Errorf("%d batches accepted", MaxStepBatches+1)
	}

	v := c
	v.Kind, v.Seed = "vae", 6
	vae, _, err := m.Create(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []float64{0, -1, 101, math.Inf(1), 5e-324, 9e-5} {
		if msg := m.ValidateSettings(vae, Settings{Beta: &b}).Map()["beta"]; !strings.Contains(msg, "from 0.0001 to 100") {
			t.Errorf("beta %v: %q", b, msg)
		}
	}
	if fe := m.ValidateSettings(vae, Settings{Beta: ptr(4.0)}); len(fe) != 0 {
		t.Errorf("beta 4 on a VAE: %v", fe)
	}

	d := c
	d.Noise, d.Seed = &NoiseConfig{Kind: "masking", Level: 0.3}, 8
	dn, _, err := m.Create(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		n    NoiseConfig
		says string
	}{
		{NoiseConfig{Kind: "none", Level: 0.3}, "gaussian, masking or salt_pepper"},
		{NoiseConfig{Kind: "masking", Level: 0}, "greater than 0"},
		{NoiseConfig{Kind: "masking", Level: 1.5}, "between 0 and 1"},
		{NoiseConfig{Kind: "fog", Level: 0.2}, "unknown noise kind"},
	} {
		if msg := m.ValidateSettings(dn, Settings{Noise: &tc.n}).Map()["noise"]; !strings.Contains(msg, tc.says) {
			t.Errorf("noise %+v: %q, want %q", tc.n, msg, tc.says)
		}
	}
	if fe := m.ValidateSettings(dn, Settings{Noise: &NoiseConfig{Kind: "gaussian", Level: 0.5}}); len(fe) != 0 {
		t.Errorf("gaussian 0.5 on a denoising run: %v", fe)
	}
	for _, x := range []*Session{s, vae, dn} {
		_ = x.Stop()
		waitDone(t, x)
	}
	if _, err := s.Step(context.Background(), 1); ErrorCode(err) != EConflict {
		t.Fatalf("step of a stopped run: %v, want conflict", err)
	}
}

// TestSetNoiseOfADenoisingRun changes the corruption of a denoising run
// mid-run: the change is recorded with both kinds and levels.
func TestSetNoiseOfADenoisingRun(t *testing.T) {
	m := newTestManager(t, Options{})
	c := small()
	c.Noise, c.Seed = &NoiseConfig{Kind: "gaussian", Level: 0.3}, 91
	s := pauseAtStep(t, m, c, 2)
	if err := s.Set(Settings{Noise: &NoiseConfig{Kind: "masking", Level: 0.5}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Resume(); err != nil {
		t.Fatal(err)
	}
	waitDone(t, s)
	_, _, changes := lossesOf(t, s)
	want := Change{Step: 3, Epoch: changes[0].Epoch, Field: FieldNoise, From: 0.3, To: 0.5, FromKind: "gaussian", ToKind: "masking"}
	if len(changes) != 1 || changes[0] != want {
		t.Fatalf("changes %+v, want %+v", changes, want)
	}
}

// TestStepRightAfterPause steps a run whose pause was asked but not yet
// taken (the trainer is inside a turn): a script's pause() then step()
// must train the batches once the pause takes effect, not be refused
// with "pause it first".
func TestStepRightAfterPause(t *testing.T) {
	m := newTestManager(t, Options{})
	c := small()
	c.Seed = 37
	reached, resume := pauseAt(t, c.Seed, 4)
	s, _, err := m.Create(c)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-reached:
	case <-time.After(60 * time.Second):
		t.Fatal("the run never reached step 4")
	}
	if err := s.Pause(); err != nil {
		t.Fatal(err)
	}
	if st := s.State(); st != Running {
		t.Fatalf("state %s while the trainer is held, want running", st)
	}
	type answer struct {
		res StepResult
		err error
	}
	got := make(chan answer, 1)
	go func() {
		res, err := s.Step(context.Background(), 2)
		got <- answer{res, err}
	}()
	time.Sleep(50 * time.Millisecond) // the step is asked while the pause is pending
	close(resume)
	select {
	case a := <-got:
		if a.err != nil {
			t.Fatalf("step right after pause: %v", a.err)
		}
		if a.res.Batches != 2 || a.res.Step != 7 {
			t.Fatalf("step right after pause trained %d batches to step %d, want 2 to step 7", a.res.Batches, a.res.Step)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the step never answered")
	}
	if st := s.State(); st != Paused {
		t.Fatalf("state %s after the step, want paused", st)
	}
	_ = s.Stop()
	waitDone(t, s)
}
