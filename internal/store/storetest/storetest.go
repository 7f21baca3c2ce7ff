// Package storetest is the conformance suite of session.Store: every
// implementation (internal/store/sqlite, internal/store/postgres) runs Run
// from its tests and must pass it unchanged.
package storetest

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aelab/aelab/datasets"
	"github.com/aelab/aelab/session"
)

// Open returns a new, empty store for one test; the suite closes it.
type Open func(t *testing.T) session.Store

// Run runs every conformance test on stores made by open.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		f    func(t *testing.T, s session.Store)
	}{
		{"Sessions", testSessions},
		{"QuerySessions", testQuerySessions},
		{"Points", testPoints},
		{"Frames", testFrames},
		{"Checkpoints", testCheckpoints},
		{"CheckpointState", testCheckpointState},
		{"Rewind", testRewind},
		{"Keyframes", testKeyframes},
		{"EarlyWeights", testEarlyWeights},
		{"Delete", testDelete},
		{"Comparisons", testComparisons},
		{"Classes", testClasses},
		{"ClassVersions", testClassVersions},
		{"ClassConcurrentJoins", testClassConcurrentJoins},
		{"ClassBounds", testClassBounds},
		{"Datasets", testDatasets},
		{"AtomicBatch", testAtomicBatch},
		{"Trim", testTrim},
		{"TrimKeepsResumable", testTrimKeepsResumable},
		{"Concurrent", testConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			defer func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			}()
			tc.f(t, s)
		})
	}
}

var t0 = time.Date(2026, 12, 5, 9, 0, 0, 123456789, time.UTC)

// Record returns a plausible head of a session (exported for the tests of
// implementations).
func Record(id string, st session.State, created time.Time) session.SessionRecord {
	loss := 0.0123
	r := session.SessionRecord{
		ID: id, OwnerHash: []byte{1, 2, 3, byte(len(id))}, BrowserHash: []byte{9, byte(len(id))}, State: st, CreatedAt: created,
		Config: session.Config{Dataset: "mnist", Encoder: []int{256, 64}, Bottleneck: 2, Decoder: []int{64, 256},
			Activation: "relu", BottleneckActivation: "linear", OutputActivation: "sigmoid", Loss: "bce",
			Optimizer: "adam", LearningRate: 0.001, BatchSize: 64, Epochs: 5, Seed: 7,
			Noise: &session.NoiseConfig{Kind: "gaussian", Level: 0.3}, TrainClasses: []int{1, 3}},
		Epoch: 2, Step: 1875, TotalSteps: 4690, TrainLoss: &loss,
	}
	if st != session.Queued {
		r.StartedAt = created.Add(time.Second)
	}
	if st.Terminal() {
		r.FinishedAt = created.Add(time.Minute)
		r.TestLoss = &loss
		r.Reason = "stopped by its owner"
	}
	return r
}

func write(t *testing.T, s session.Store, b *session.Batch) {
	t.Helper()
	if err := s.Write(context.Background(), b); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

func equalRecords(t *testing.T, got, want session.SessionRecord) {
	t.Helper()
	for _, p := range []struct {
		name string
		g, w time.Time
	}{{"CreatedAt", got.CreatedAt, want.CreatedAt}, {"StartedAt", got.StartedAt, want.StartedAt}, {"FinishedAt", got.FinishedAt, want.FinishedAt}} {
		if !p.g.Equal(p.w) {
			t.Errorf("session %s: %s = %v, want %v", want.ID, p.name, p.g, p.w)
		}
	}
	got.CreatedAt, got.StartedAt, got.FinishedAt = want.CreatedAt, want.StartedAt, want.FinishedAt
	if !reflect.DeepEqual(got, want) {
		t.Errorf("session %s:\n got %+v\nwant %+v", want.ID, got, want)
	}
}

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

func params(n int, seed float32) []float32 {
	p := make([]float32, n)
	for i := range p {
		p[i] = seed*float32(i) - 3.25
	}
	p[0] = float32(math.Copysign(0, -1)) // -0 must survive
	p[n-1] = math.SmallestNonzeroFloat32
	return p
}

func testCheckpoints(t *testing.T, s session.Store) {
	ctx := context.Background()
	write(t, s, &session.Batch{Sessions: []session.SessionRecord{Record("a", session.Running, t0)}})
	if c, err := s.Checkpoint(ctx, "a"); err != nil || c != nil {
		t.Fatalf("Checkpoint before any = %v, %v; want nil", c, err)
	}
	for ep := 1; ep <= 3; ep++ {
		write(t, s, &session.Batch{Checkpoints: []session.Checkpoint{{SessionID: "a", Step: ep * 100, Epoch: ep, Params: params(1000, float32(ep))}}})
	}
	final := session.Checkpoint{SessionID: "a", Step: 350, Epoch: 4, Final: true, Params: params(1000, 9)}
	write(t, s, &session.Batch{Checkpoints: []session.Checkpoint{final}})
	c, err := s.Checkpoint(ctx, "a")
	if err != nil || c == nil {
		t.Fatalf("Checkpoint = %v, %v", c, err)
	}
	if c.Step != 350 || c.Epoch != 4 || !c.Final || c.SessionID != "a" || len(c.Params) != 1000 {
		t.Fatalf("latest checkpoint: step %d epoch %d final %v, %d params; want 350, 4, true, 1000", c.Step, c.Epoch, c.Final, len(c.Params))
	}
	for i := range c.Params {
		if math.Float32bits(c.Params[i]) != math.Float32bits(final.Params[i]) {
			t.Fatalf("param %d = %v, want %v bit for bit", i, c.Params[i], final.Params[i])
		}
	}
	steps, err := s.Checkpoints(ctx, "a")
	if err != nil || !slices.Equal(steps, []int{100, 200, 300, 350}) {
		t.Fatalf("Checkpoints = %v, %v; want [100 200 300 350]", steps, err)
	}
	at, err := s.CheckpointAt(ctx, "a", 200)
	if err != nil || at == nil || at.Step != 200 || at.Epoch != 2 || at.Final || len(at.Params) != 1000 || at.Params[0] != params(1000, 2)[0] {
		t.Fatalf("CheckpointAt(a, 200) = %+v, %v; want the weights of epoch 2", at, err)
	}
	if !slices.Equal(at.Params, params(1000, 2)) {
		t.Fatal("CheckpointAt(a, 200): the weights differ from those written")
	}
	if at, err := s.CheckpointAt(ctx, "a", 150); err != nil || at != nil {
		t.Fatalf("CheckpointAt(a, 150) = %v, %v; want nil (no checkpoint of that step)", at, err)
	}
}

// A checkpoint keeps the training's state beside its weights, byte for
// byte; one without (written before the store kept it) reads back nil.
func testCheckpointState(t *testing.T, s session.Store) {
	ctx := context.Background()
	write(t, s, &session.Batch{Sessions: []session.SessionRecord{Record("a", session.Running, t0), Record("b", session.Running, t0)}})
	state := make([]byte, 5000)
	for i := range state {
		state[i] = byte(i * 7)
	}
	write(t, s, &session.Batch{Checkpoints: []session.Checkpoint{
		{SessionID: "a", Step: 100, Epoch: 1, Params: params(10, 1), State: state},
		{SessionID: "b", Step: 100, Epoch: 1, Params: params(10, 1)},
	}})
	c, err := s.Checkpoint(ctx, "a")
	if err != nil || c == nil || !slices.Equal(c.State, state) {
		t.Fatalf("Checkpoint(a) = %v, %v; want its %d bytes of state back", c, err, len(state))
	}
	c, err = s.Checkpoint(ctx, "b")
	if err != nil || c == nil || c.State != nil {
		t.Fatalf("Checkpoint(b) = %+v, %v; want no state", c, err)
	}
	// A later checkpoint of the same step replaces the state too.
	write(t, s, &session.Batch{Checkpoints: []session.Checkpoint{{SessionID: "a", Step: 100, Epoch: 1, Params: params(10, 2), State: []byte{1}}}})
	if c, _ := s.Checkpoint(ctx, "a"); c == nil || !slices.Equal(c.State, []byte{1}) {
		t.Fatalf("after a replacement: %+v, want state [1]", c)
	}
	// A later checkpoint clears the state of the earlier ones.
	write(t, s, &session.Batch{Checkpoints: []session.Checkpoint{{SessionID: "a", Step: 200, Epoch: 2, Params: params(10, 3), State: []byte{2}}}})
	if c, _ := s.Checkpoint(ctx, "a"); c == nil || c.Step != 200 || !slices.Equal(c.State, []byte{2}) {
		t.Fatalf("the latest checkpoint: %+v, want step 200 with state [2]", c)
	}
}

// Rewind forgets the points after a step, before the batch's own points
// are appended, and touches no other session.
func testRewind(t *testing.T, s session.Store) {
	ctx := context.Background()
	write(t, s, &session.Batch{Sessions: []session.SessionRecord{Record("a", session.Running, t0), Record("b", session.Running, t0)}})
	var pts []session.SeriesPoint
	for step := 10; step <= 50; step += 10 {
		pts = append(pts, session.SeriesPoint{Series: session.SeriesTrain, Step: step, Value: float64(step)},
			session.SeriesPoint{Series: "psnr_denoised", Step: step, Value: 1})
	}
	write(t, s, &session.Batch{Points: map[string][]session.SeriesPoint{"a": pts, "b": pts}})
	again := []session.SeriesPoint{{Series: session.SeriesTrain, Step: 40, Value: -40}}
	write(t, s, &session.Batch{Rewind: map[string]int{"a": 30}, Points: map[string][]session.SeriesPoint{"a": again}})
	got, err := s.Points(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	want := append(slices.Clone(pts[:6]), again...)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after rewinding a to step 30:\n got %v\nwant %v", got, want)
	}
	if got, _ := s.Points(ctx, "b"); len(got) != len(pts) {
		t.Fatalf("rewinding a changed b: %d points, want %d", len(got), len(pts))
	}
	if !(&session.Batch{Rewind: map[string]int{"a": 0}}).Empty() {
		write(t, s, &session.Batch{Rewind: map[string]int{"a": 0}})
	} else {
		t.Fatal("a batch with only a rewind says it is empty")
	}
	if got, _ := s.Points(ctx, "a"); len(got) != 0 {
		t.Fatalf("after rewinding a to step 0: %v, want none", got)
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

func testComparisons(t *testing.T, s session.Store) {
	ctx := context.Background()
	c1 := session.ComparisonRecord{ID: "c1", Kind: session.Sweep, CreatedAt: t0.Add(time.Minute),
		Members: []session.ComparisonMember{{SessionID: "a", Label: "M = 2"}, {SessionID: "b", Label: "M = 8"}}}
	c0 := session.ComparisonRecord{ID: "c0", Kind: session.Group, CreatedAt: t0, Members: []session.ComparisonMember{{SessionID: "x"}}}
	write(t, s, &session.Batch{Comparisons: []session.ComparisonRecord{c1, c0}})
	got, err := s.Comparisons(ctx)
	if err != nil || len(got) != 2 {
		t.Fatalf("Comparisons = %v, %v", got, err)
	}
	for i, want := range []session.ComparisonRecord{c0, c1} {
		if !got[i].CreatedAt.Equal(want.CreatedAt) {
			t.Errorf("comparison %s created %v, want %v", want.ID, got[i].CreatedAt, want.CreatedAt)
		}
		got[i].CreatedAt = want.CreatedAt
		if !reflect.DeepEqual(got[i], want) {
			t.Errorf("comparison %d = %+v, want %+v", i, got[i], want)
		}
	}
}

func testDatasets(t *testing.T, s session.Store) {
	ctx := context.Background()
	d := session.DatasetRecord{Name: "iris", Filename: "iris.csv", Data: []byte("a,b,label\n1,2,x\n"), CreatedAt: t0,
		Options: datasets.CSVOptions{Title: "Irises", LabelColumn: "label", Normalize: datasets.NormalizeZScore, DropBad: true, TestFraction: 0.25}}
	if err := s.PutDataset(ctx, d); err != nil {
		t.Fatal(err)
	}
	d2 := d
	d2.Name, d2.CreatedAt, d2.OwnerHash = "wine", t0.Add(time.Hour), []byte{0xab, 0xcd, 0xef}
	if err := s.PutDataset(ctx, d2); err != nil {
		t.Fatal(err)
	}
	d.Data = []byte("a,b,label\n3,4,y\n") // replaces
	if err := s.PutDataset(ctx, d); err != nil {
		t.Fatal(err)
	}
	got, err := s.Datasets(ctx)
	if err != nil || len(got) != 2 {
		t.Fatalf("Datasets = %v, %v", got, err)
	}
	got[0].CreatedAt = d.CreatedAt
	if !reflect.DeepEqual(got[0], d) || got[1].Name != "wine" {
		t.Fatalf("Datasets = %+v; want %+v then wine", got, d)
	}
	if !slices.Equal(got[1].OwnerHash, d2.OwnerHash) {
		t.Fatalf("the uploader of wine came back as %x, want %x", got[1].OwnerHash, d2.OwnerHash)
	}
	if err := s.DeleteDataset(ctx, "iris"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Datasets(ctx); len(got) != 1 || got[0].Name != "wine" {
		t.Fatalf("after deleting iris: %v", got)
	}
}

// A batch that cannot be written leaves nothing behind.
func testAtomicBatch(t *testing.T, s session.Store) {
	ctx := context.Background()
	err := s.Write(ctx, &session.Batch{
		Sessions:    []session.SessionRecord{Record("a", session.Running, t0)},
		Points:      map[string][]session.SeriesPoint{"a": {{Series: "train", Step: 1, Value: 1}}},
		Checkpoints: []session.Checkpoint{{SessionID: "no-such-session", Step: 1, Params: params(4, 1)}},
	})
	if err == nil {
		t.Fatal("a checkpoint of an unknown session was accepted")
	}
	if got, _ := s.Sessions(ctx); len(got) != 0 {
		t.Fatalf("a failed batch left sessions behind: %v", got)
	}
	if got, _ := s.Points(ctx, "a"); len(got) != 0 {
		t.Fatalf("a failed batch left points behind: %v", got)
	}
}

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

func testConcurrent(t *testing.T, s session.Store) {
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("s%d", g)
			if err := s.Write(ctx, &session.Batch{Sessions: []session.SessionRecord{Record(id, session.Running, t0)}}); err != nil {
				errs <- err
				return
			}
			for i := 0; i < 20; i++ {
				if err := s.Write(ctx, &session.Batch{Points: map[string][]session.SeriesPoint{id: {{Series: "train", Step: i, Value: float64(i)}}}}); err != nil {
					errs <- err
					return
				}
				if _, err := s.Points(ctx, id); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for g := 0; g < 8; g++ {
		if pts, _ := s.Points(ctx, fmt.Sprintf("s%d", g)); len(pts) != 20 {
			t.Errorf("s%d has %d points, want 20", g, len(pts))
		}
	}
}
