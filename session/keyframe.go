package session

import (
	"context"
	"slices"
	"sync"
)

// Keyframes are the replay of a run: at a few chosen steps the trainer keeps
// a copy of the latent scatter and the reconstructions it publishes, so that
// a viewer can scrub back through how the run learned, during the run, after
// it and after a restart. The steps are chosen up front (KeyframeSteps): the
// start, a 1–2–5 log scale early on (where most of the change happens),
// every epoch's end and the last step, at most MaxKeyframes in all.
//
// A keyframe is a copy the trainer already made for the viewers; keeping it
// is a short lock. With a store the recorder writes keyframes with its next
// batch and the session then lets go of its copies (the store answers);
// without one, the latest maxHeldKeyframeRuns ended runs keep theirs in
// memory.

// MaxKeyframes bounds the keyframes of one run.
const MaxKeyframes = 40

// maxHeldKeyframeRuns bounds the ended runs whose keyframes stay in memory
// when there is no store (each holds at most MaxKeyframes frames of some
// tens of kB).
const maxHeldKeyframeRuns = 16

// Keyframe is a run's picture at one step: what the latent and
// reconstructions messages of the stream carried then.
type Keyframe struct {
	SessionID       string
	Step            int
	Epoch           float64
	TrainLoss       *float64 // the latest training-loss point at that step (nil before the first)
	TestLoss        *float64 // the latest test loss at that step
	Latent          *Latent
	Reconstructions *Reconstructions
}

// KeyframeInfo is one entry of a run's keyframe index.
type KeyframeInfo struct {
	Step      int      `json:"step"`
	Epoch     float64  `json:"epoch"`
	TrainLoss *float64 `json:"train_loss"`
	TestLoss  *float64 `json:"test_loss"`
}

// Info returns the index entry of k.
func (k *Keyframe) Info() KeyframeInfo {
	return KeyframeInfo{Step: k.Step, Epoch: k.Epoch, TrainLoss: k.TrainLoss, TestLoss: k.TestLoss}
}

// KeyframeSteps returns the steps at which a run of totalSteps steps, in
// epochs of stepsPerEpoch, keeps a keyframe, in increasing order: 0, the
// 1–2–5 scale (1, 2, 5, 10, 20, 50, …) below totalSteps, every epoch's end
// and totalSteps. When that is more than MaxKeyframes, the epoch ends are
// thinned evenly (the last one always stays), then the log scale.
func KeyframeSteps(stepsPerEpoch, totalSteps int) []int {
	if totalSteps <= 0 || stepsPerEpoch <= 0 {
		return []int{0}
	}
	var logScale []int
	for decade := 1; decade < totalSteps; decade *= 10 {
		for _, f := range []int{1, 2, 5} {
			if s := f * decade; s < totalSteps {
				logScale = append(logScale, s)
			}
		}
		if decade > totalSteps/10 {
			break
		}
	}
	var ends []int
	for s := stepsPerEpoch; s < totalSteps; s += stepsPerEpoch {
		ends = append(ends, s)
	}
	merge := func() []int {
		out := append([]int{0, totalSteps}, logScale...)
		out = append(out, ends...)
		slices.Sort(out)
		return slices.Compact(out)
	}
	out := merge()
	if len(out) <= MaxKeyframes {
		return out
	}
	// Thin the epoch ends: keep every k-th, counted back from the end.
	room := MaxKeyframes - len(logScale) - 2
	if room < 1 {
		room = 1
	}
	if len(ends) > room {
		k := (len(ends) + room - 1) / room
		var kept []int
		for i := len(ends) - 1; i >= 0; i -= k {
			kept = append(kept, ends[i])
		}
		ends = kept
	}
	out = merge()
	for len(out) > MaxKeyframes { // only with a log scale longer than the bound
		out = slices.Delete(out, len(out)/2, len(out)/2+1)
	}
	return out
}

// keyframeSet is what a session holds of its keyframes: those not yet
// written to the store (all of them without a store).
type keyframeSet struct {
	mu     sync.Mutex
	frames []*Keyframe // by step
	st     Store       // where written keyframes are read from; nil without a store
}

// add keeps k, replacing one of the same step.
func (ks *keyframeSet) add(k *Keyframe) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	i, found := slices.BinarySearchFunc(ks.frames, k.Step, func(a *Keyframe, step int) int { return a.Step - step })
	if found {
		ks.frames[i] = k
		return
	}
	if len(ks.frames) >= MaxKeyframes { // cannot happen with KeyframeSteps; a bound all the same
		return
	}
	ks.frames = slices.Insert(ks.frames, i, k)
}

// written lets go of the copies of the given steps: the store has them.
func (ks *keyframeSet) written(steps []int) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	ks.frames = slices.DeleteFunc(ks.frames, func(k *Keyframe) bool { return slices.Contains(steps, k.Step) })
}

// clear lets go of every copy.
func (ks *keyframeSet) clear() {
	ks.mu.Lock()
	ks.frames = nil
	ks.mu.Unlock()
}

func (ks *keyframeSet) held() ([]*Keyframe, Store) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	return slices.Clone(ks.frames), ks.st
}

// Keyframes returns the index of the session's keyframes, by step: those
// held in memory and those in the store.
func (s *Session) Keyframes(ctx context.Context) ([]KeyframeInfo, error) {
	held, st := s.kf.held()
	var out []KeyframeInfo
	if st != nil {
		stored, err := st.Keyframes(ctx, s.id)
		if err != nil {
			return nil, err
		}
		out = stored
	}
	for _, k := range held {
		i, found := slices.BinarySearchFunc(out, k.Step, func(a KeyframeInfo, step int) int { return a.Step - step })
		if found {
			out[i] = k.Info()
		} else {
			out = slices.Insert(out, i, k.Info())
		}
	}
	if out == nil {
		out = []KeyframeInfo{}
	}
	return out, nil
}

// Keyframe returns the session's keyframe at step, or an ENotFound error.
func (s *Session) Keyframe(ctx context.Context, step int) (*Keyframe, error) {
	held, st := s.kf.held()
	for _, k := range held {
		if k.Step == step {
			return k, nil
		}
	}
	if st != nil {
		k, err := st.Keyframe(ctx, s.id, step)
		if err != nil {
			return nil, err
		}
		if k != nil {
			return k, nil
		}
	}
	return nil, Errorf(ENotFound, "session %s has no keyframe at step %d; GET /api/sessions/%s/keyframes lists those it has", s.id, step, s.id)
}

// keyframesWritten is the recorder's word that the store has the given
// keyframes: their session lets go of its copies.
func (m *Manager) keyframesWritten(id string, steps []int) {
	m.mu.Lock()
	s := m.sessions[id]
	m.mu.Unlock()
	if s != nil {
		s.kf.written(steps)
	}
}

// holdKeyframes bounds, without a store, the ended runs that keep their
// keyframes in memory: s has just ended; the oldest beyond
// maxHeldKeyframeRuns let go of theirs.
func (m *Manager) holdKeyframes(s *Session) {
	if m.rec != nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.kfHeld = append(m.kfHeld, s)
	for len(m.kfHeld) > maxHeldKeyframeRuns {
		m.kfHeld[0].kf.clear()
		m.kfHeld = m.kfHeld[1:]
	}
}

// keyframe keeps the picture just published at the current step if it is
// one of the run's keyframe steps. It runs on the training goroutine; lat
// and rec are the copies made for the viewers, never changed afterwards.
func (t *trainer) keyframe(lat *Latent, rec *Reconstructions) {
	t.skipPastKeyframes()
	final := t.final && t.step > 0 // a run stopped early keeps where it stopped
	if !final && (t.kfNext >= len(t.kfSteps) || t.kfSteps[t.kfNext] != t.step) {
		return
	}
	k := &Keyframe{SessionID: t.s.id, Step: t.step, Epoch: t.epochAt(t.step), Latent: lat, Reconstructions: rec}
	if t.haveTrain {
		l := t.lastTrain
		k.TrainLoss = &l
	}
	if t.haveTest {
		l := t.lastTest
		k.TestLoss = &l
	}
	t.s.kf.add(k)
	if t.s.rec != nil {
		t.s.rec.keyframe(*k)
	}
	t.keepEarlyWeights()
}

// keyframeDue reports whether the current step is a keyframe step that the
// trainer has not yet pictured.
func (t *trainer) keyframeDue() bool {
	t.skipPastKeyframes()
	return t.kfNext < len(t.kfSteps) && t.kfSteps[t.kfNext] == t.step
}

// skipPastKeyframes moves kfNext past the steps already behind (a run
// resumed from a checkpoint starts late).
func (t *trainer) skipPastKeyframes() {
	for t.kfNext < len(t.kfSteps) && t.kfSteps[t.kfNext] < t.step {
		t.kfNext++
	}
}

// replayState is the trainer's part in keyframes.
type replayState struct {
	kfSteps   []int // KeyframeSteps of the run
	kfNext    int   // index in kfSteps of the next step to picture
	lastTrain float64
	haveTrain bool
	haveTest  bool // lastTest (trainer) holds a test loss
}
