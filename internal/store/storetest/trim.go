// Conformance: trimming the store to its size bound.

package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aelab/aelab/session"
)

func testTrim(t *testing.T, s session.Store) {
	ctx := context.Background()
	// old and mid ended, live still running; each has weights, frames, points.
	ids := []string{"old", "mid", "live"}
	states := []session.State{session.Completed, session.Stopped, session.Running}
	big := make([]byte, 200_000)
	for i := range big {
		big[i] = byte(i * 7)
	}
	for i, id := range ids {
		r := Record(id, states[i], t0.Add(time.Duration(i)*time.Hour))
		var pts []session.SeriesPoint
		for k := 0; k < 100; k++ {
			pts = append(pts, session.SeriesPoint{Series: "train", Step: k, Value: float64(k)})
		}
		write(t, s, &session.Batch{
			Sessions:    []session.SessionRecord{r},
			Points:      map[string][]session.SeriesPoint{id: pts},
			Frames:      map[string]session.Frames{id: {Reconstructions: &session.Reconstructions{Originals: big, Reconstructions: big}}},
			Checkpoints: []session.Checkpoint{{SessionID: id, Step: 1, Params: params(100_000, 1)}, {SessionID: id, Step: 2, Final: true, Params: params(100_000, 2)}},
			Keyframes:   []session.Keyframe{Keyframe(id, 0, 2000, 1), Keyframe(id, 1, 2000, 2)},
		})
	}
	full, err := s.Usage(ctx)
	if err != nil || full < 3*800_000 {
		t.Fatalf("Usage = %d, %v; want at least the 2.4 MB of weights written", full, err)
	}
	// Under no pressure, nothing goes.
	if rep, err := s.Trim(ctx, full+1); err != nil || len(rep.WeightsOf)+len(rep.FramesOf) != 0 {
		t.Fatalf("Trim above usage removed %+v, %v", rep, err)
	}
	// A little pressure: the oldest ended run loses its weights, nothing else.
	rep, err := s.Trim(ctx, full-500_000)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.WeightsOf, []string{"old"}) || len(rep.FramesOf)+len(rep.KeyframesOf) != 0 {
		t.Fatalf("Trim(usage − 0.5 MB) removed weights of %v and frames of %v; want the weights of old only", rep.WeightsOf, rep.FramesOf)
	}
	if rep.Usage > full-500_000 {
		t.Fatalf("Trim reported usage %d, above the %d asked", rep.Usage, full-500_000)
	}
	// Much more pressure than trimming can relieve: every ended run loses
	// weights then frames; the running one keeps everything; no curve goes.
	rep, err = s.Trim(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.WeightsOf, []string{"mid"}) || !slices.Equal(rep.KeyframesOf, []string{"old", "mid"}) || !slices.Equal(rep.FramesOf, []string{"old", "mid"}) {
		t.Fatalf("Trim(1) removed weights of %v, keyframes of %v and frames of %v; want weights of [mid], then keyframes and frames of [old mid]",
			rep.WeightsOf, rep.KeyframesOf, rep.FramesOf)
	}
	for _, id := range ids {
		pts, _ := s.Points(ctx, id)
		c, _ := s.Checkpoint(ctx, id)
		f, _ := s.Frames(ctx, id)
		if len(pts) != 100 {
			t.Errorf("%s kept %d of its 100 curve points: history must never be trimmed", id, len(pts))
		}
		kfs, err := s.Keyframes(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if live := id == "live"; (len(kfs) == 2) != live || (len(kfs) == 0) == live {
			t.Errorf("%s kept %d keyframes; want 2 for the running session, 0 for the ended ones", id, len(kfs))
		}
		if live := id == "live"; (c != nil) != live || (f.Reconstructions != nil) != live {
			t.Errorf("%s: weights kept %v, frames kept %v; want both only for the running session", id, c != nil, f.Reconstructions != nil)
		}
	}
	if got, _ := s.Sessions(ctx); len(got) != 3 {
		t.Errorf("Trim removed sessions: %d left of 3", len(got))
	}
	if after, _ := s.Usage(ctx); after >= full-1_000_000 {
		t.Errorf("Usage after trimming = %d, want well below %d", after, full)
	}
}
