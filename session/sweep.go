package session

import (
	"slices"
	"strings"
)

// A sweep: one new session per bottleneck width, everything else equal.

// Started is a session that a sweep started, with its owner token.
type Started struct {
	Session *Session
	Token   string
}

// CheckSweep validates a sweep without starting anything: the base
// configuration with each width as its bottleneck. Messages about a width
// (out of range for the dataset's K, too many parameters) are reported on the
// field "bottlenecks" and name the width; the others on their own field.
func (st *ComparisonStore) CheckSweep(base Config, widths []int) FieldErrors {
	var fe FieldErrors
	switch {
	case len(widths) < 2:
		fe.add("bottlenecks", "give at least 2 bottleneck widths to compare, like 2, 4, 8, 16")
		return fe
	case len(widths) > MaxCompared:
		fe.add("bottlenecks", "give at most %d bottleneck widths (one colour each on the charts); you gave %d", MaxCompared, len(widths))
		return fe
	}
	seen := map[int]bool{}
	for _, w := range widths {
		if seen[w] {
			fe.add("bottlenecks", "width %d is listed twice: give each width once", w)
			return fe
		}
		seen[w] = true
	}
	// Field → message → widths that got it.
	type hit struct {
		msg    string
		widths []int
	}
	byField := map[string][]*hit{}
	var fields []string
	for _, w := range widths {
		c := base.clone()
		c.Bottleneck = w
		c.MarkGiven("bottleneck")   // each width is given: 0 is out of range, not missing
		_, _, errs := st.m.Check(c) // what the door would refuse too
		for _, e := range errs {
			hs, ok := byField[e.Field]
			if !ok {
				fields = append(fields, e.Field)
			}
			i := slices.IndexFunc(hs, func(h *hit) bool { return h.msg == e.Message })
			if i < 0 {
				hs = append(hs, &hit{msg: e.Message})
				i = len(hs) - 1
			}
			if !slices.Contains(hs[i].widths, w) {
				hs[i].widths = append(hs[i].widths, w)
			}
			byField[e.Field] = hs
		}
	}
	var about []string // messages about particular widths
	for _, f := range fields {
		for _, h := range byField[f] {
			if f != "bottleneck" && len(h.widths) == len(widths) {
				fe.add(f, "%s", h.msg) // wrong whatever the width: the field itself is at fault
				continue
			}
			about = append(about, widthList(h.widths)+": "+h.msg)
		}
	}
	if len(about) > 0 {
		fe = append(FieldErrors{{Field: "bottlenecks", Message: strings.Join(about, "; ")}}, fe...)
	}
	return fe
}

func widthList(ws []int) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = itoa(w)
	}
	if len(ws) == 1 {
		return "width " + parts[0]
	}
	return "widths " + strings.Join(parts, ", ")
}

// CreateSweep validates the sweep (see CheckSweep) and, only if every width
// is valid, starts one session per width, in increasing order, as one
// action of addr admitted by the Manager's door (one rate token, room for
// every width, all or none). It returns the comparison and the sessions
// with their owner tokens.
func (st *ComparisonStore) CreateSweep(addr string, base Config, widths []int) (*Comparison, []Started, error) {
	if fe := st.CheckSweep(base, widths); len(fe) > 0 {
		return nil, nil, fe.Err()
	}
	if err := st.open(); err != nil {
		return nil, nil, err
	}
	ws := slices.Sorted(slices.Values(widths))
	cfgs := make([]Config, len(ws))
	for i, w := range ws {
		cfgs[i] = base.clone()
		cfgs[i].Bottleneck = w
		cfgs[i].MarkGiven("bottleneck")
	}
	started, err := st.m.Start(addr, cfgs...)
	if err != nil {
		return nil, nil, err
	}
	sessions := make([]*Session, len(started))
	for i, x := range started {
		sessions[i] = x.Session
	}
	c, err := st.add(Sweep, sessions)
	if err != nil {
		for _, x := range started {
			_ = x.Session.Stop()
		}
		return nil, nil, err
	}
	return c, started, nil
}
