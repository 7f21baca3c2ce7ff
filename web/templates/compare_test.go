package templates

import (
	"encoding/json"
	"github.com/aelab/aelab/web"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func sampleCompare() CompareView {
	v := CompareView{ID: "cmp1", Title: "Bottleneck sweep · MNIST · 784 → 32 → M → 32 → 784", Kind: "sweep",
		Differs: []string{"bottleneck: 2 vs 8"}, TableCSV: "/api/comparisons/cmp1/table.csv", CurvesCSV: "/api/comparisons/cmp1/curves.csv"}
	for i, m := range []int{2, 8} {
		id := []string{"aa", "bb"}[i]
		v.Runs = append(v.Runs, CompareRun{ID: id, Label: []string{"M = 2", "M = 8"}[i], URL: "/sessions/" + id, State: "running",
			Color: i, Bottleneck: m, Ratio: 784 / float64(m), Params: 52000 + m, Loss: "MSE", TestLoss: []string{"0.0512", ""}[i], PCA: "0.0557"})
		v.Boot.Runs = append(v.Boot.Runs, CompareBootRun{ID: id, Label: v.Runs[i].Label, WSURL: "/api/sessions/" + id + "/ws",
			URL: "/sessions/" + id, State: "running", Color: i, Dataset: "mnist", Bottleneck: m, Features: 784, Ratio: 784 / float64(m), Params: 52000 + m, Loss: "mse"})
	}
	v.Boot.ID, v.Boot.APIURL, v.Boot.Kind, v.Boot.Differs = "cmp1", "/api/comparisons/cmp1", "sweep", []string{"bottleneck"}
	return v
}

func TestComparePageElements(t *testing.T) {
	doc := render(t, Compare(sampleCompare()))
	for _, id := range []string{"compare-title", "compare-status", "connection", "compare-differs", "run-legend",
		"compare-loss-chart", "compare-log-toggle", "compare-train-toggle", "rd-chart", "rd-log-toggle", "rd-legend",
		"compare-recon", "compare-recon-caption", "compare-latents", "compare-latent-legend", "compare-table",
		"export-csv", "export-table", "export-curves"} {
		one(t, doc, id)
	}
	counters := map[string][]string{
		"compare-loss-chart": {"data-updates", "data-series"},
		"rd-chart":           {"data-updates", "data-points"},
		"compare-recon":      {"data-updates", "data-rows"},
		"compare-latents":    {"data-updates", "data-plots"},
	}
	for id, attrs := range counters {
		for _, a := range attrs {
			if v, _ := attr(one(t, doc, id), a); v != "0" {
				t.Errorf("%s %s = %q, want 0", id, a, v)
			}
		}
	}
	for _, id := range []string{"rd-chart", "compare-recon"} {
		if el := one(t, doc, id); el.Data != "canvas" {
			t.Errorf("%s is a <%s>", id, el.Data)
		}
	}
	if got := text(one(t, doc, "compare-differs")); got != "What differs: bottleneck: 2 vs 8" {
		t.Errorf("differs = %q", got)
	}
	if got := text(one(t, doc, "compare-status")); got != "2 runs" {
		t.Errorf("status = %q", got)
	}
	// One latent plot and one table row per run, each with its colour and label.
	cells := findAll(one(t, doc, "compare-latents"), func(n *html.Node) bool { return n.Data == "figure" })
	rows := findAll(one(t, doc, "compare-table"), func(n *html.Node) bool { _, ok := attr(n, "data-run"); return n.Data == "tr" && ok })
	if len(cells) != 2 || len(rows) != 2 {
		t.Fatalf("%d latent cells and %d rows, want 2 each", len(cells), len(rows))
	}
	cellTexts := func(tr *html.Node) string {
		var out []string
		for _, c := range findAll(tr, func(n *html.Node) bool { return n.Data == "td" || n.Data == "th" }) {
			out = append(out, text(c))
		}
		return strings.Join(out, " | ")
	}
	if got := cellTexts(rows[0]); got != "M = 2 | 2 | 392× | 52,002 | 0.0512 | 0.0557 | – | running" {
		t.Errorf("first row = %q", got)
	}
	if got := cellTexts(rows[1]); got != "M = 8 | 8 | 98.0× | 52,008 | – | 0.0557 | – | running" {
		t.Errorf("second row = %q (unknown test loss must show –)", got)
	}
	sw := findAll(rows[1], func(n *html.Node) bool { c, _ := attr(n, "class"); return strings.Contains(c, "swatch") })
	if c, _ := attr(sw[0], "class"); len(sw) != 1 || c != "swatch run-c1" {
		t.Errorf("second row swatch = %q", c)
	}
	for id, want := range map[string]string{"export-table": "/api/comparisons/cmp1/table.csv", "export-curves": "/api/comparisons/cmp1/curves.csv"} {
		if h, _ := attr(one(t, doc, id), "href"); h != want || !hasAttr(one(t, doc, id), "download") {
			t.Errorf("%s href %q, want %q with download", id, h, want)
		}
	}
	if n := len(byTestID(doc, "mixed-loss-note")); n != 0 {
		t.Errorf("MSE-only comparison shows the mixed-loss note")
	}
	if src := moduleScripts(t, doc); !reflect.DeepEqual(src, []string{web.Asset("/static/js/compare.js")}) {
		t.Errorf("module scripts = %v", src)
	}
	css := findAll(doc, func(n *html.Node) bool {
		h, _ := attr(n, "href")
		return n.Data == "link" && h == web.Asset("/static/css/compare.css")
	})
	if len(css) != 1 {
		t.Error("compare.css not linked")
	}
}

func TestCompareBootParses(t *testing.T) {
	v := sampleCompare()
	doc := render(t, Compare(v))
	boot := byID(doc, "compare-boot")
	if boot == nil {
		t.Fatal("no #compare-boot")
	}
	var got CompareBoot
	if err := json.Unmarshal([]byte(text(boot)), &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, v.Boot) {
		t.Errorf("boot = %+v\nwant %+v", got, v.Boot)
	}
}

func TestCompareMixedLossAndNoDifferences(t *testing.T) {
	v := sampleCompare()
	v.Differs = nil
	v.MixedLoss = true
	v.Runs[1].Loss = "BCE"
	doc := render(t, Compare(v))
	one(t, doc, "mixed-loss-note")
	if got := text(one(t, doc, "compare-differs")); !strings.Contains(got, "alike") {
		t.Errorf("differs = %q", got)
	}
	if !strings.Contains(text(one(t, doc, "compare-table")), "BCE") {
		t.Error("a BCE run's test loss is not marked BCE")
	}
}

func TestHomeSweepControls(t *testing.T) {
	v := sampleHome()
	doc := render(t, Home(v))
	form := one(t, doc, "config-form")
	in := byName(form, "bottlenecks")
	if len(in) != 1 {
		t.Fatalf("%d bottlenecks inputs in the form", len(in))
	}
	if val, _ := attr(in[0], "value"); val != DefaultBottlenecks {
		t.Errorf("bottlenecks value = %q, want the default", val)
	}
	id, _ := attr(in[0], "id")
	if labels := findAll(doc, func(n *html.Node) bool { f, _ := attr(n, "for"); return n.Data == "label" && f == id }); len(labels) != 1 {
		t.Errorf("bottlenecks input has %d labels", len(labels))
	}
	btn := one(t, form, "compare-button")
	if fa, _ := attr(btn, "formaction"); fa != "/comparisons" {
		t.Errorf("compare button formaction = %q", fa)
	}
	if typ, _ := attr(btn, "type"); typ != "submit" {
		t.Errorf("compare button type %q", typ)
	}

	// A refused sweep: the widths as typed and the message next to them.
	v.Compare.Bottlenecks = "2, 900"
	v.Errors = map[string]string{"bottlenecks": "width 900: too wide"}
	doc = render(t, Home(v))
	in = byName(one(t, doc, "config-form"), "bottlenecks")
	if val, _ := attr(in[0], "value"); val != "2, 900" {
		t.Errorf("value after error = %q", val)
	}
	if got := text(one(t, doc, "error-bottlenecks")); got != "width 900: too wide" {
		t.Errorf("error = %q", got)
	}
	if inv, _ := attr(in[0], "aria-invalid"); inv != "true" {
		t.Error("the field is not marked invalid")
	}
}

func TestHomePickSessionsToCompare(t *testing.T) {
	v := sampleHome()
	v.Compare.Selected = []string{"cd34"}
	v.Errors = map[string]string{"sessions": "choose at least 2 sessions to compare"}
	doc := render(t, Home(v))
	pick := one(t, doc, "compare-pick")
	if a, _ := attr(pick, "action"); a != "/comparisons" {
		t.Errorf("compare-pick action %q", a)
	}
	formID, _ := attr(pick, "id")
	for _, id := range []string{"ab12", "cd34"} {
		box := one(t, doc, "pick-"+id)
		f, _ := attr(box, "form")
		name, _ := attr(box, "name")
		val, _ := attr(box, "value")
		if f != formID || name != "sessions" || val != id {
			t.Errorf("box %s: form %q name %q value %q", id, f, name, val)
		}
		if hasAttr(box, "checked") != (id == "cd34") {
			t.Errorf("box %s checked = %v", id, hasAttr(box, "checked"))
		}
	}
	if got := text(one(t, doc, "error-sessions")); !strings.Contains(got, "at least 2") {
		t.Errorf("error-sessions = %q", got)
	}
	// With a single session there is nothing to compare: no form.
	v.Recent = v.Recent[:1]
	if n := len(byTestID(render(t, Home(v)), "compare-pick")); n != 0 {
		t.Error("compare-pick shown for one session")
	}
}

// TestComparePresent: ?present renders the presenter's label (title and what differs) and marks
// the page for the presenter's layout; the ordinary page has neither.
func TestComparePresent(t *testing.T) {
	v := sampleCompare()
	doc := render(t, Compare(v))
	if n := findAll(doc, func(n *html.Node) bool { c, _ := attr(n, "data-testid"); return c == "present-label" }); len(n) != 0 {
		t.Errorf("the ordinary page has a presenter label")
	}
	if c, _ := attr(one(t, doc, "compare-page"), "class"); c != "compare" {
		t.Errorf("ordinary page class %q", c)
	}
	v.Present = true
	doc = render(t, Compare(v))
	if c, _ := attr(one(t, doc, "compare-page"), "class"); c != "compare present" {
		t.Errorf("presenter page class %q", c)
	}
	if got := text(one(t, doc, "present-label")); got != "Bottleneck sweep · MNIST · 784 → 32 → M → 32 → 784 bottleneck: 2 vs 8" {
		t.Errorf("presenter label %q", got)
	}
}
