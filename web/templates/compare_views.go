package templates

import (
	"strconv"
	"strings"
)

// DefaultBottlenecks is the sweep the home page offers first.
const DefaultBottlenecks = "2, 4, 8, 16, 32, 64"

// CompareForm is what the home page's comparison controls show: the sweep's widths as typed (empty
// shows DefaultBottlenecks) and the recent sessions ticked for comparison.
type CompareForm struct {
	Bottlenecks string
	Selected    []string
}

// CompareRun is one session of a comparison as its page first shows it (compare.js keeps it live).
type CompareRun struct {
	ID, Label, URL, State string
	// Color indexes the run palette: CSS class run-c<Color> and RUN_COLORS in comparedata.js.
	Color      int
	Bottleneck int
	Ratio      float64 // K/M
	Params     int
	// Loss ("MSE"), TestLoss and PCA are already formatted; TestLoss and PCA are "" while unknown.
	Loss, TestLoss, PCA string
}

// CompareBootRun is one run in the JSON handed to compare.js.
type CompareBootRun struct {
	ID         string  `json:"id"`
	Label      string  `json:"label"`
	WSURL      string  `json:"ws_url"`
	URL        string  `json:"url"`
	State      string  `json:"state"` // when the page was made; a run that had ended is not reconnected
	Color      int     `json:"color"`
	Dataset    string  `json:"dataset"`
	Bottleneck int     `json:"bottleneck"`
	Features   int     `json:"features"`
	Ratio      float64 `json:"ratio"`
	Params     int     `json:"params"`
	Loss       string  `json:"loss"`
}

// CompareBoot is handed to the compare page's JavaScript as JSON (script id "compare-boot").
type CompareBoot struct {
	ID string `json:"id"`
	// APIURL is GET /api/comparisons/{id}, polled for the PCA baselines until they are ready.
	APIURL string `json:"api_url"`
	// Kind is "sweep" or "group"; Differs lists the configuration fields that differ.
	Kind    string           `json:"kind"`
	Differs []string         `json:"differs"`
	Runs    []CompareBootRun `json:"runs"`
}

// CompareView is everything the compare page shows before its JavaScript takes over.
type CompareView struct {
	ID, Title, Kind string
	// Network describes the runs' shared architecture, e.g. "784 → 32 → M → 32 → 784" (optional).
	Network string
	// Differs says in words what differs between the runs, e.g. "activation: relu vs tanh".
	Differs []string
	Runs    []CompareRun
	Boot    CompareBoot
	// TableCSV and CurvesCSV are the export links.
	TableCSV, CurvesCSV string
	// MixedLoss is true when some run trains with a loss other than MSE: its loss and the PCA
	// figure (always an MSE) are then different measures.
	MixedLoss bool
	// Present is true for the presenter view (?present): one screen for the wall, no controls.
	Present bool
}

// sweepValue is the text of the sweep's widths field.
func sweepValue(v HomeView) string {
	if v.Compare.Bottlenecks == "" && v.Errors["bottlenecks"] == "" {
		return DefaultBottlenecks
	}
	return v.Compare.Bottlenecks
}

// isSelected reports whether a recent session is ticked for comparison.
func isSelected(selected []string, id string) bool {
	for _, s := range selected {
		if s == id {
			return true
		}
	}
	return false
}

// runClass is the CSS class that colours a run's swatch.
func runClass(c int) string { return "swatch run-c" + strconv.Itoa(c%8) }

// orDash writes "–" for an unknown value.
func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// runCount says how many runs a comparison has.
func runCount(n int) string {
	if n == 1 {
		return "1 run"
	}
	return strconv.Itoa(n) + " runs"
}

// ratioText writes a compression ratio K/M as compare.js does: 392 → "392×", 15.68 → "15.7×".
func ratioText(r float64) string {
	switch {
	case !(r > 0):
		return "–"
	case r >= 100:
		return groupThousands(int(r+0.5)) + "×"
	case r >= 1:
		return strconv.FormatFloat(r, 'f', 1, 64) + "×"
	}
	return strconv.FormatFloat(r, 'f', 2, 64) + "×"
}

// differsText is what differs between the runs on one line, for the presenter's label.
func differsText(d []string) string {
	return strings.Join(d, "; ")
}
