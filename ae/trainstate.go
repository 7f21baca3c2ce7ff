package ae

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// A model's training state is everything besides its weights that the
// next TrainStep depends on: the step count, the learning rate, the update
// rule's memory (Adam's moments and step count, Momentum's velocity) and
// the position of a VAE's noise generator. With the weights (Params) and
// the data order (Batcher.Skip) it lets a training stopped after any step
// continue exactly as if it had never stopped, bit for bit.
//
// The encoding is little-endian and versioned:
//
//	"aets" version:u8 kind:u8 steps:u64 lr:f64 t:u64 n:u64
//	moments: n×f32 (Adam's m then v: 2n; Momentum's v: n; SGD: none)
//	noise:   len:u16 then the PCG's MarshalBinary
const (
	trainStateMagic   = "aets"
	trainStateVersion = 1
)

// ErrTrainState is wrapped by the error of restoring a training state that
// is damaged or belongs to another model.
var ErrTrainState = errors.New("ae: the training state does not fit this model")

var optimizerCodes = map[OptimizerKind]byte{SGD: 1, Momentum: 2, Adam: 3}

// MarshalTrainState returns the model's training state (see above).
func (m *Model) MarshalTrainState() []byte {
	n := len(m.params)
	var t int
	var moments [][]float32
	switch o := m.opt.(type) {
	case *adam:
		t, moments = o.t, [][]float32{o.m, o.v}
	case *momentum:
		moments = [][]float32{o.v}
	}
	noise, err := m.noiseSrc.MarshalBinary()
	if err != nil {
		panic("ae: " + err.Error()) // a PCG always marshals
	}
	b := make([]byte, 0, 4+2+3*8+8+4*n*len(moments)+2+len(noise))
	b = append(b, trainStateMagic...)
	b = append(b, trainStateVersion, optimizerCodes[m.cfg.Optimizer.Kind])
	b = binary.LittleEndian.AppendUint64(b, uint64(m.steps))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(m.lr))
	b = binary.LittleEndian.AppendUint64(b, uint64(t))
	b = binary.LittleEndian.AppendUint64(b, uint64(n))
	for _, v := range moments {
		for _, x := range v[:n] {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
		}
	}
	b = binary.LittleEndian.AppendUint16(b, uint16(len(noise)))
	return append(b, noise...)
}

// UnmarshalTrainState restores a training state made by MarshalTrainState
// of a model of the same configuration. It changes nothing and returns an
// error wrapping ErrTrainState if b is damaged, of another version, or of
// a model with another optimizer or number of parameters.
func (m *Model) UnmarshalTrainState(b []byte) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrTrainState}, args...)...)
	}
	const head = 4 + 2 + 4*8
	if len(b) < head || string(b[:4]) != trainStateMagic {
		return bad("not a training state (%d bytes)", len(b))
	}
	if b[4] != trainStateVersion {
		return bad("version %d; this build reads version %d", b[4], trainStateVersion)
	}
	if want := optimizerCodes[m.cfg.Optimizer.Kind]; b[5] != want {
		return bad("it is of another optimizer (code %d, want %d for %s)", b[5], want, m.cfg.Optimizer.Kind)
	}
	steps := binary.LittleEndian.Uint64(b[6:])
	lr := math.Float64frombits(binary.LittleEndian.Uint64(b[14:]))
	t := binary.LittleEndian.Uint64(b[22:])
	n := binary.LittleEndian.Uint64(b[30:])
	if n != uint64(len(m.params)) {
		return bad("it is of a model of %d parameters; this one has %d", n, len(m.params))
	}
	if steps > math.MaxInt32 || t > math.MaxInt32 || checkLearningRate(lr) != nil {
		return bad("step count %d, Adam step %d or learning rate %v out of range", steps, t, lr)
	}
	var moments [][]float32
	switch o := m.opt.(type) {
	case *adam:
		moments = [][]float32{o.m, o.v}
	case *momentum:
		moments = [][]float32{o.v}
	}
	rest := b[head:]
	need := 4 * int(n) * len(moments)
	if len(rest) < need+2 {
		return bad("%d bytes of optimizer memory; want %d", len(rest), need)
	}
	mom, rest := rest[:need], rest[need:]
	ln := int(binary.LittleEndian.Uint16(rest))
	rest = rest[2:]
	if len(rest) != ln {
		return bad("%d bytes of noise state; want %d", len(rest), ln)
	}
	noise := *m.noiseSrc
	if err := noise.UnmarshalBinary(rest); err != nil {
		return bad("noise state: %v", err)
	}
	// Checked; now change the model.
	for _, v := range moments {
		for i := range v[:n] {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(mom[4*i:]))
		}
		mom = mom[4*n:]
	}
	if o, ok := m.opt.(*adam); ok {
		o.t = int(t)
	}
	*m.noiseSrc = noise
	m.steps, m.lr = int(steps), lr
	return nil
}
