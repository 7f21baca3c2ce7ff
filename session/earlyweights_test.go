package session

import (
	"testing"

	"github.com/aelab/aelab/ae"
)

// The early copies of all sessions together stay within maxEarlyValues
// weights, the oldest forgotten first; a network over maxEarlyParams keeps
// none; a deleted session's are let go.
func TestEarlyWeightsBound(t *testing.T) {
	mk := func(k, h int) *ae.Snapshot {
		c := ae.Config{Sizes: []int{k, h, 2, h, k}, Bottleneck: 2, Hidden: ae.ReLU, Output: ae.Sigmoid,
			Loss: ae.MSE, Optimizer: ae.Optimizer{Kind: ae.Adam, LearningRate: 1e-3}, BatchSize: 16, Seed: 1}
		sn, err := ae.NewSnapshot(c, make([]float32, c.NumParams()), 0)
		if err != nil {
			t.Fatal(err)
		}
		return sn
	}
	var e earlyWeights
	small := mk(784, 256) // 403 Ki weights: 10 fit in 4 Mi
	n := small.Config().NumParams()
	a, b := &Session{id: "a"}, &Session{id: "b"}
	for step := range 8 {
		e.keep(a, step, small)
	}
	for step := range 8 {
		e.keep(b, step, small)
	}
	fit := maxEarlyValues / n
	if e.values > maxEarlyValues || e.values != fit*n || len(e.order) != fit {
		t.Fatalf("%d weights in %d copies; want %d copies within %d", e.values, len(e.order), fit, maxEarlyValues)
	}
	if got := len(a.early.steps()) + len(b.early.steps()); got != fit {
		t.Fatalf("the sessions hold %d copies, the account %d", got, fit)
	}
	if a.early.at(0) != nil || b.early.at(7) == nil { // a's oldest went first
		t.Fatalf("a keeps %v, b keeps %v: the oldest were not the ones forgotten", a.early.steps(), b.early.steps())
	}
	big := &Session{id: "big"}
	e.keep(big, 0, mk(784, 400)) // 628 Ki weights: over maxEarlyParams
	if big.early.at(0) != nil {
		t.Fatal("a network over maxEarlyParams kept an early copy")
	}
	e.forget(b)
	if len(b.early.steps()) != 0 || e.values != len(a.early.steps())*n {
		t.Fatalf("after forgetting b: b keeps %v, %d weights counted for a's %d copies", b.early.steps(), e.values, len(a.early.steps()))
	}
}
