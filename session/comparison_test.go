package session

import (
	"context"
	"strings"
	"testing"
	"time"
)

// tiny trains in a fraction of a second.
func tiny() Config {
	return Config{Encoder: []int{8}, TrainSize: 300, TestSize: 200, BatchSize: 50, Epochs: 1, Seed: 5}
}

func newTestStore(t *testing.T, m *Manager) *ComparisonStore {
	t.Helper()
	st := NewComparisonStore(m)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := st.Close(ctx); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return st
}

func waitBaselines(t *testing.T, c *Comparison) ComparisonInfo {
	t.Helper()
	deadline := time.Now().Add(120 * time.Second)
	for {
		in := c.Info()
		if in.BaselineReady {
			return in
		}
		if time.Now().After(deadline) {
			t.Fatalf("baselines not ready in 120 s (the race detector on a loaded machine is slow): %+v", in.Members)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestCheckSweepRefusesBadWidthsBeforeStarting(t *testing.T) {
	m := newTestManager(t, Options{})
	st := newTestStore(t, m)
	cases := []struct {
		name   string
		base   Config
		widths []int
		field  string
		says   []string
	}{
		{"width equal to K", tiny(), []int{2, 784, 8}, "bottlenecks", []string{"width 784", "smaller than the 784"}},
		{"two widths out of range", tiny(), []int{0, 2, 900}, "bottlenecks", []string{"widths 0, 900", "between 1 and 783"}},
		{"one width", tiny(), []int{8}, "bottlenecks", []string{"at least 2"}},
		{"too many", tiny(), []int{1, 2, 3, 4, 5, 6, 7, 8, 9}, "bottlenecks", []string{"at most 8"}},
		{"twice", tiny(), []int{4, 8, 4}, "bottlenecks", []string{"width 4 is listed twice"}},
		{"bad field for every width", func() Config { c := tiny(); c.LearningRate = -1; return c }(), []int{2, 4}, "learning_rate", []string{"learning rate"}},
		{"too many parameters at one width", func() Config { c := tiny(); c.Encoder = []int{4096}; c.Decoder = []int{4096}; return c }(), []int{2, 600}, "bottlenecks", []string{"width 600", "parameters"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fe := st.CheckSweep(tc.base, tc.widths)
			msg := fe.Map()[tc.field]
			if msg == "" {
				t.Fatalf("no error on %q; got %+v", tc.field, fe)
			}
			for _, s := range tc.says {
				if !strings.Contains(msg, s) {
					t.Errorf("%s message %q does not say %q", tc.field, msg, s)
				}
			}
			if _, _, err := st.CreateSweep("", tc.base, tc.widths); ErrorCode(err) != EInvalid {
				t.Errorf("CreateSweep error = %v, want invalid", err)
			}
		})
	}
	if n := len(m.List()); n != 0 {
		t.Fatalf("%d sessions were started by refused sweeps", n)
	}
	if fe := st.CheckSweep(tiny(), []int{64, 2, 16}); len(fe) != 0 {
		t.Fatalf("valid sweep refused: %+v", fe)
	}
}

func TestSweepStartsOneSessionPerWidth(t *testing.T) {
	m := newTestManager(t, Options{})
	st := newTestStore(t, m)
	c, started, err := st.CreateSweep("", tiny(), []int{8, 2, 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(started) != 3 || c.Kind() != Sweep {
		t.Fatalf("started %d sessions, kind %s", len(started), c.Kind())
	}
	for i, want := range []int{2, 4, 8} {
		s := started[i].Session
		if s.Config().Bottleneck != want || c.Sessions()[i] != s {
			t.Errorf("member %d: bottleneck %d, want %d in increasing order", i, s.Config().Bottleneck, want)
		}
		if s.Authorize(started[i].Token) != nil {
			t.Errorf("member %d: token does not authorize", i)
		}
		cfg := s.Config()
		if cfg.Seed != 5 || cfg.TrainSize != 300 || cfg.Encoder[0] != 8 || cfg.Decoder[0] != 8 {
			t.Errorf("member %d config = %+v, want the base config", i, cfg)
		}
	}
	if got, _ := st.Get(c.ID()); got != c {
		t.Fatal("Get does not find the sweep")
	}
	if _, err := st.Get("nope"); ErrorCode(err) != ENotFound {
		t.Fatalf("Get(nope) = %v", err)
	}
	in := c.Info()
	if len(in.Differs) != 1 || in.Differs[0].Field != "bottleneck" || in.Differs[0].Text != "bottleneck: 2 vs 4 vs 8" {
		t.Errorf("differs = %+v", in.Differs)
	}
	if want := []string{"M = 2", "M = 4", "M = 8"}; strings.Join(c.Labels(), "|") != strings.Join(want, "|") {
		t.Errorf("labels = %q, want %q", c.Labels(), want)
	}
	for _, s := range c.Sessions() {
		waitDone(t, s)
		if st := s.State(); st != Completed {
			t.Errorf("session %s %s", s.ID(), st)
		}
	}
	in = waitBaselines(t, c)
	prev := 1.0
	for i, mb := range in.Members {
		if mb.PCA.State != BaselineReady || mb.PCA.MSE == nil || mb.PCA.K != mb.Session.Summary.Bottleneck {
			t.Fatalf("member %d baseline = %+v", i, mb.PCA)
		}
		if *mb.PCA.MSE >= prev {
			t.Errorf("PCA error does not fall with k: %v after %v", *mb.PCA.MSE, prev)
		}
		prev = *mb.PCA.MSE
	}
	// One fit served the whole sweep.
	st.base.mu.Lock()
	fits := st.base.fits.Len()
	st.base.mu.Unlock()
	if fits != 1 {
		t.Errorf("%d PCA fits for one sweep, want 1", fits)
	}
}

func TestGroupNamesWhatDiffers(t *testing.T) {
	m := newTestManager(t, Options{})
	st := newTestStore(t, m)
	a := tiny()
	a.Bottleneck = 4
	b := tiny()
	b.Bottleneck = 4
	b.Activation = "tanh"
	c := tiny()
	c.Bottleneck = 2
	c.Activation = "tanh"
	c.Loss = "bce"
	var ids []string
	for _, cfg := range []Config{a, b, c} {
		s, _, err := m.Create(cfg)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID())
	}
	g, err := st.Group(ids)
	if err != nil {
		t.Fatal(err)
	}
	in := g.Info()
	texts := map[string]string{}
	for _, d := range in.Differs {
		texts[d.Field] = d.Text
	}
	want := map[string]string{
		"bottleneck": "bottleneck: 2 vs 4", // members by width: c first
		"activation": "activation: tanh vs relu",
		"loss":       "loss: bce vs mse",
	}
	if len(texts) != len(want) {
		t.Errorf("differs = %+v, want fields %v", in.Differs, want)
	}
	for f, w := range want {
		if texts[f] != w {
			t.Errorf("differs[%s] = %q, want %q", f, texts[f], w)
		}
	}
	if got := strings.Join(g.Labels(), " | "); got != "M = 2 · tanh · BCE | M = 4 · relu · MSE | M = 4 · tanh · MSE" {
		t.Errorf("labels = %q", got)
	}
	if g.Sessions()[0].ID() != ids[2] {
		t.Errorf("members not ordered by width")
	}

	for _, tc := range []struct {
		ids  []string
		says string
	}{
		{ids[:1], "at least 2"},
		{[]string{ids[0], "nope"}, `no session "nope"`},
		{[]string{ids[0], ids[0]}, "listed twice"},
		{append(append(append([]string{}, ids...), ids...), ids...), "at most 8"}, // 9 ids
	} {
		_, err := st.Group(tc.ids)
		e, ok := err.(*Error)
		if !ok || e.Code != EInvalid || e.Field != "sessions" || !strings.Contains(e.Message, tc.says) {
			t.Errorf("Group(%v) = %v, want invalid sessions saying %q", tc.ids, err, tc.says)
		}
	}
	for _, s := range g.Sessions() {
		waitDone(t, s)
	}
	waitBaselines(t, g)
}

func TestComparisonStoreClosed(t *testing.T) {
	m := newTestManager(t, Options{})
	st := NewComparisonStore(m)
	if err := st.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.CreateSweep("", tiny(), []int{2, 4}); ErrorCode(err) != EUnavailable {
		t.Fatalf("sweep after close = %v, want unavailable", err)
	}
	if n := len(m.List()); n != 0 {
		t.Fatalf("%d sessions started after close", n)
	}
}

func TestDifferencesAndLabels(t *testing.T) {
	a := tiny().Defaults()
	a.Bottleneck = 8
	b := a.clone()
	b.Noise = &NoiseConfig{Kind: "gaussian", Level: 0.3}
	b.LearningRate = 0.01
	c := a.clone()
	c.Encoder, c.Decoder = []int{}, []int{}
	got := differences([]Config{a, b, c})
	var texts []string
	for _, d := range got {
		texts = append(texts, d.Text)
	}
	want := []string{"encoder: 8 vs none", "decoder: 8 vs none", "learning_rate: 0.001 vs 0.01", "noise: none vs gaussian 0.3"}
	if strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Errorf("differences = %q, want %q", texts, want)
	}
	if d := got[0]; strings.Join(d.Values, "|") != "8|8|none" {
		t.Errorf("encoder values = %q", d.Values)
	}
	ss := []*Session{{id: "a"}, {id: "b"}, {id: "c"}}
	labels := memberLabels([]Config{a, b, c}, got, ss)
	if want := "encoder 8 · decoder 8 · lr 0.01 · noise gaussian 0.3"; labels[1] != want {
		t.Errorf("label = %q, want %q", labels[1], want)
	}
	// Alike in everything: numbered.
	labels = memberLabels([]Config{a, a}, nil, ss[:2])
	if labels[0] != "run 1" || labels[1] != "run 2" {
		t.Errorf("labels of identical runs = %q", labels)
	}
	// Two alike beside a third: the alike ones are told apart by id.
	d := differences([]Config{a, a, b})
	labels = memberLabels([]Config{a, a, b}, d, ss)
	if labels[0] == labels[1] || !strings.HasSuffix(labels[0], " · a") || strings.Contains(labels[2], " · c") {
		t.Errorf("labels = %q", labels)
	}
}
