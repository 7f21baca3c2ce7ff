package session

import (
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aelab/aelab/ae"
)

// measuredGFLOPS times training steps of the network of c (on k features)
// on this machine as it is loaded now, two at once as on a server whose two
// cores are busy, and returns the speed of one core in GFLOP/s from the
// median step.
func measuredGFLOPS(t *testing.T, c Config, k int) float64 {
	t.Helper()
	var (
		mu    sync.Mutex
		times []time.Duration
		wg    sync.WaitGroup
	)
	for range 2 {
		model, err := ae.New(aeConfig(c, k))
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := make([]float32, c.BatchSize*k)
			for i := range x {
				x[i] = float32(i%255) / 255
			}
			for i := range 4 {
				start := time.Now()
				model.TrainStep(x, x, c.BatchSize)
				if i > 0 {
					mu.Lock()
					times = append(times, time.Since(start))
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	slices.Sort(times)
	return stepFLOPs(ParamCount(c.Sizes(k)), c.BatchSize) / times[len(times)/2].Seconds() / 1e9
}

// TestSmallTrainingKeepsUpdatingBesideHeavyOnes: three trainings with the
// largest step the door admits (a quarter of a second of one core, at the
// speed the server is told its cores have) share two cores with a small
// training, which still publishes progress at least once a second (the
// README's promise): the worst gap between its progress messages, over a
// window after a warm-up, is at most 1 s.
//
// The speed the door assumes is measured here and halved, as an operator
// of a shared machine would set -core-gflops, so that a loaded CI machine
// keeps the premise of the promise; the heavy steps are then the largest
// that speed admits.
func TestSmallTrainingKeepsUpdatingBesideHeavyOnes(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 15 s")
	}
	const k = 784 // MNIST
	heavy := Config{Dataset: "mnist", Encoder: []int{1536, 256}, Bottleneck: 16, TrainSize: 20000, TestSize: 200, Epochs: 50, Seed: 3, BatchSize: 64}.Defaults()
	gflops := measuredGFLOPS(t, heavy, k) / 2
	m := newTestManager(t, Options{Cores: 2, CoreGFLOPS: gflops, MaxCoreMinutes: 1 << 20})

	// The largest batch the door admits for this network on this machine.
	p := ParamCount(heavy.Sizes(k))
	heavy.BatchSize = min(int((maxStepTime.Seconds()*gflops*1e9-10*float64(p))/(6*float64(p))), heavy.TrainSize)
	if heavy.BatchSize < 8 {
		t.Skipf("this machine computes %.2f GFLOP/s per core now: too loaded to measure fairness", gflops)
	}
	if _, _, fe := m.Check(heavy); len(fe) > 0 {
		t.Fatalf("the heavy training (batch %d at %.1f GFLOP/s) is refused: %v", heavy.BatchSize, gflops, fe)
	}
	over := heavy
	over.BatchSize = heavy.BatchSize*11/10 + 1
	if _, _, fe := m.Check(over); len(fe) == 0 || fe[0].Field != "batch_size" {
		t.Fatalf("a batch of %d (10%% over the largest) is admitted: %v", over.BatchSize, fe)
	}

	var heavies []*Session
	for range 3 {
		s, _, err := m.Create(heavy)
		if err != nil {
			t.Fatal(err)
		}
		heavies = append(heavies, s)
	}
	for _, s := range heavies {
		waitFor(t, func() bool { return s.Info().Step > 0 })
	}
	small := long()
	s, _, err := m.Create(small)
	if err != nil {
		t.Fatal(err)
	}
	sub := s.Subscribe()
	defer sub.Close()
	const warmUp, window = 1500 * time.Millisecond, 6 * time.Second
	start := time.Now()
	var times []time.Time
	for deadline := time.After(warmUp + window); ; {
		select {
		case msg, ok := <-sub.C:
			if !ok {
				t.Fatal("the small training's stream ended early")
			}
			var head struct {
				Type string `json:"type"`
			}
			if json.Unmarshal(msg, &head) == nil && head.Type == TypeProgress && time.Since(start) >= warmUp {
				times = append(times, time.Now())
			}
			continue
		case <-deadline:
		}
		break
	}
	if sub.Dropped() {
		t.Fatal("the test's own subscription was dropped as too slow")
	}
	gaps := []time.Duration{times[0].Sub(start.Add(warmUp))}
	for i := 1; i < len(times); i++ {
		gaps = append(gaps, times[i].Sub(times[i-1]))
	}
	gaps = append(gaps, start.Add(warmUp+window).Sub(times[len(times)-1]))
	worst := slices.Max(gaps)
	heavyStep := 0
	for _, h := range heavies {
		heavyStep += h.Info().Step
	}
	t.Logf("%.1f GFLOP/s assumed per core; heavy batch %d (%d parameters); %d progress messages of the small training in %s, worst gap %s; heavy steps %d",
		gflops, heavy.BatchSize, p, len(times), window, worst.Round(time.Millisecond), heavyStep)
	if worst > time.Second {
		t.Errorf("the small training went %s without an update beside three heavy ones; the README promises at least one a second", worst.Round(time.Millisecond))
	}
	for _, h := range append(heavies, s) {
		_ = h.Stop()
	}
	for _, h := range append(heavies, s) {
		waitDone(t, h)
	}
}
