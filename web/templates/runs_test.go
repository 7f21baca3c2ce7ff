package templates

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func runsView() RunsView {
	return RunsView{
		Filters:  RunsFilters{Dataset: "fashion", State: "completed", Mine: true, Sort: "test_loss"},
		Datasets: []Choice{{Value: "mnist", Label: "MNIST digits"}, {Value: "fashion", Label: "Fashion-MNIST"}},
		States:   []Choice{{Value: "completed", Label: "completed"}, {Value: "failed", Label: "failed"}},
		Sorts:    []Choice{{Value: "date", Label: "Date"}, {Value: "test_loss", Label: "Test loss"}},
		Rows: []RunRow{
			{SessionRow: SessionRow{ID: "aa11", Title: "Fashion-MNIST · 784 → 32 → 784", State: "completed", TestLoss: "0.0123", URL: "/sessions/aa11"},
				Dataset: "fashion", Bottleneck: 32, Created: "2026-12-05 09:00 UTC", CreatedISO: "2026-12-05T09:00:00Z"},
			{SessionRow: SessionRow{ID: "bb22", Title: "Fashion-MNIST · 784 → 2 → 784", State: "completed", URL: "/sessions/bb22"},
				Dataset: "fashion", Bottleneck: 2, Created: "2026-12-04 09:00 UTC", CreatedISO: "2026-12-04T09:00:00Z"},
		},
		NextURL:  "/runs?cursor=abc&dataset=fashion",
		FirstURL: "/runs?dataset=fashion",
		Selected: []string{"bb22"},
	}
}

func TestRunsPageRendersRowsFiltersAndPaging(t *testing.T) {
	doc := render(t, Runs(runsView()))
	if href, _ := attr(one(t, doc, "run-link-aa11"), "href"); href != "/sessions/aa11" {
		t.Errorf("run link = %q", href)
	}
	if got := text(one(t, doc, "run-loss-aa11")); got != "0.0123" {
		t.Errorf("loss = %q", got)
	}
	if got := strings.TrimSpace(text(one(t, doc, "run-loss-bb22"))); got != "–" {
		t.Errorf("a run without a test loss shows %q", got)
	}
	if _, ok := attr(one(t, doc, "pick-bb22"), "checked"); !ok {
		t.Error("a selected run is not ticked")
	}
	if _, ok := attr(one(t, doc, "pick-aa11"), "checked"); ok {
		t.Error("an unselected run is ticked")
	}
	if act, _ := attr(one(t, doc, "compare-pick"), "action"); act != "/comparisons" {
		t.Errorf("compare form posts to %q", act)
	}
	one(t, doc, "compare-selected")
	if href, _ := attr(one(t, doc, "runs-next"), "href"); href != "/runs?cursor=abc&dataset=fashion" {
		t.Errorf("next page = %q", href)
	}
	one(t, doc, "runs-first")
	one(t, doc, "runs-clear")
	selected := func(id string) string {
		for _, o := range findAll(one(t, doc, id), func(n *html.Node) bool { return n.Data == "option" }) {
			if _, ok := attr(o, "selected"); ok {
				v, _ := attr(o, "value")
				return v
			}
		}
		return ""
	}
	if got := selected("filter-dataset"); got != "fashion" {
		t.Errorf("dataset filter shows %q", got)
	}
	if got := selected("filter-state"); got != "completed" {
		t.Errorf("state filter shows %q", got)
	}
	if got := selected("filter-sort"); got != "test_loss" {
		t.Errorf("sort shows %q", got)
	}
	if _, ok := attr(one(t, doc, "filter-mine"), "checked"); !ok {
		t.Error("'started by me' is not ticked")
	}
	if href, _ := attr(one(t, doc, "runs-nav"), "href"); href != "/runs" {
		t.Errorf("header link = %q", href)
	}
}

func TestRunsPageEmptyAndErrors(t *testing.T) {
	v := runsView()
	v.Rows, v.NextURL, v.FirstURL = nil, "", ""
	v.Errors = map[string]string{"bottleneck": "bottleneck: must be a whole number", "cursor": "cursor: is not a cursor"}
	doc := render(t, Runs(v))
	if got := text(one(t, doc, "runs-empty")); !strings.Contains(got, "No run matches") {
		t.Errorf("empty filtered list says %q", got)
	}
	if got := text(one(t, doc, "error-bottleneck")); !strings.Contains(got, "bottleneck") {
		t.Errorf("bottleneck error = %q", got)
	}
	if got := text(one(t, doc, "runs-error")); !strings.Contains(got, "cursor") {
		t.Errorf("page error = %q", got)
	}
	for _, id := range []string{"runs-next", "runs-first", "compare-pick"} {
		if len(byTestID(doc, id)) != 0 {
			t.Errorf("%s shown on an empty list", id)
		}
	}
	v.Filters = RunsFilters{}
	if got := text(one(t, render(t, Runs(v)), "runs-empty")); !strings.Contains(got, "No runs yet") {
		t.Errorf("empty list says %q", got)
	}
}
