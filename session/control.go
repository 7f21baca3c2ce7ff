package session

import (
	"math"
	"strings"

	"github.com/aelab/aelab/analysis"
)

// Control while a run trains: its owner may change the learning rate (and a
// VAE's β, a denoising run's noise) between two steps, and step a paused
// run a few batches at a time. The request goroutine never touches the
// model: it validates the change and leaves it for the training goroutine,
// which applies it before its next step and records it (a Change, on the
// wire and in the history).

// MaxSets bounds the POST /api/sessions/{id}/set one run accepts, and so
// its list of changes.
const MaxSets = 200

// Settings is the body of POST /api/sessions/{id}/set: the training
// settings to change from the next step on. Missing fields keep their value.
type Settings struct {
	LearningRate *float64     `json:"learning_rate,omitempty"`
	Beta         *float64     `json:"beta,omitempty"`
	Noise        *NoiseConfig `json:"noise,omitempty"`
}

// merge returns s with the fields that n sets replaced.
func (s Settings) merge(n Settings) Settings {
	if n.LearningRate != nil {
		s.LearningRate = n.LearningRate
	}
	if n.Beta != nil {
		s.Beta = n.Beta
	}
	if n.Noise != nil {
		s.Noise = n.Noise
	}
	return s
}

// Names of the fields a Change may carry.
const (
	FieldLearningRate = "learning_rate"
	FieldBeta         = "beta"
	FieldNoise        = "noise"
)

// Change is one setting changed while the run trained, at the step it took
// effect (the first step trained with To). For "noise", From and To are
// levels and FromKind and ToKind the kinds of corruption.
type Change struct {
	Step     int     `json:"step"`
	Epoch    float64 `json:"epoch"`
	Field    string  `json:"field"`
	From     float64 `json:"from"`
	To       float64 `json:"to"`
	FromKind string  `json:"from_kind,omitempty"`
	ToKind   string  `json:"to_kind,omitempty"`
}

// ChangeMsg announces settings changed at a step (usually one).
type ChangeMsg struct {
	Type    string   `json:"type"`
	Changes []Change `json:"changes"`
}

// ValidateSettings checks v against the configuration of s and the
// manager's limits, like the same fields of a new configuration: a field
// present with a value out of range is refused, as is beta for a run that
// is not a VAE and noise for one that was not started with training-time
// noise.
func (m *Manager) ValidateSettings(s *Session, v Settings) FieldErrors {
	var fe FieldErrors
	lim := m.lim
	if v.LearningRate == nil && v.Beta == nil && v.Noise == nil {
		fe.add("learning_rate", "give at least one setting to change: learning_rate, beta (a VAE) or noise (a denoising run)")
		return fe
	}
	if v.LearningRate != nil {
		if lr := *v.LearningRate; math.IsNaN(lr) || lr <= 0 || float32(lr) <= 0 || lr > lim.MaxLearnRate {
			fe.add("learning_rate", "learning rate must be greater than 0 and at most %g (typical: 0.001 for Adam, 0.01–0.1 for SGD), got %g", lim.MaxLearnRate, lr)
		}
	}
	if v.Beta != nil {
		switch b := *v.Beta; {
		case !s.cfg.IsVAE():
			fe.add("beta", "beta weighs the KL term of a variational autoencoder; this run is kind %q, so it has none", s.cfg.Kind)
		case !BetaInRange(b):
			fe.add("beta", "%s", betaRange(b))
		}
	}
	if v.Noise != nil {
		n := *v.Noise
		switch {
		case !s.cfg.Noise.active():
			fe.add("noise", "this run was not started with training-time noise, so there is none to change: start a denoising run (the \"noise\" field of the configuration)")
		case n.Kind == "" || n.Kind == analysis.NoiseNone:
			fe.add("noise", "noise kind must be one of gaussian, masking or salt_pepper (to train without noise, start another run)")
		case math.IsNaN(n.Level) || n.Level <= 0:
			fe.add("noise", "noise level must be greater than 0, got %g", n.Level)
		default:
			vr := [2]float32{0, 1}
			if info, err := m.reg.Info(s.cfg.Dataset); err == nil {
				vr = info.ValueRange
			}
			if err := n.noise(vr).Validate(); err != nil {
				fe.add("noise", "%v", err)
			}
		}
	}
	return fe
}

// Set leaves validated settings for the training goroutine, which applies
// them before its next step (a paused run: at its next step or resume). An
// ended run refuses them.
func (s *Session) Set(v Settings) error {
	if s.remote != nil {
		return s.relayAction(RunRequest{Action: "set", Settings: &v})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state.Terminal() {
		return Errorf(EConflict, "session %s has %s: its settings can no longer change", s.id, endedWord(s.state))
	}
	if s.sets >= MaxSets {
		return Errorf(EConflict, "session %s has already taken %d changes of its settings, the most one run may: start a new run", s.id, MaxSets)
	}
	s.sets++
	s.pendingSet = s.pendingSet.merge(v)
	s.setPending.Store(true)
	return nil
}

// applySettings applies the settings left by Set, if any, and records each
// change at the current step.
func (t *trainer) applySettings() {
	s := t.s
	if !s.setPending.Load() {
		return
	}
	s.mu.Lock()
	v := s.pendingSet
	s.pendingSet = Settings{}
	s.setPending.Store(false)
	s.mu.Unlock()
	at := Change{Step: t.step, Epoch: t.epochAt(t.step)}
	if v.LearningRate != nil && *v.LearningRate != t.model.LearningRate() {
		c := at
		c.Field, c.From, c.To = FieldLearningRate, t.model.LearningRate(), *v.LearningRate
		t.model.SetLearningRate(*v.LearningRate)
		t.pendingChanges = append(t.pendingChanges, c)
	}
	if v.Beta != nil && t.model.Kind() == "vae" && *v.Beta != t.model.Beta() {
		c := at
		c.Field, c.From, c.To = FieldBeta, t.model.Beta(), *v.Beta
		t.model.SetBeta(*v.Beta)
		t.pendingChanges = append(t.pendingChanges, c)
	}
	if v.Noise != nil {
		for _, ms := range t.labs {
			d, ok := ms.(*denoiser)
			if !ok {
				continue
			}
			from := d.cfg
			if from.Kind == v.Noise.Kind && from.Level == v.Noise.Level {
				continue
			}
			d.setNoise(*v.Noise)
			c := at
			c.Field, c.From, c.To, c.FromKind, c.ToKind = FieldNoise, from.Level, v.Noise.Level, from.Kind, v.Noise.Kind
			t.pendingChanges = append(t.pendingChanges, c)
		}
	}
}

// changeSeries is the store's series name of a change to field (with the
// noise kind it changed to); its value is the new value.
func changeSeries(c Change) string {
	if c.ToKind != "" {
		return "set:" + c.Field + ":" + c.ToKind
	}
	return "set:" + c.Field
}

// changeOfSeries rebuilds a change kept as a series point; ok is false for
// a series that is not a change. From is filled in by fillFrom.
func changeOfSeries(p SeriesPoint) (Change, bool) {
	rest, ok := strings.CutPrefix(p.Series, "set:")
	if !ok {
		return Change{}, false
	}
	field, kind, _ := strings.Cut(rest, ":")
	return Change{Step: p.Step, Epoch: p.Epoch, Field: field, To: p.Value, ToKind: kind}, true
}

// fillFrom sets the From of each change from the configuration and the
// changes before it.
func fillFrom(cs []Change, c Config) {
	lr, beta := c.LearningRate, c.BetaValue()
	var level float64
	kind := ""
	if c.Noise != nil {
		level, kind = c.Noise.Level, c.Noise.Kind
	}
	for i := range cs {
		switch cs[i].Field {
		case FieldLearningRate:
			cs[i].From, lr = lr, cs[i].To
		case FieldBeta:
			cs[i].From, beta = beta, cs[i].To
		case FieldNoise:
			cs[i].From, cs[i].FromKind = level, kind
			level, kind = cs[i].To, cs[i].ToKind
		}
	}
}

// stepPaused trains the batches of a step asked of the paused run: it
