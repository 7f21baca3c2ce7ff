package session

import (
	"context"
	"strings"
	"testing"
)

// Work with an input (an upload's body) takes its rate token before the
// input is read, holds no memory while it arrives, reserves what the input
// says it needs with the CPU turn, and gives everything back, panics
// included.
func TestWorkInputTakesTheTokenFirst(t *testing.T) {
	const budget = 256 << 20
	m := newTestManager(t, Options{MaxMemory: budget, UploadLimit: RateLimit{Burst: 1, PerMinute: 1}})
	ctx := context.Background()
	var duringInput, duringWork int64
	err := m.Do(ctx, Work{Kind: WorkUpload, Addr: "192.0.2.1", Input: func(context.Context) (int64, error) {
		duringInput = m.Stats().MemoryUsed
		return 10 << 20, nil
	}}, func(context.Context) error {
		duringWork = m.Stats().MemoryUsed
		return nil
	})
	if err != nil || duringInput != 0 || duringWork != 10<<20 {
		t.Fatalf("upload: %v; memory while the input arrived %d, while parsing %d (want 0 and %d)", err, duringInput, duringWork, 10<<20)
	}
	// Over the limit: refused before the input is read.
	read := false
	err = m.Do(ctx, Work{Kind: WorkUpload, Addr: "192.0.2.1", Input: func(context.Context) (int64, error) {
		read = true
		return 1, nil
	}}, func(context.Context) error { return nil })
	if ErrorCode(err) != ERateLimited || read || !strings.Contains(ErrorMessage(err), "too many uploads") {
		t.Fatalf("second upload from the address: %v (input read: %v), want 429 before reading", err, read)
	}
	// An input that needs more than is free is refused after it arrived.
	ran := false
	err = m.Do(ctx, Work{Kind: WorkUpload, Addr: "192.0.2.2", Input: func(context.Context) (int64, error) { return budget + 1, nil }},
		func(context.Context) error { ran = true; return nil })
	if ErrorCode(err) != EInvalid || ran {
		t.Fatalf("an upload larger than the budget: %v (ran: %v)", err, ran)
	}
	// A panic while the input arrives is an internal error, and nothing stays reserved.
	err = m.Do(ctx, Work{Kind: WorkUpload, Addr: "192.0.2.3", Input: func(context.Context) (int64, error) { panic("boom") }},
		func(context.Context) error { return nil })
	if ErrorCode(err) != EInternal {
		t.Fatalf("a panicking input: %v", err)
	}
	st := m.Stats()
	m.mu.Lock()
	work := len(m.workBy)
	m.mu.Unlock()
	if st.MemoryUsed != 0 || st.CPUInUse != 0 || work != 0 {
		t.Fatalf("after the uploads: %d bytes, %d CPU slots, %d addresses' work still reserved", st.MemoryUsed, st.CPUInUse, work)
	}
}

// Joins take tokens of the door's limiter, per address, IPv6 by /64.
func TestAllowJoinsPerAddress(t *testing.T) {
	m := newTestManager(t, Options{JoinLimit: RateLimit{Burst: 2, PerMinute: 1}})
	for i := range 2 {
		if err := m.Allow("2001:db8:1:2::1", WorkJoin); err != nil {
			t.Fatalf("join %d: %v", i, err)
		}
	}
	err := m.Allow("2001:db8:1:2::99", WorkJoin) // the same /64
	if ErrorCode(err) != ERateLimited || !strings.Contains(ErrorMessage(err), "attempts to join a class") {
		t.Fatalf("third join from the /64: %v, want 429", err)
	}
	var e *Error
	if !asError(err, &e) || e.Retry <= 0 {
		t.Fatalf("no Retry in %v", err)
	}
	if err := m.Allow("2001:db8:1:3::1", WorkJoin); err != nil {
		t.Fatalf("another /64: %v", err)
	}
}
