// Conformance: a session's head, its curve points and latest frames, and
// its deletion.

package storetest

import (
	"context"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/aelab/aelab/session"
)

func testSessions(t *testing.T, s session.Store) {
	ctx := context.Background()
	if got, err := s.Sessions(ctx); err != nil || len(got) != 0 {
		t.Fatalf("empty store: Sessions = %v, %v", got, err)
	}
	a := Record("a", session.Running, t0.Add(time.Hour))
	b := Record("b", session.Completed, t0)
	q := Record("q", session.Queued, t0.Add(2*time.Hour))
	q.OwnerHash, q.BrowserHash, q.TrainLoss = nil, nil, nil
	write(t, s, &session.Batch{Sessions: []session.SessionRecord{a, b, q}})
	got, err := s.Sessions(ctx)
	if err != nil || len(got) != 3 {
		t.Fatalf("Sessions = %d records, %v; want 3", len(got), err)
	}
	// Oldest first.
	equalRecords(t, got[0], b)
	equalRecords(t, got[1], a)
	equalRecords(t, got[2], q)

	// A later write of the same ID replaces the head.
	a.State, a.Reason, a.FinishedAt, a.Step = session.Failed, "the loss became NaN", t0.Add(3*time.Hour), 4000
	tl := 0.5
	a.TestLoss = &tl
	write(t, s, &session.Batch{Sessions: []session.SessionRecord{a}})
	got, _ = s.Sessions(ctx)
	if len(got) != 3 {
		t.Fatalf("after an update: %d sessions, want 3", len(got))
	}
	equalRecords(t, got[1], a)

	// Where a session resumed is kept, epoch 0 and step 0 included.
	for _, at := range []session.ResumePoint{{Epoch: 3, Step: 1400}, {}} {
		a.ResumedAt = &at
		write(t, s, &session.Batch{Sessions: []session.SessionRecord{a}})
		got, _ = s.Sessions(ctx)
		equalRecords(t, got[1], a)
	}
}

func testPoints(t *testing.T, s session.Store) {
	ctx := context.Background()
	write(t, s, &session.Batch{Sessions: []session.SessionRecord{Record("a", session.Running, t0), Record("b", session.Running, t0)}})
	var want []session.SeriesPoint
	for batch := 0; batch < 5; batch++ {
		var pts, other []session.SeriesPoint
		for i := 0; i < 7; i++ {
			step := batch*7 + i + 1
			pts = append(pts, session.SeriesPoint{Series: session.SeriesTrain, Step: step, Epoch: float64(step) / 10, Value: 1 / float64(step)})
			other = append(other, session.SeriesPoint{Series: session.SeriesTrain, Step: step, Value: 9})
		}
		pts = append(pts, session.SeriesPoint{Series: session.SeriesTest, Step: batch*7 + 7, Epoch: 0.7, Value: math.Pi},
			session.SeriesPoint{Series: "psnr_denoised", Step: batch*7 + 7, Epoch: 0.7, Value: 21.5})
		want = append(want, pts...)
		write(t, s, &session.Batch{Points: map[string][]session.SeriesPoint{"a": pts, "b": other}})
	}
	got, err := s.Points(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Points(a) = %d points, want %d in the order written:\n got %v\nwant %v", len(got), len(want), got, want)
	}
	if got, _ := s.Points(ctx, "nobody"); len(got) != 0 {
		t.Errorf("Points of an unknown session = %v, want none", got)
	}
}

func testFrames(t *testing.T, s session.Store) {
	ctx := context.Background()
	write(t, s, &session.Batch{Sessions: []session.SessionRecord{Record("a", session.Running, t0)}})
	if f, err := s.Frames(ctx, "a"); err != nil || f != (session.Frames{}) {
		t.Fatalf("Frames before any = %+v, %v; want none", f, err)
	}
	lat := &session.Latent{Step: 10, Epoch: 0.5, Projection: "pca", Axes: [2]string{"PC1", "PC2"},
		X: []float32{1, 2.5}, Y: []float32{-1, 0.25}, Labels: []int{3, 4}, ClassNames: []string{"a", "b", "c", "d", "e"}}
	write(t, s, &session.Batch{Frames: map[string]session.Frames{"a": {Latent: lat, Progress: &session.Progress{Step: 10, Epochs: 5}}}})
	rec := &session.Reconstructions{Step: 12, Kind: "image", Width: 2, Height: 1, Count: 1, Labels: []int{3},
		Lo: 0, Hi: 1, Originals: []byte{0, 255}, Reconstructions: []byte{10, 200}, MSE: []float64{0.01}}
	write(t, s, &session.Batch{Frames: map[string]session.Frames{"a": {Reconstructions: rec}}})
	f, err := s.Frames(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f.Latent, lat) || !reflect.DeepEqual(f.Reconstructions, rec) || f.Progress == nil || f.Progress.Step != 10 {
		t.Fatalf("Frames = %+v; want the latent, progress and reconstructions written", f)
	}
	lat2 := *lat
	lat2.Step = 20
	write(t, s, &session.Batch{Frames: map[string]session.Frames{"a": {Latent: &lat2}}})
	f, _ = s.Frames(ctx, "a")
	if f.Latent.Step != 20 || f.Reconstructions == nil {
		t.Fatalf("after a new latent frame: latent step %d (want 20), reconstructions kept %v", f.Latent.Step, f.Reconstructions != nil)
	}
}

func testDelete(t *testing.T, s session.Store) {
	ctx := context.Background()
	write(t, s, &session.Batch{
		Sessions:    []session.SessionRecord{Record("a", session.Completed, t0), Record("b", session.Completed, t0.Add(time.Second))},
		Points:      map[string][]session.SeriesPoint{"a": {{Series: "train", Step: 1, Value: 1}}, "b": {{Series: "train", Step: 1, Value: 2}}},
		Frames:      map[string]session.Frames{"a": {Progress: &session.Progress{Step: 1}}},
		Checkpoints: []session.Checkpoint{{SessionID: "a", Step: 1, Params: params(10, 1)}},
	})
	if err := s.DeleteSession(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession(ctx, "never-was"); err != nil {
		t.Errorf("deleting an unknown session: %v, want no error", err)
	}
	got, _ := s.Sessions(ctx)
	if len(got) != 1 || got[0].ID != "b" {
		t.Fatalf("after deleting a: sessions %v, want only b", got)
	}
	pts, _ := s.Points(ctx, "a")
	f, _ := s.Frames(ctx, "a")
	c, _ := s.Checkpoint(ctx, "a")
	if len(pts) != 0 || f != (session.Frames{}) || c != nil {
		t.Fatalf("after deleting a, kept: %d points, frames %+v, checkpoint %v", len(pts), f, c != nil)
	}
	if pts, _ := s.Points(ctx, "b"); len(pts) != 1 {
		t.Fatalf("deleting a took b's points: %v", pts)
	}
}
