// Package storecodec holds what every session.Store implementation encodes
// the same way (internal/store/sqlite, internal/store/postgres): weights as
// little-endian float32s, times as Unix nanoseconds, frames as JSON under
// a kind, so that the stores agree byte for byte and neither repeats the
// other.
package storecodec

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/aelab/aelab/session"
)

// EncodeParams lays weights out as little-endian float32s.
func EncodeParams(p []float32) []byte {
	b := make([]byte, 4*len(p))
	for i, v := range p {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return b
}

// DecodeParams reads weights written by EncodeParams.
func DecodeParams(b []byte) ([]float32, error) {
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("store: a checkpoint of %d bytes is not a whole number of float32s", len(b))
	}
	p := make([]float32, len(b)/4)
	for i := range p {
		p[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return p, nil
}

// UnixNano is t in Unix nanoseconds, 0 for the zero time.
func UnixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// FromUnixNano is the time UnixNano made n from.
func FromUnixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// Frame kinds, the key of a frame row.
const (
	FrameProgress = "progress"
	FrameLatent   = "latent"
	FrameRecon    = "reconstructions"
	FrameAnomaly  = "anomaly"
)

// Frame is one kept frame: its kind and its JSON.
type Frame struct {
	Kind string
	Data []byte
}

// EncodeFrames returns the non-nil frames of f, of session id, as JSON.
func EncodeFrames(id string, f session.Frames) ([]Frame, error) {
	var out []Frame
	for _, fr := range []struct {
		kind string
		v    any
		set  bool
	}{
		{FrameProgress, f.Progress, f.Progress != nil},
		{FrameLatent, f.Latent, f.Latent != nil},
		{FrameRecon, f.Reconstructions, f.Reconstructions != nil},
		{FrameAnomaly, f.Anomaly, f.Anomaly != nil},
	} {
		if !fr.set {
			continue
		}
		data, err := json.Marshal(fr.v)
		if err != nil {
			return nil, fmt.Errorf("store: %s frame of session %s: %w", fr.kind, id, err)
		}
		out = append(out, Frame{fr.kind, data})
	}
	return out, nil
}

// DecodeFrame sets the frame of the given kind in f from its JSON. A kind
// it does not know (written by a later version) is skipped.
func DecodeFrame(id, kind string, data []byte, f *session.Frames) error {
	var dst any
	switch kind {
	case FrameProgress:
		f.Progress = new(session.Progress)
		dst = f.Progress
	case FrameLatent:
		f.Latent = new(session.Latent)
		dst = f.Latent
	case FrameRecon:
		f.Reconstructions = new(session.Reconstructions)
		dst = f.Reconstructions
	case FrameAnomaly:
		f.Anomaly = new(session.Anomaly)
		dst = f.Anomaly
	default:
		return nil // not ours to read
	}
	if err := json.Unmarshal(data, dst); err != nil {
		return fmt.Errorf("store: the %s frame of session %s is damaged: %w", kind, id, err)
	}
	return nil
}

// SortedKeys returns the keys of m in order, so that a batch is written
// in the same order every time.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
