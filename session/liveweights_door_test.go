package session

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestWeightsServedThroughTheDoor: the training replica's side of a fetch
// of live weights is admitted by the door: a fresh copy is encoded in a
// CPU turn (held by the work while it runs), its bytes are reserved in the
// memory budget while it is kept and given back when it is let go; at
// most maxServesPerRun answers for one run and maxServes in all are
// computed at once, the others refused at once saying why; a panic in one
// gives everything back; Shutdown waits for an answer under way and
// refuses those that come after.
func TestWeightsServedThroughTheDoor(t *testing.T) {
	old := servedKeep
	servedKeep = 300 * time.Millisecond
	t.Cleanup(func() { servedKeep = old })
	m := newTestManager(t, Options{Cores: 8}) // 4 slots for work other than trainings
	var runs []*Session
	for seed := range 3 {
		c := small()
		c.Epochs, c.Seed, c.TrainSize, c.TestSize = 1, uint64(seed+1), 128, 100
		s, _, err := m.Create(c)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, s)
	}
	for _, s := range runs {
		select {
		case <-s.Done():
		case <-time.After(60 * time.Second):
			t.Fatal("a training did not end")
		}
	}
	copyBytes := 4 * int64(len(runs[0].snap.Load().Params()))
	base := m.Stats().MemoryUsed

	entered, release := make(chan Work, 16), make(chan struct{})
	var panicking sync.Once
	panicNext := make(chan struct{})
	testHookWork = func(w Work) {
		if w.Kind != WorkWeights {
			return
		}
		select {
		case <-panicNext:
			panicking.Do(func() { panic("injected fault while encoding weights") })
		default:
		}
		entered <- w
		<-release
	}
	t.Cleanup(func() { testHookWork = nil })

	servers := []*weightsServer{m.weightsServer(runs[0]), m.weightsServer(runs[1]), m.weightsServer(runs[2])}
	ask := func(ws *weightsServer) chan RunReply {
		out := make(chan RunReply, 1)
		go func() { out <- ws.answer(context.Background(), RunRequest{Action: "weights"}) }()
		return out
	}
	// Two answers about run 0 and two about run 1 are admitted at once.
	var held []chan RunReply
	for _, ws := range []*weightsServer{servers[0], servers[0], servers[1], servers[1]} {
		held = append(held, ask(ws))
		select {
		case <-entered:
		case <-time.After(10 * time.Second):
			t.Fatal("an answer was not admitted")
		}
	}
	if n := m.cpu.inUse(); n != 4 {
		t.Errorf("%d CPU slots held by the 4 answers, want 4", n)
	}
	// A third about run 0: over the run's bound; one about run 2: over
	// the server's.
	for _, tc := range []struct {
		ws   *weightsServer
		want string
	}{{servers[0], "being sent to 2 servers already"}, {servers[2], "weights of 4 runs already"}} {
		select {
		case rep := <-ask(tc.ws):
			if rep.Error == nil || rep.Error.Code != EUnavailable || !strings.Contains(rep.Error.Message, tc.want) {
				t.Errorf("an answer over the bound: %+v, want unavailable %q", rep.Error, tc.want)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("an answer over the bound waited instead of being refused")
		}
	}
	close(release)
	for _, h := range held {
		rep := <-h
		if rep.Error != nil || rep.Weights == nil || rep.Weights.Offset != 0 || rep.Weights.Total*4 != int(copyBytes) {
			t.Fatalf("an admitted answer: %+v %+v", rep.Error, rep.Weights)
		}
	}
	// Each run's copy is kept (and reserved) once, whoever asked for it.
	if got := m.Stats().MemoryUsed - base; got != 2*copyBytes {
		t.Errorf("the kept copies reserve %d bytes, want 2 × %d", got, copyBytes)
	}
	if n := m.cpu.inUse(); n != 0 {
		t.Errorf("%d CPU slots held after the answers", n)
	}
	deadline := time.Now().Add(10 * time.Second)
	for m.Stats().MemoryUsed != base { // servedKeep after: let go
		if time.Now().After(deadline) {
			t.Fatalf("%d bytes still reserved after the copies were let go", m.Stats().MemoryUsed-base)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// A panic while encoding: an internal error, everything given back.
	close(panicNext)
	rep := <-ask(servers[2])
	if rep.Error == nil || rep.Error.Code != EInternal {
		t.Fatalf("a panic while encoding: %+v, want an internal error", rep.Error)
	}
	if n := m.cpu.inUse(); n != 0 || m.Stats().MemoryUsed != base || len(m.serving) != 0 {
		t.Fatalf("after the panic: %d CPU slots, %d bytes, %d answers held", n, m.Stats().MemoryUsed-base, len(m.serving))
	}

	// Shutdown waits for an answer under way, and refuses one after.
	underWay := make(chan struct{})
	var once sync.Once
	var slept atomic.Bool // the answer under way has had its turn
	testHookWork = func(w Work) {
		if w.Kind == WorkWeights {
			once.Do(func() { close(underWay) })
			time.Sleep(500 * time.Millisecond)
			slept.Store(true)
		}
	}
	slow := ask(servers[1])
	select { // in its turn (a loaded machine may take a while to get there)
	case <-underWay:
	case <-time.After(20 * time.Second):
		t.Fatal("the answer never reached its CPU turn")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if !slept.Load() {
		t.Error("Shutdown returned before an answer under way ended")
	}
	select { // its reply is sent once answer has returned: its chunk, or
	// the shutdown's refusal (its chunk's bytes are reserved after the turn)
	case rep := <-slow:
		if rep.Error != nil && !strings.Contains(rep.Error.Message, "shutting down") {
			t.Errorf("the answer under way at Shutdown: %+v", rep.Error)
		}
	case <-time.After(10 * time.Second):
		t.Error("the answer under way at Shutdown never replied")
	}
	if rep := servers[0].answer(context.Background(), RunRequest{Action: "weights"}); rep.Error == nil || !strings.Contains(rep.Error.Message, "shutting down") {
		t.Errorf("an answer after Shutdown: %+v, want refused", rep.Error)
	}
}
