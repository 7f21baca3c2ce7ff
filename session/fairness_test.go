package session

import (
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/internal/cputime"
)

// measuredGFLOPS times training steps of the network of c (on k features)
// on this machine, two at once as on a server whose two cores are busy, and
// returns the speed of one core in GFLOP/s: from the CPU time the steps
// took (which other load on the machine barely changes), or, where the
// system gives no CPU time, from the median step's wall time.
func measuredGFLOPS(t *testing.T, c Config, k int) float64 {
	t.Helper()
	const steps = 3 // each, after one untimed
	var (
		mu     sync.Mutex
		times  []time.Duration
		wg     sync.WaitGroup
		warmed sync.WaitGroup
		begin  = make(chan struct{})
	)
	warmed.Add(2)
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
			model.TrainStep(x, x, c.BatchSize)
			warmed.Done()
			<-begin
			for range steps {
				start := time.Now()
				model.TrainStep(x, x, c.BatchSize)
				mu.Lock()
				times = append(times, time.Since(start))
				mu.Unlock()
			}
		}()
	}
	warmed.Wait()
	cpu0, haveCPU := cputime.Process()
	close(begin)
	wg.Wait()
	cpu1, _ := cputime.Process()
	flops := stepFLOPs(ParamCount(c.Sizes(k)), c.BatchSize)
	if haveCPU && cpu1 > cpu0 {
		return flops * 2 * steps / (cpu1 - cpu0).Seconds() / 1e9
	}
	slices.Sort(times)
	return flops / times[len(times)/2].Seconds() / 1e9
}

// TestSmallTrainingKeepsUpdatingBesideHeavyOnes: three trainings with the
// largest step the door admits (a quarter of a second of one core, at the
// speed the server is told its cores have) share two cores with a small
// training, which still publishes progress at least once a second (the
// README's promise): the worst gap between its progress messages, over a
// window after a warm-up, is at most 1 s of the time the process had its
// cores (its CPU time over the gap / Cores, at most the wall time): on a
// machine shared with other work every gap stretches by the share of the
// cores withheld, whatever the scheduler does.
//
// The speed the door assumes is measured here (in CPU time) and halved, as
// an operator of a shared machine would set -core-gflops; the heavy steps
// are then the largest that speed admits, the same share of a core on an
// idle machine and on a loaded one.
func TestSmallTrainingKeepsUpdatingBesideHeavyOnes(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 15 s")
	}
	const k = 784 // MNIST
	heavy := Config{Dataset: "mnist", Encoder: []int{1536, 256}, Bottleneck: 16, TrainSize: 20000, TestSize: 200, Epochs: 50, Seed: 3, BatchSize: 64}.Defaults()
	gflops := measuredGFLOPS(t, heavy, k) / 2
	const cores = 2
	m := newTestManager(t, Options{Cores: cores, CoreGFLOPS: gflops, MaxCoreMinutes: 1 << 20})

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
	// The promise holds for a server that gets its cores. On a machine
	// shared with other work (CI, other test packages) the process may get
	// a fraction of them, and every gap stretches by that much whatever the
	// scheduler does, so each gap is measured in the time the process was
	// granted its cores: its CPU time over the gap divided by Cores, and
	// never more than the wall time (the same when nothing else runs).
	type mark struct {
		wall time.Time
		cpu  time.Duration
	}
	now := func() mark {
		c, _ := cputime.Process()
		return mark{time.Now(), c}
	}
	_, haveCPU := cputime.Process()
	warm, end := time.After(warmUp), time.After(warmUp+window)
	var marks []mark // the window's start, each progress message in it, its end
	for done := false; !done; {
		select {
		case msg, ok := <-sub.C:
			if !ok {
				t.Fatal("the small training's stream ended early")
			}
			var head struct {
				Type string `json:"type"`
			}
			if json.Unmarshal(msg, &head) == nil && head.Type == TypeProgress && len(marks) > 0 {
				marks = append(marks, now())
			}
		case <-warm:
			marks = append(marks, now())
		case <-end:
			marks = append(marks, now())
			done = true
		}
	}
	if sub.Dropped() {
		t.Fatal("the test's own subscription was dropped as too slow")
	}
	var worst, worstWall time.Duration
	for i := 1; i < len(marks); i++ {
		wall := marks[i].wall.Sub(marks[i-1].wall)
		granted := wall
		if haveCPU {
			granted = min(wall, (marks[i].cpu-marks[i-1].cpu)/cores)
		}
		worst, worstWall = max(worst, granted), max(worstWall, wall)
	}
	first, last := marks[0], marks[len(marks)-1]
	share := float64(last.cpu-first.cpu) / float64(cores*last.wall.Sub(first.wall))
	heavyStep := 0
	for _, h := range heavies {
		heavyStep += h.Info().Step
	}
	t.Logf("%.1f GFLOP/s assumed per core; heavy batch %d (%d parameters); %d progress messages of the small training in %s, worst gap %s of granted time (%s of wall time; the process got %.2f of its 2 cores); heavy steps %d",
		gflops, heavy.BatchSize, p, len(marks)-2, window, worst.Round(time.Millisecond), worstWall.Round(time.Millisecond), share, heavyStep)
	if worst > time.Second {
		t.Errorf("the small training went %s without an update beside three heavy ones (%s of wall time); the README promises at least one a second", worst.Round(time.Millisecond), worstWall.Round(time.Millisecond))
	}
	for _, h := range append(heavies, s) {
		_ = h.Stop()
	}
	for _, h := range append(heavies, s) {
		waitDone(t, h)
	}
}
