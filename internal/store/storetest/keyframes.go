package storetest

import (
	"context"
	"math"
	"reflect"
	"testing"

	"github.com/aelab/aelab/session"
)

// Keyframe returns a plausible keyframe of session id at step whose
// reconstructions hold n bytes that do not compress (exported for the
// tests of implementations).
func Keyframe(id string, step, n int, seed float64) session.Keyframe {
	train, test := 0.5/seed, 0.6/seed
	noise := make([]byte, n)
	x := uint32(2654435761 * uint32(step+1))
	for i := range noise {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		noise[i] = byte(x)
	}
	lat := &session.Latent{Step: step, Epoch: float64(step) / 10, Projection: "identity", Axes: [2]string{"z1", "z2"},
		X: []float32{-1.5, 0, 2.25 * float32(seed)}, Y: []float32{3, -0.125, 1e-3}, Labels: []int{0, 2, 1}, ClassNames: []string{"a", "b", "c"}}
	rec := &session.Reconstructions{Step: step, Epoch: float64(step) / 10, Kind: "vector", Width: n / 2, Height: 1, Count: 2,
		Labels: []int{0, 1}, Lo: -1, Hi: 2, Originals: noise, Reconstructions: noise, MSE: []float64{0.25, seed}}
	return session.Keyframe{SessionID: id, Step: step, Epoch: float64(step) / 10, TrainLoss: &train, TestLoss: &test, Latent: lat, Reconstructions: rec}
}

func testKeyframes(t *testing.T, s session.Store) {
	ctx := context.Background()
	write(t, s, &session.Batch{Sessions: []session.SessionRecord{Record("a", session.Running, t0), Record("b", session.Running, t0)}})
	if ks, err := s.Keyframes(ctx, "a"); err != nil || ks == nil || len(ks) != 0 {
		t.Fatalf("Keyframes before any = %v, %v; want an empty index", ks, err)
	}
	if k, err := s.Keyframe(ctx, "a", 0); err != nil || k != nil {
		t.Fatalf("Keyframe before any = %v, %v; want nil", k, err)
	}
	first := Keyframe("a", 0, 64, 1)
	first.TrainLoss = nil // step 0 has no training loss yet
	write(t, s, &session.Batch{Keyframes: []session.Keyframe{Keyframe("a", 10, 64, 2), first, Keyframe("b", 5, 64, 3)}})
	write(t, s, &session.Batch{Keyframes: []session.Keyframe{Keyframe("a", 5, 64, 4), Keyframe("a", 10, 64, 5)}}) // 10 replaced
	ks, err := s.Keyframes(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if len(ks) != 3 || ks[0].Step != 0 || ks[1].Step != 5 || ks[2].Step != 10 {
		t.Fatalf("Keyframes = %+v; want steps 0, 5, 10", ks)
	}
	if ks[0].TrainLoss != nil || ks[0].TestLoss == nil || *ks[2].TrainLoss != 0.5/5 || *ks[2].TestLoss != 0.6/5 || ks[2].Epoch != 1 {
		t.Fatalf("Keyframes = %+v; want no train loss at 0 and the replaced losses at 10", ks)
	}
	want := Keyframe("a", 10, 64, 5)
	got, err := s.Keyframe(ctx, "a", 10)
	if err != nil || got == nil {
		t.Fatalf("Keyframe(a, 10) = %v, %v", got, err)
	}
	if !reflect.DeepEqual(got.Reconstructions, want.Reconstructions) {
		t.Errorf("reconstructions = %+v, want %+v", got.Reconstructions, want.Reconstructions)
	}
	if got.SessionID != "a" || got.Step != 10 || got.Epoch != 1 || *got.TrainLoss != *want.TrainLoss {
		t.Errorf("keyframe head = %+v", got)
	}
	gl, wl := got.Latent, want.Latent
	if gl == nil || gl.Projection != wl.Projection || gl.Axes != wl.Axes || !reflect.DeepEqual(gl.Labels, wl.Labels) ||
		!reflect.DeepEqual(gl.ClassNames, wl.ClassNames) || gl.Step != 10 || len(gl.X) != 3 || len(gl.Y) != 3 {
		t.Fatalf("latent = %+v, want %+v", gl, wl)
	}
	for i := range wl.X { // kept to 16 bits of their range
		if math.Abs(float64(gl.X[i]-wl.X[i])) > 2e-4 || math.Abs(float64(gl.Y[i]-wl.Y[i])) > 2e-4 {
			t.Errorf("point %d = (%v, %v), want (%v, %v) within 16 bits", i, gl.X[i], gl.Y[i], wl.X[i], wl.Y[i])
		}
	}
	if k, err := s.Keyframe(ctx, "a", 7); err != nil || k != nil {
		t.Fatalf("Keyframe at a step without one = %v, %v; want nil", k, err)
	}
	// A resumed run forgets the keyframes past its checkpoint.
	write(t, s, &session.Batch{Rewind: map[string]int{"b": 4}, Keyframes: []session.Keyframe{Keyframe("b", 3, 64, 6)}})
	if ks, _ := s.Keyframes(ctx, "b"); len(ks) != 1 || ks[0].Step != 3 {
		t.Fatalf("after rewinding b to step 4 and adding step 3: keyframes %+v, want step 3 only", ks)
	}
	if err := s.DeleteSession(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if ks, _ := s.Keyframes(ctx, "a"); len(ks) != 0 {
		t.Errorf("a deleted session kept %d keyframes", len(ks))
	}
	if ks, _ := s.Keyframes(ctx, "b"); len(ks) != 1 {
		t.Errorf("deleting a took b's keyframes: %d left", len(ks))
	}
}
