package session

import (
	"encoding/json"
	"slices"
)

// Lesson is a class's preset: the configuration its form starts from, the
// fields students cannot change and the fields they do not see.
type Lesson struct {
	Preset *Config  `json:"preset,omitempty"`
	Locked []string `json:"locked"`
	Hidden []string `json:"hidden"`
}

// IsLocked reports whether field f is locked.
func (l Lesson) IsLocked(f string) bool { return l.Preset != nil && slices.Contains(l.Locked, f) }

// IsHidden reports whether field f is hidden.
func (l Lesson) IsHidden(f string) bool { return l.Preset != nil && slices.Contains(l.Hidden, f) }

// Apply returns the configuration of a run asked for with req, of which
// the JSON fields in present were given: the preset with those fields
// replaced. A locked field given with another value than the preset's is a
// field error naming it.
func (l Lesson) Apply(req Config, present map[string]bool) (Config, FieldErrors) {
	if l.Preset == nil {
		return req, nil
	}
	var base, over map[string]json.RawMessage
	pb, _ := json.Marshal(*l.Preset)
	rb, _ := json.Marshal(req)
	_ = json.Unmarshal(pb, &base)
	_ = json.Unmarshal(rb, &over)
	for k := range present {
		if v, ok := over[k]; ok {
			base[k] = v
		} else {
			delete(base, k) // an omitempty field given empty
		}
	}
	var out Config
	mb, _ := json.Marshal(base)
	_ = json.Unmarshal(mb, &out)
	for k := range present { // what the student sent as 0 is judged as sent
		if req.given[k] {
			out.MarkGiven(k)
		}
	}
	var fe FieldErrors
	want, got := l.Preset.Defaults(), out.Defaults()
	for _, f := range configFields {
		if l.IsLocked(f.name) && present[f.name] && f.value(want) != f.value(got) {
			fe.add(f.name, "%s is locked by the lesson at %s: leave it as it is", f.name, f.value(want))
		}
	}
	return out, fe
}

// IsLessonField reports whether f names a configuration field that a
// lesson may lock or hide.
func IsLessonField(f string) bool {
	return slices.ContainsFunc(configFields, func(cf configField) bool { return cf.name == f })
}

func lessonFieldNames() string {
	names := make([]string, len(configFields))
	for i, f := range configFields {
		names[i] = f.name
	}
	return joinComma(names)
}

// checkLesson validates the preset and the lists of locked and hidden
// fields, completing the preset with its defaults.
func (b *ClassBook) checkLesson(req NewClass) (Lesson, FieldErrors) {
	var fe FieldErrors
	l := Lesson{Locked: dedupe(req.Locked), Hidden: dedupe(req.Hidden)}
	for _, list := range []struct {
		name   string
		fields []string
	}{{"locked", l.Locked}, {"hidden", l.Hidden}} {
		if len(list.fields) > len(configFields) {
			fe.add(list.name, "%s lists %d fields; a configuration has %d", list.name, len(list.fields), len(configFields))
			continue
		}
		for _, f := range list.fields {
			if !IsLessonField(f) {
				fe.add(list.name, "%q is not a field of the form: use some of %s", truncate(f, 40), lessonFieldNames())
				break
			}
		}
	}
	if req.Preset == nil {
		if len(l.Locked)+len(l.Hidden) > 0 {
			fe.add("preset", "locked and hidden fields need a preset configuration to hold them at")
		}
		return l, fe
	}
	p, _, pfe := b.m.Check(*req.Preset)
	for _, e := range pfe {
		fe.add("preset."+e.Field, "%s", e.Message)
	}
	l.Preset = &p
	return l, fe
}

func dedupe(fs []string) []string {
	out := []string{}
	for _, f := range fs {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

func joinComma(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}
