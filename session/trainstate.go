package session

import (
	"encoding/binary"
	"fmt"
	"time"
)

// What a checkpoint keeps besides the weights (Checkpoint.State), so that
// a resumed training continues as the uninterrupted one would have: the
// model's training state (ae: step count, learning rate, the optimizer's
// moments, a VAE's noise position) and that of every measure that draws
// random numbers while training (the denoising lab's noise). The data
// order needs nothing kept: the batcher is replayed to the step
// (ae.Batcher.Skip).
//
//	"sest" version:u8 model:len:u32+bytes measures:u8 then each len:u32+bytes
const (
	trainStateMagic   = "sest"
	trainStateVersion = 1
)

// statefulMeasure is a Measure with a state of its own to keep in
// checkpoints.
type statefulMeasure interface {
	Measure
	marshalState() []byte
	unmarshalState(b []byte) error
}

// trainState encodes the trainer's state (besides the weights).
func (t *trainer) trainState() []byte {
	ms := t.model.MarshalTrainState()
	b := append([]byte(trainStateMagic), trainStateVersion)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(ms)))
	b = append(b, ms...)
	b = append(b, byte(len(t.labs)))
	for _, m := range t.labs {
		var st []byte
		if sm, ok := m.(statefulMeasure); ok {
			st = sm.marshalState()
		}
		b = binary.LittleEndian.AppendUint32(b, uint32(len(st)))
		b = append(b, st...)
	}
	return b
}

// resumePlan is where a resumed training starts: its checkpoint, the
// settings changed before it (control.go) and the training time it had
// taken.
type resumePlan struct {
	ck      *Checkpoint
	changes []Change
	elapsed time.Duration
	// train and test are the losses of the curves' last points up to the
	// checkpoint (nil if none): what a keyframe pictured again at the
	// checkpoint's step says.
	train, test *float64
}

// resumeFrom sets the trainer to where the checkpoint of p left the
// training: its weights, its settings, its state when the checkpoint has
// one (a checkpoint of an older store has none: the optimizer then starts
// afresh, which changes the run a little), and the data order.
func (t *trainer) resumeFrom(p *resumePlan) error {
	c := p.ck
	if c.Step < 0 || c.Step > t.totalSteps {
		return fmt.Errorf("the checkpoint is at step %d, outside this training's %d steps", c.Step, t.totalSteps)
	}
	fresh := c.Params == nil && c.Step == 0 // no checkpoint: from the start
	if !fresh && len(c.Params) != len(t.model.Params()) {
		return fmt.Errorf("the kept weights (%d numbers) do not fit this network (%d)", len(c.Params), len(t.model.Params()))
	}
	if !fresh {
		t.model.SetParams(c.Params, c.Step)
	}
	for _, ch := range p.changes { // as they were at the checkpoint
		switch ch.Field {
		case FieldLearningRate:
			t.model.SetLearningRate(ch.To)
		case FieldBeta:
			if t.model.Kind() == "vae" {
				t.model.SetBeta(ch.To)
			}
		case FieldNoise:
			for _, ms := range t.labs {
				if d, ok := ms.(*denoiser); ok {
					d.setNoise(NoiseConfig{Kind: ch.ToKind, Level: ch.To})
				}
			}
		}
	}
	if c.State != nil {
		if err := t.restoreState(c.State); err != nil {
			return fmt.Errorf("the kept training state is damaged: %w", err)
		}
		if t.model.Steps() != c.Step {
			return fmt.Errorf("the kept training state is of step %d, its weights of step %d", t.model.Steps(), c.Step)
		}
	}
	t.batcher.Skip(c.Step)
	t.step, t.rateStep, t.resumed = c.Step, c.Step, !fresh
	if !fresh && p.train != nil {
		t.lastTrain, t.haveTrain = *p.train, true
	}
	if !fresh && p.test != nil {
		t.lastTest, t.haveTest = *p.test, true
	}
	t.runTime = p.elapsed
	return nil
}

func (t *trainer) restoreState(b []byte) error {
	next := func(what string) ([]byte, error) {
		if len(b) < 4 {
			return nil, fmt.Errorf("it ends before the %s", what)
		}
		n := binary.LittleEndian.Uint32(b)
		if uint64(len(b)-4) < uint64(n) {
			return nil, fmt.Errorf("the %s is cut short", what)
		}
		v := b[4 : 4+n]
		b = b[4+n:]
		return v, nil
	}
	if len(b) < 5 || string(b[:4]) != trainStateMagic || b[4] != trainStateVersion {
		return fmt.Errorf("not a training state of version %d", trainStateVersion)
	}
	b = b[5:]
	ms, err := next("model's state")
	if err != nil {
		return err
	}
	if len(b) < 1 || int(b[0]) != len(t.labs) {
		return fmt.Errorf("it is of a training with other measures")
	}
	b = b[1:]
	states := make([][]byte, len(t.labs))
	for i := range states {
		if states[i], err = next("state of a measure"); err != nil {
			return err
		}
	}
	if len(b) != 0 {
		return fmt.Errorf("%d bytes too many", len(b))
	}
	if err := t.model.UnmarshalTrainState(ms); err != nil {
		return err
	}
	for i, m := range t.labs {
		sm, ok := m.(statefulMeasure)
		if !ok {
			continue
		}
		if err := sm.unmarshalState(states[i]); err != nil {
			return err
		}
	}
	return nil
}
