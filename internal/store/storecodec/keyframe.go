package storecodec

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/aelab/aelab/session"
)

// A keyframe is kept as gzip-compressed JSON of its two pictures, with the
// scatter's coordinates quantised to 16 bits over their range (finer than
// any screen, a quarter of their JSON): a run's forty keyframes take some
// hundreds of kB. The reconstructions are already bytes.

// maxKeyframeBytes bounds what DecodeKeyframe inflates, against a damaged
// or hostile row.
const maxKeyframeBytes = 32 << 20

// keyframeBlob is the kept form of a keyframe's pictures.
type keyframeBlob struct {
	Latent          *latentBlob              `json:"latent,omitempty"`
	Reconstructions *session.Reconstructions `json:"reconstructions,omitempty"`
}

// latentBlob is a session.Latent with X and Y as little-endian uint16s
// over [Lo, Hi] of each.
type latentBlob struct {
	Step       int        `json:"step"`
	Epoch      float64    `json:"epoch"`
	Projection string     `json:"projection"`
	Axes       [2]string  `json:"axes"`
	Lo         [2]float32 `json:"lo"`
	Hi         [2]float32 `json:"hi"`
	X          []byte     `json:"x"`
	Y          []byte     `json:"y"`
	Labels     []int      `json:"labels"`
	ClassNames []string   `json:"class_names"`
}

// EncodeKeyframe returns the kept form of the pictures of k.
func EncodeKeyframe(k session.Keyframe) ([]byte, error) {
	b := keyframeBlob{Reconstructions: k.Reconstructions}
	if l := k.Latent; l != nil {
		lb := &latentBlob{Step: l.Step, Epoch: l.Epoch, Projection: l.Projection, Axes: l.Axes, Labels: l.Labels, ClassNames: l.ClassNames}
		lb.Lo[0], lb.Hi[0], lb.X = quantise16(l.X)
		lb.Lo[1], lb.Hi[1], lb.Y = quantise16(l.Y)
		b.Latent = lb
	}
	js, err := json.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("store: keyframe of session %s at step %d: %w", k.SessionID, k.Step, err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(js); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// DecodeKeyframe sets the pictures of k from their kept form.
func DecodeKeyframe(data []byte, k *session.Keyframe) error {
	damaged := func(err error) error {
		return fmt.Errorf("store: the keyframe of session %s at step %d is damaged: %w", k.SessionID, k.Step, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return damaged(err)
	}
	js, err := io.ReadAll(io.LimitReader(zr, maxKeyframeBytes+1))
	if err != nil {
		return damaged(err)
	}
	if len(js) > maxKeyframeBytes {
		return damaged(fmt.Errorf("more than %d bytes", maxKeyframeBytes))
	}
	var b keyframeBlob
	if err := json.Unmarshal(js, &b); err != nil {
		return damaged(err)
	}
	k.Reconstructions = b.Reconstructions
	if lb := b.Latent; lb != nil {
		if len(lb.X) != len(lb.Y) || len(lb.X)%2 != 0 {
			return damaged(fmt.Errorf("its scatter has %d and %d bytes of coordinates", len(lb.X), len(lb.Y)))
		}
		k.Latent = &session.Latent{Step: lb.Step, Epoch: lb.Epoch, Projection: lb.Projection, Axes: lb.Axes,
			X: dequantise16(lb.X, lb.Lo[0], lb.Hi[0]), Y: dequantise16(lb.Y, lb.Lo[1], lb.Hi[1]),
			Labels: lb.Labels, ClassNames: lb.ClassNames}
	}
	return nil
}

// quantise16 maps v over its own range to 16-bit steps.
func quantise16(v []float32) (lo, hi float32, q []byte) {
	if len(v) == 0 {
		return 0, 0, []byte{}
	}
	lo, hi = v[0], v[0]
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	q = make([]byte, 2*len(v))
	scale := float32(0)
	if hi > lo {
		scale = 65535 / (hi - lo)
	}
	for i, x := range v {
		binary.LittleEndian.PutUint16(q[2*i:], uint16(math.Round(float64((x-lo)*scale))))
	}
	return lo, hi, q
}

// dequantise16 is the inverse of quantise16.
func dequantise16(q []byte, lo, hi float32) []float32 {
	v := make([]float32, len(q)/2)
	step := (hi - lo) / 65535
	for i := range v {
		v[i] = lo + float32(binary.LittleEndian.Uint16(q[2*i:]))*step
	}
	return v
}

// ScanKeyframeInfos decodes rows of (step, epoch, train_loss, test_loss),
// the index of the kept keyframes of session id; empty, not nil, when
// there are none.
func ScanKeyframeInfos(rows Rows, id string) ([]session.KeyframeInfo, error) {
	out := []session.KeyframeInfo{}
	for rows.Next() {
		var k session.KeyframeInfo
		var step int64
		if err := rows.Scan(&step, &k.Epoch, &k.TrainLoss, &k.TestLoss); err != nil {
			return nil, fmt.Errorf("store: keyframes of session %s: %w", id, err)
		}
		k.Step = int(step)
		out = append(out, k)
	}
	return out, rows.Err()
}

// ScanKeyframe decodes a row of (epoch, train_loss, test_loss, data), the
// keyframe of session id at step; it is nil, without an error, where the
// row's error is noRows (the driver's "no rows").
func ScanKeyframe(row Row, id string, step int, noRows error) (*session.Keyframe, error) {
	k := session.Keyframe{SessionID: id, Step: step}
	var data []byte
	err := row.Scan(&k.Epoch, &k.TrainLoss, &k.TestLoss, &data)
	if errors.Is(err, noRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: keyframe of session %s at step %d: %w", id, step, err)
	}
	if err := DecodeKeyframe(data, &k); err != nil {
		return nil, err
	}
	return &k, nil
}
