package templates

import (
	"strconv"
	"strings"
)

// groupThousands writes n with commas between groups of three digits: 60000 → "60,000".
func groupThousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isTerminal reports whether a session state is final: nothing more will happen to it.
func isTerminal(state string) bool {
	switch state {
	case "completed", "stopped", "failed":
		return true
	}
	return false
}

// canPause, canResume and canStop say which owner controls make sense in a state; the page's
// JavaScript applies the same rules (session.js) as the state changes.
func canPause(state string) bool  { return state == "running" }
func canResume(state string) bool { return state == "paused" || state == "interrupted" }
func canStop(state string) bool {
	return state == "running" || state == "queued" || state == "paused"
}

// stateClass is the CSS class of a state badge; unknown states share one neutral style.
func stateClass(state string) string {
	switch state {
	case "queued", "running", "paused", "completed", "stopped", "failed":
		return "badge state-" + state
	}
	return "badge state-unknown"
}

// stateLabel is the word shown in a state badge (the state itself, or "unknown" when empty).
func stateLabel(state string) string {
	if state == "" {
		return "unknown"
	}
	return state
}

// classList shortens a dataset's class names for a card: all of them when few, else the first
// ones and a count (d.Classes, when the card carries only the first names).
func classList(d DatasetOption) string {
	const show = 10
	names, total := d.ClassNames, max(d.Classes, len(d.ClassNames))
	if len(names) > show {
		names = names[:show]
	}
	if total <= len(names) {
		return strings.Join(names, ", ")
	}
	return strings.Join(names, ", ") + " … (" + strconv.Itoa(total) + " classes)"
}

// datasetShape describes a dataset's example shape: "784 features (28 × 28 image)" or "2 features".
func datasetShape(d DatasetOption) string {
	s := groupThousands(d.Features) + " features"
	if d.Width > 1 && d.Height > 1 {
		s += " (" + strconv.Itoa(d.Width) + " × " + strconv.Itoa(d.Height) + " image)"
	}
	return s
}

// datasetSizes describes a dataset's splits: "60,000 train · 10,000 test".
func datasetSizes(d DatasetOption) string {
	return groupThousands(d.TrainSize) + " train · " + groupThousands(d.TestSize) + " test"
}

// shortCount writes a number briefly for a dataset card: 70000 → "70k", 1500 → "1,500".
func shortCount(n int) string {
	if n >= 10000 {
		return strconv.Itoa((n+500)/1000) + "k"
	}
	return groupThousands(n)
}

// unavailable lists the datasets that cannot be used on this server.
func unavailable(ds []DatasetOption) []DatasetOption {
	var out []DatasetOption
	for _, d := range ds {
		if !d.Available {
			out = append(out, d)
		}
	}
	return out
}

// datasetAbout describes the chosen dataset under the picker: its description, shape and sizes.
func datasetAbout(v HomeView) string {
	name := selectedDataset(v)
	for _, d := range v.Datasets {
		if d.Name == name {
			s := datasetShape(d) + " · " + datasetSizes(d)
			if d.Description != "" {
				s = d.Description + " " + s
			}
			return s
		}
	}
	return ""
}

// selectedDataset is the dataset whose radio starts checked: the one in the form, or else the
// first available one.
func selectedDataset(v HomeView) string {
	for _, d := range v.Datasets {
		if d.Name == v.Form.Dataset && d.Available {
			return d.Name
		}
	}
	for _, d := range v.Datasets {
		if d.Available {
			return d.Name
		}
	}
	return ""
}

// limitsFor joins the limit texts that apply to one form field.
func limitsFor(limits []LimitRow, field string) string {
	var parts []string
	for _, l := range limits {
		if l.Field == field {
			parts = append(parts, l.Text)
		}
	}
	return strings.Join(parts, "; ")
}

// otherLimits are the limit rows that name no form field; the form lists them in a general note.
func otherLimits(limits []LimitRow) []LimitRow {
	known := make(map[string]bool, len(FieldNames))
	for _, f := range FieldNames {
		known[f] = true
	}
	var out []LimitRow
	for _, l := range limits {
		if !known[l.Field] {
			out = append(out, l)
		}
	}
	return out
}

// homeBoot is the JSON the home page hands to home.js (script id "home-boot").
type homeBoot struct {
	Datasets []DatasetOption `json:"datasets"`
	Limits   []LimitRow      `json:"limits"`
	Fields   []string        `json:"fields"`
	CheckURL string          `json:"check_url"`
	// Defaults are the form's values when nothing is given, by field name.
	Defaults map[string]string `json:"defaults"`
}

// checkURL is where home.js POSTs the form's config for live validation.
const checkURL = "/api/sessions/check"

func newHomeBoot(v HomeView) homeBoot {
	b := homeBoot{Datasets: v.Datasets, Limits: v.Limits, Fields: FieldNames, CheckURL: checkURL, Defaults: v.Defaults.Map()}
	if b.Datasets == nil {
		b.Datasets = []DatasetOption{}
	}
	if b.Limits == nil {
		b.Limits = []LimitRow{}
	}
	return b
}

// setHelp is the help line of the owner's live settings: what they change and that the loss
// chart marks where.
func setHelp(v SessionView) string {
	what := "A new learning rate applies"
	switch {
	case v.Generative && v.Denoising:
		what = "A new learning rate, β (the KL term's weight) or training noise applies"
	case v.Generative:
		what = "A new learning rate or β (the KL term's weight: lower, sharper pictures; higher, a smoother code space) applies"
	case v.Denoising:
		what = "A new learning rate or training noise (level: σ for Gaussian, the fraction hit otherwise) applies"
	}
	return what + " from the next step; the loss chart marks where."
}
