package session_test

import (
	"context"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aelab/aelab/internal/store/sqlite"
	"github.com/aelab/aelab/session"
)

// crashStore is a store whose process dies just after it has written the
// checkpoint at step crashAt: later writes never reach the disk, as after
// a kill -9.
type crashStore struct {
	*sqlite.Store
	crashAt int
	mu      sync.Mutex
	dead    bool
	crashed chan struct{}
}

func (c *crashStore) Write(ctx context.Context, b *session.Batch) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dead {
		return nil
	}
	if err := c.Store.Write(ctx, b); err != nil {
		return err
	}
	if slices.ContainsFunc(b.Checkpoints, func(ck session.Checkpoint) bool { return ck.Step == c.crashAt }) {
		c.dead = true
		close(c.crashed)
	}
	return nil
}

// A run that crashed just after its checkpoint at an epoch's end resumes
// from that checkpoint, where the resumed trainer pictures the keyframe
// of that step again: the keyframe keeps the training and test losses of
// that step (the uninterrupted run's), not null (the fix of 404e3de; a
// graceful stop checkpoints where it stopped, between keyframe steps, so
// TestResumeInterruptedContinuesTheRun does not reach this case).
func TestResumeAfterCrashKeepsTheKeyframeLosses(t *testing.T) {
	ctx := context.Background()
	const seed, epochEnd = 4343, 250 // 125 steps an epoch
	ref := session.NewManager(session.Options{Datasets: registry})
	defer shutdown(t, ref)
	rs, _, err := ref.Create(resumeConfig(seed))
	if err != nil {
		t.Fatal(err)
	}
	wait(t, rs)
	refKF, err := rs.Keyframes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(refKF, func(k session.KeyframeInfo) bool {
		return k.Step == epochEnd && k.TrainLoss != nil && k.TestLoss != nil
	}) {
		t.Fatalf("the uninterrupted run has no keyframe with losses at step %d: %s", epochEnd, kfString(refKF))
	}

	// The same run on a store that dies after the checkpoint at epochEnd;
	// the training is held a little later until it has.
	dir := t.TempDir()
	st := &crashStore{Store: openStore(t, dir), crashAt: epochEnd, crashed: make(chan struct{})}
	release := make(chan struct{})
	session.SetStepHook(t, func(s uint64, step int) {
		if s == seed && step == epochEnd+10 {
			<-release
		}
	})
	m := session.NewManager(session.Options{Datasets: registry, Store: st})
	s, _, err := m.Create(resumeConfig(seed))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-st.crashed:
	case <-time.After(60 * time.Second):
		t.Fatalf("the checkpoint at step %d was never written", epochEnd)
	}
	stopped := make(chan struct{})
	go func() { shutdown(t, m); close(stopped) }()
	time.Sleep(200 * time.Millisecond)
	close(release)
	<-stopped
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// Restart on what reached the disk: interrupted at the epoch's end or
	// the step or two after it that the head had reached when the
	// checkpoint was written (the writer writes the heads first), never
	// before the checkpoint (the defect 86db2c3 fixed: an epoch early)
	// and never past where the training was held.
	m, old := restarted(t, dir, s.ID())
	if in := old.Info(); in.State != session.Interrupted || in.Step < epochEnd || in.Step > epochEnd+10 {
		t.Fatalf("after the crash: %s at step %d; want interrupted at %d to %d", in.State, in.Step, epochEnd, epochEnd+10)
	}
	ns, err := m.ResumeInterrupted(ctx, "192.0.2.1:1234", old)
	if err != nil {
		t.Fatal(err)
	}
	wait(t, ns)
	if in := ns.Info(); in.State != session.Completed || in.ResumedAt == nil || in.ResumedAt.Step != epochEnd {
		t.Fatalf("the resumed run ended %s, resumed at %+v; want completed, resumed at step %d", in.State, in.ResumedAt, epochEnd)
	}
	kf, err := ns.Keyframes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(kf, refKF) {
		t.Fatalf("keyframes of the resumed run:\n%s\nuninterrupted:\n%s", kfString(kf), kfString(refKF))
	}
}
