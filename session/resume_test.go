package session_test

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aelab/aelab/session"
)

// resumeConfig trains 6 epochs of 125 steps on MNIST with Adam: small
// enough to run in a second, long enough to stop in its third epoch.
func resumeConfig(seed uint64) session.Config {
	return session.Config{Encoder: []int{32}, Bottleneck: 2, TrainSize: 2000, TestSize: 300, BatchSize: 16,
		Epochs: 6, Seed: seed, Optimizer: "adam", LearningRate: 0.003}
}

// A training stopped by a restart resumes from its checkpoint and ends as
// if it had never stopped: the step counter and the curves carry on from
// the checkpoint (what a crash left past it is forgotten), the run reaches
// its last epoch, its test curve and final weights are bit for bit those
// of the uninterrupted run, the session says where it resumed, and all of
// it is kept through a further restart.
func TestResumeInterruptedContinuesTheRun(t *testing.T) {
	ctx := context.Background()
	const seed, stopAt = 4242, 300
	reached, release := make(chan struct{}), make(chan struct{})
	var armed atomic.Bool
	session.SetStepHook(t, func(s uint64, step int) {
		if s == seed && step == stopAt && armed.CompareAndSwap(true, false) {
			close(reached)
			<-release
		}
	})

	// The uninterrupted run, for reference (no store).
	ref := session.NewManager(session.Options{Datasets: registry})
	defer shutdown(t, ref)
	rs, _, err := ref.Create(resumeConfig(seed))
	if err != nil {
		t.Fatal(err)
	}
	wait(t, rs)
	refHist, _ := rs.History()
	refSnap, err := rs.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	total := rs.Info().TotalSteps
	armed.Store(true)

	// The same run on a store, stopped by a shutdown in its third epoch.
	dir := t.TempDir()
	st := openStore(t, dir)
	m := session.NewManager(session.Options{Datasets: registry, Store: st})
	s, _, err := m.Create(resumeConfig(seed))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-reached:
	case <-time.After(60 * time.Second):
		t.Fatal("the training never reached the step to stop at")
	}
	stopped := make(chan struct{})
	go func() { shutdown(t, m); close(stopped) }()
	time.Sleep(200 * time.Millisecond) // the shutdown cancels the trainings at once
	close(release)
	<-stopped
	stopStep := s.Info().Step
	if stopStep < stopAt || stopStep >= total {
		t.Fatalf("the training stopped at step %d; want %d or a little later", stopStep, stopAt)
	}
	// What a crash leaves: points recorded after the last checkpoint.
	if err := st.Write(ctx, &session.Batch{Points: map[string][]session.SeriesPoint{s.ID(): {
		{Series: session.SeriesTrain, Step: stopStep + 5, Value: 99}, {Series: session.SeriesTest, Step: stopStep + 5, Value: 99}}}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// Restart: the run is interrupted, at its checkpoint.
	st = openStore(t, dir)
	m = session.NewManager(session.Options{Datasets: registry, Store: st})
	if err := m.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	old, err := m.Get(s.ID())
	if err != nil {
		t.Fatal(err)
	}
	if in := old.Info(); in.State != session.Interrupted || in.ResumedAt != nil {
		t.Fatalf("after the restart: %s, resumed at %v; want interrupted, never resumed", in.State, in.ResumedAt)
	}
	// Only its owner's action resumes it; that is the handlers' check.
	// Here: a finished run cannot be resumed, an interrupted one can, once.
	ns, err := m.ResumeInterrupted(ctx, "192.0.2.1:1234", old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.ResumeInterrupted(ctx, "192.0.2.1:1234", old); session.ErrorCode(err) != session.EConflict {
		t.Fatalf("resuming the same interrupted session twice: %v, want a conflict", err)
	}
	if got, _ := m.Get(s.ID()); got != ns {
		t.Fatal("the resumed session does not answer for its ID")
	}
	wait(t, ns)
	in := ns.Info()
	want := &session.ResumePoint{Epoch: stopStep / 125, Step: stopStep}
	if in.State != session.Completed || in.Step != total || !reflect.DeepEqual(in.ResumedAt, want) {
		t.Fatalf("the resumed run ended %s at step %d of %d, resumed at %+v; want completed at %d, resumed at %+v",
			in.State, in.Step, total, in.ResumedAt, total, want)
	}
	if _, err := m.ResumeInterrupted(ctx, "", ns); session.ErrorCode(err) != session.EConflict {
		t.Fatalf("resuming a completed run: %v, want a conflict", err)
	}
	if err := ns.Resume(); session.ErrorCode(err) != session.EConflict {
		t.Fatalf("un-pausing a completed run: %v, want a conflict", err)
	}
	hist, _ := ns.History()
	checkCurve(t, "train", hist.Train, total)
	checkCurve(t, "test", hist.Test, total)
	for _, p := range append(slices.Clone(hist.Train), hist.Test...) {
		if p.Loss == 99 {
			t.Fatalf("a point recorded after the checkpoint (step %d) survived the resume", p.Step)
		}
	}
	// The test curve and the final weights are the uninterrupted run's.
	if len(hist.Test) != len(refHist.Test) {
		t.Fatalf("%d test points, uninterrupted %d", len(hist.Test), len(refHist.Test))
	}
	for i, p := range hist.Test {
		if q := refHist.Test[i]; p.Step != q.Step || math.Float64bits(p.Loss) != math.Float64bits(q.Loss) {
			t.Fatalf("test point %d: step %d loss %v; uninterrupted step %d loss %v", i, p.Step, p.Loss, q.Step, q.Loss)
		}
	}
	snap, err := ns.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(snap.Params(), refSnap.Params()) {
		t.Fatal("the resumed run's final weights differ from the uninterrupted run's")
	}
	// The keyframes say the losses of the uninterrupted run, the one at
	// the checkpoint (pictured again by the resumed trainer) included.
	refKF, err := rs.Keyframes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kf, err := ns.Keyframes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kf = slices.DeleteFunc(kf, func(k session.KeyframeInfo) bool { // where it stopped, kept too
		return !slices.ContainsFunc(refKF, func(r session.KeyframeInfo) bool { return r.Step == k.Step })
	})
	if !reflect.DeepEqual(kf, refKF) {
		t.Fatalf("keyframes of the resumed run:\n%s\nuninterrupted:\n%s", kfString(kf), kfString(refKF))
	}
	shutdown(t, m)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// A further restart keeps the finished run as it ended.
	_, back := restarted(t, dir, s.ID())
	if bi := back.Info(); bi.State != session.Completed || bi.Step != total || !reflect.DeepEqual(bi.ResumedAt, want) {
		t.Fatalf("after another restart: %s at step %d, resumed at %+v", bi.State, bi.Step, bi.ResumedAt)
	}
	bh, _ := back.History()
	if !reflect.DeepEqual(bh.Train, hist.Train) || !reflect.DeepEqual(bh.Test, hist.Test) {
		t.Fatalf("the kept curves differ from the run's: %d/%d train, %d/%d test points", len(bh.Train), len(hist.Train), len(bh.Test), len(hist.Test))
	}
}

// checkCurve checks that a curve's steps strictly increase (no point twice,
// none out of order) up to the last step.
func checkCurve(t *testing.T, name string, pts []session.LossPoint, last int) {
	t.Helper()
	if len(pts) == 0 {
		t.Fatalf("no %s points", name)
	}
	for i := 1; i < len(pts); i++ {
		if pts[i].Step <= pts[i-1].Step {
			t.Fatalf("%s curve: step %d after step %d", name, pts[i].Step, pts[i-1].Step)
		}
	}
	if pts[len(pts)-1].Step != last {
		t.Fatalf("%s curve ends at step %d, want %d", name, pts[len(pts)-1].Step, last)
	}
}

func kfString(ks []session.KeyframeInfo) string {
	var b strings.Builder
	for _, k := range ks {
		fmt.Fprintf(&b, "step %d train %v test %v; ", k.Step, fptr(k.TrainLoss), fptr(k.TestLoss))
	}
	return b.String()
}

func fptr(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
