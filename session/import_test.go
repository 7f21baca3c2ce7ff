package session

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// modelFileOf trains a small session in a manager of its own and returns
// its model file and configuration.
func modelFileOf(t *testing.T) ([]byte, Config) {
	t.Helper()
	src := newTestManager(t, Options{})
	c := small()
	c.Epochs = 1
	s, _, err := src.Create(c)
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, s)
	snap, err := s.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteModel(&b, s.Config(), snap); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), s.Config()
}

// An import is admitted by the door: a start token before the file is
// read, the file's memory while it arrives, its decoding's, and the memory
// of the model it builds, each refused with a message when it does not fit.
func TestImportModelIsBudgeted(t *testing.T) {
	file, c := modelFileOf(t)
	size := int64(len(file))
	info, _ := testRegistry.Info(c.Dataset)
	params := ParamCount(c.Sizes(info.Features))
	eval := importMemory(c, info.Features, orAll(c.TrainSize, info.TrainSize), orAll(c.TestSize, info.TestSize), params)
	parse := 2*size + 1<<20
	ctx := context.Background()
	read := func(n *int) func(context.Context) ([]byte, error) {
		return func(context.Context) ([]byte, error) { *n++; return file, nil }
	}

	// Everything fits: the session completes and the memory comes back.
	m := newTestManager(t, Options{MaxMemory: size + parse + eval, StartLimit: RateLimit{Burst: 1, PerMinute: 1}})
	reads := 0
	s, token, err := m.ImportModel(ctx, "192.0.2.7", size, read(&reads))
	if err != nil || token == "" || reads != 1 {
		t.Fatalf("import within the budget: %v (reads %d)", err, reads)
	}
	waitDone(t, s)
	if in := s.Info(); in.State != Completed {
		t.Fatalf("imported session: %s", in.State)
	}
	waitMemory(t, m, 0)
	// The address's start token is spent: refused before the file is read.
	if _, _, err := m.ImportModel(ctx, "192.0.2.7", size, read(&reads)); ErrorCode(err) != ERateLimited || reads != 1 {
		t.Fatalf("second import from the address: %v (reads %d), want 429 before reading", err, reads)
	}

	// The model it builds does not fit what is left: 503, saying so.
	tight := newTestManager(t, Options{MaxMemory: size + parse + eval - 1})
	_, _, err = tight.ImportModel(ctx, "192.0.2.8", size, read(&reads))
	if ErrorCode(err) != EUnavailable || !strings.Contains(ErrorMessage(err), "memory is taken") || !strings.Contains(ErrorMessage(err), "import") {
		t.Fatalf("an import whose model does not fit: %v, want 503 naming the memory", err)
	}
	if n := len(tight.List()); n != 0 {
		t.Fatalf("a refused import left %d sessions", n)
	}
	waitMemory(t, tight, 0)

	// A file larger than the whole budget is refused before it is read.
	small := newTestManager(t, Options{MaxMemory: size - 1})
	before := reads
	if _, _, err := small.ImportModel(ctx, "192.0.2.9", size, read(&reads)); ErrorCode(err) != EInvalid || reads != before {
		t.Fatalf("an import larger than the budget: %v (read: %v), want 400 before reading", err, reads != before)
	}
}

// waitMemory waits until m's reserved memory is want.
func waitMemory(t *testing.T, m *Manager, want int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for m.Stats().MemoryUsed != want {
		if time.Now().After(deadline) {
			t.Fatalf("%d bytes reserved, want %d", m.Stats().MemoryUsed, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
