package session

import (
	"math"
	"time"
)

// The class stream (GET /api/classes/{id}/ws) carries small messages:
// every run as a tile (its numbers, a sparkline, a thumbnail of its latent
// code and a short strip of reconstructions), never a session's full frames.
// Each message stays well under MaxClassMessage bytes.

// MaxClassMessage bounds one message of a class stream, in bytes.
const MaxClassMessage = 64 << 10

// Bounds of a tile's pictures.
const (
	sparkPoints   = 48   // points of the loss sparkline
	thumbPoints   = 200  // points of the latent thumbnail
	stripExamples = 4    // examples of the reconstruction strip
	stripValues   = 6400 // values of the strip, originals and reconstructions together, at most
	keptLoss      = 1024 // training-loss points a follower keeps (halved when full)
)

// Message types of a class stream.
const (
	TypeClassRun     = "run"
	TypeClassStudent = "student"
	TypeClassInfo    = "class"
)

// RunTile is what a class's dashboard shows of one run. In a "run" update
// Spark, Latent and Recon are absent when unchanged since the last.
type RunTile struct {
	ID         string   `json:"id"`
	Student    string   `json:"student"`
	State      State    `json:"state"`
	Error      string   `json:"error,omitempty"`
	Dataset    string   `json:"dataset"`
	Features   int      `json:"features"`
	Bottleneck int      `json:"bottleneck"`
	Sizes      []int    `json:"sizes"`
	LossKind   string   `json:"loss_kind"`
	Differs    []string `json:"differs"` // labels of the fields that differ from the lesson's preset, e.g. "M = 8"
	Epoch      int      `json:"epoch"`
	Epochs     int      `json:"epochs"`
	Step       int      `json:"step"`
	TotalSteps int      `json:"total_steps"`
	TrainLoss  *float64 `json:"train_loss"`
	TestLoss   *float64 `json:"test_loss"`
	// PCA is the test MSE of PCA with as many components as the bottleneck
	// is wide, once computed.
	PCA       *float64     `json:"pca"`
	Seconds   float64      `json:"seconds"` // training time so far
	CreatedAt time.Time    `json:"created_at"`
	Spark     []float32    `json:"spark,omitempty"`
	Latent    *LatentThumb `json:"latent,omitempty"`
	Recon     *ReconStrip  `json:"recon,omitempty"`
}

// LatentThumb is a run's latent scatter in small: at most thumbPoints
// points, each coordinate a byte over the points' bounding box.
type LatentThumb struct {
	X       []byte `json:"x"`
	Y       []byte `json:"y"`
	Labels  []int  `json:"labels"`
	Classes int    `json:"classes"`
}

// ReconStrip is the first few examples of a run's reconstruction grid,
// encoded as in the session stream (bytes over [Lo, Hi]).
type ReconStrip struct {
	Kind            string  `json:"kind"`
	Width           int     `json:"width"`
	Height          int     `json:"height"`
	Count           int     `json:"count"`
	Lo              float32 `json:"lo"`
	Hi              float32 `json:"hi"`
	Originals       []byte  `json:"originals"`
	Reconstructions []byte  `json:"reconstructions"`
}

// ClassSnapshot is the first message of a class stream; a "run" message
// for every run follows it.
type ClassSnapshot struct {
	Type     string    `json:"type"`
	Class    ClassInfo `json:"class"`
	Students []Student `json:"students"`
}

// RunMsg announces a run's tile, whole or changed.
type RunMsg struct {
	Type string  `json:"type"`
	Run  RunTile `json:"run"`
}

// StudentMsg announces a student who joined.
type StudentMsg struct {
	Type     string  `json:"type"`
	Student  Student `json:"student"`
	Students int     `json:"students"`
}

// ClassMsg announces a change of the class (opened, closed).
type ClassMsg struct {
	Type  string    `json:"type"`
	Class ClassInfo `json:"class"`
}

// thumbOf makes the latent thumbnail of l.
func thumbOf(l *Latent) *LatentThumb {
	if l == nil || len(l.X) == 0 {
		return nil
	}
	n := min(len(l.X), len(l.Y), thumbPoints)
	lo := [2]float32{float32(math.Inf(1)), float32(math.Inf(1))}
	hi := [2]float32{float32(math.Inf(-1)), float32(math.Inf(-1))}
	for i := range n {
		for d, v := range [2]float32{l.X[i], l.Y[i]} {
			if !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) {
				lo[d], hi[d] = min(lo[d], v), max(hi[d], v)
			}
		}
	}
	t := &LatentThumb{Classes: len(l.ClassNames), Labels: make([]int, n)}
	t.X = AppendQuantised(make([]byte, 0, n), l.X[:n], lo[0], hi[0])
	t.Y = AppendQuantised(make([]byte, 0, n), l.Y[:n], lo[1], hi[1])
	for i := range n {
		t.Labels[i] = -1
		if i < len(l.Labels) {
			t.Labels[i] = l.Labels[i]
		}
	}
	return t
}

// stripOf makes the reconstruction strip of r: as many of its first
// examples as fit stripValues, or nil when not one does.
func stripOf(r *Reconstructions) *ReconStrip {
	if r == nil || r.Count == 0 {
		return nil
	}
	k := len(r.Originals) / r.Count
	if k == 0 || 2*k > stripValues || len(r.Reconstructions) < r.Count*k {
		return nil
	}
	n := min(r.Count, stripExamples, stripValues/(2*k))
	return &ReconStrip{Kind: r.Kind, Width: r.Width, Height: r.Height, Count: n, Lo: r.Lo, Hi: r.Hi,
		Originals:       append([]byte(nil), r.Originals[:n*k]...),
		Reconstructions: append([]byte(nil), r.Reconstructions[:n*k]...)}
}

// sparkOf averages pts into at most sparkPoints buckets.
func sparkOf(pts []LossPoint) []float32 {
	var vals []float64
	for _, p := range pts {
		if !math.IsNaN(p.Loss) && !math.IsInf(p.Loss, 0) {
			vals = append(vals, p.Loss)
		}
	}
	if len(vals) == 0 {
		return nil
	}
	n := min(len(vals), sparkPoints)
	out := make([]float32, n)
	for b := range n {
		lo, hi := b*len(vals)/n, (b+1)*len(vals)/n
		s := 0.0
		for _, v := range vals[lo:hi] {
			s += v
		}
		out[b] = float32(s / float64(hi-lo))
	}
	return out
}

// differsFrom labels the fields of c that differ from the lesson's preset
// (or, without one, from the defaults), e.g. ["M = 8", "tanh"].
func differsFrom(c Config, l Lesson) []string {
	base := Config{Dataset: c.Dataset, Bottleneck: c.Bottleneck}.Defaults()
	if l.Preset != nil {
		base = l.Preset.Defaults()
	}
	c = c.Defaults()
	out := []string{}
	for _, f := range configFields {
		if v := f.value(c); v != f.value(base) {
			out = append(out, f.label(v))
		}
	}
	return out
}

// tileOf is the tile of a session as it is now, without pictures.
func tileOf(s *Session, student string, l Lesson) RunTile {
	in := s.Info()
	t := RunTile{ID: in.ID, Student: student, State: in.State, Error: in.Error, Dataset: in.Config.Dataset,
		Features: in.Summary.Features, Bottleneck: in.Config.Bottleneck, Sizes: in.Summary.Sizes,
		LossKind: in.Config.Loss, Differs: differsFrom(in.Config, l), Epoch: in.Epoch, Epochs: in.Config.Epochs,
		Step: in.Step, TotalSteps: in.TotalSteps, TrainLoss: in.TrainLoss, TestLoss: in.TestLoss, CreatedAt: in.CreatedAt}
	if in.StartedAt != nil {
		end := time.Now()
		if in.FinishedAt != nil {
			end = *in.FinishedAt
		}
		t.Seconds = end.Sub(*in.StartedAt).Seconds()
	}
	return t
}

// tileOfRecord is the tile of a run whose session is gone.
func tileOfRecord(r ClassRun, l Lesson, features int) RunTile {
	st := r.State
	if !st.Terminal() {
		st = Stopped
	}
	return RunTile{ID: r.SessionID, Student: r.Student, State: st, Dataset: r.Config.Dataset, Features: features,
		Bottleneck: r.Config.Bottleneck, Sizes: r.Config.Sizes(features), LossKind: r.Config.Loss,
		Differs: differsFrom(r.Config, l), Epochs: r.Config.Epochs, TestLoss: r.TestLoss, PCA: r.PCA,
		Seconds: r.Seconds, CreatedAt: r.CreatedAt}
}
