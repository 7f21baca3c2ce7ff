package templates

// RunsView is what the run list (/runs) shows: the filters as chosen, one page of runs and the
// links to the next page and back to the first.
type RunsView struct {
	Filters  RunsFilters
	Datasets []Choice // every dataset, for the filter
	States   []Choice // every state, for the filter
	Sorts    []Choice
	Rows     []RunRow
	// NextURL is the next page's address ("" on the last); FirstURL the first page's, when this
	// is a later one.
	NextURL, FirstURL string
	// Errors maps a filter's name to why its value was refused; "" holds
	// what is about no filter (a query parameter given twice).
	Errors map[string]string
	// Selected are the runs ticked for a comparison.
	Selected []string
}

// RunsFilters are the run list's filters as the address gives them.
type RunsFilters struct {
	Dataset    string
	Bottleneck string
	State      string
	Mine       bool
	Sort       string
}

// RunRow is one run of the run list.
type RunRow struct {
	SessionRow
	Dataset    string
	Bottleneck int
	Kind       string
	Created    string // "2026-12-05 09:00 UTC"
	CreatedISO string // RFC 3339, for <time datetime>
}

// Active reports whether any filter narrows the list.
func (f RunsFilters) Active() bool {
	return f.Dataset != "" || f.Bottleneck != "" || f.State != "" || f.Mine
}
