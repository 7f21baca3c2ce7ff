package templates

import (
	"encoding/json"
	"github.com/aelab/aelab/web"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func sampleHome() HomeView {
	return HomeView{
		Datasets: []DatasetOption{
			{Name: "mnist", Title: "MNIST digits", Description: "Handwritten digits", Features: 784, Width: 28, Height: 28,
				TrainSize: 60000, TestSize: 10000, ClassNames: []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
				ValueMin: 0, ValueMax: 1, Available: true},
			{Name: "blobs", Title: "Gaussian blobs", Features: 8, Width: 8, Height: 1, TrainSize: 2000, TestSize: 500,
				ClassNames: []string{"a", "b", "c"}, ValueMin: -3, ValueMax: 3, Available: true},
			{Name: "faces", Title: "Faces", Features: 4096, Width: 64, Height: 64, TrainSize: 400, TestSize: 100,
				Available: false, Reason: "data files not installed"},
		},
		Form: FormValues{Dataset: "blobs", Encoder: "512, 128", Bottleneck: "0", Decoder: "", Activation: "tanh",
			OutputActivation: "sigmoid", Loss: "bce", Optimizer: "sgd", LearningRate: "0.01", BatchSize: "32",
			Epochs: "3", TrainSize: "", Seed: "7"},
		Errors: map[string]string{
			"bottleneck": "must be 1 to 7 for this dataset",
			"":           "Please fix the fields marked below.",
		},
		Activations:       []Choice{{"relu", "ReLU"}, {"tanh", "tanh"}, {"sigmoid", "sigmoid"}},
		OutputActivations: []Choice{{"identity", "none (identity)"}, {"sigmoid", "sigmoid"}},
		Losses:            []Choice{{"mse", "mean squared error"}, {"bce", "binary cross-entropy"}},
		Optimizers:        []Choice{{"adam", "Adam"}, {"sgd", "SGD"}},
		Limits: []LimitRow{
			{Field: "bottleneck", Text: "1 to K−1"},
			{Field: "epochs", Text: "1 to 50"},
			{Field: "sessions", Text: "at most 4 training at once"},
		},
		Recent: []SessionRow{
			{ID: "ab12", Title: "MNIST · 784 → 256 → 50 → 256 → 784", State: "completed", TestLoss: "0.0123", URL: "/sessions/ab12"},
			{ID: "cd34", Title: "Blobs · 8 → 2 → 8", State: "running", URL: "/sessions/cd34"},
		},
	}
}

func TestHomeFormFieldsHaveNamesAndValues(t *testing.T) {
	v := sampleHome()
	doc := render(t, Home(v))

	form := one(t, doc, "config-form")
	if m, _ := attr(form, "method"); m != "post" {
		t.Errorf("form method = %q, want post", m)
	}
	if a, _ := attr(form, "action"); a != "/sessions" {
		t.Errorf("form action = %q, want /sessions", a)
	}

	wantValues := map[string]string{
		"encoder": "512, 128", "bottleneck": "0", "decoder": "", "learning_rate": "0.01",
		"batch_size": "32", "epochs": "3", "train_size": "", "seed": "7",
	}
	for name, want := range wantValues {
		els := byName(form, name)
		if len(els) != 1 || els[0].Data != "input" {
			t.Errorf("want one <input name=%q>, found %d", name, len(els))
			continue
		}
		if got, _ := attr(els[0], "value"); got != want {
			t.Errorf("%s value = %q, want %q", name, got, want)
		}
		// Every input has a label.
		id, _ := attr(els[0], "id")
		labels := findAll(doc, func(n *html.Node) bool { f, _ := attr(n, "for"); return n.Data == "label" && f == id })
		if id == "" || len(labels) != 1 {
			t.Errorf("%s: want exactly one <label for=%q>, found %d", name, id, len(labels))
		}
	}
	if p, _ := attr(byName(form, "decoder")[0], "placeholder"); p != "mirror of encoder" {
		t.Errorf("decoder placeholder = %q", p)
	}
	if typ, _ := attr(byName(form, "bottleneck")[0], "type"); typ != "number" {
		t.Errorf("bottleneck type = %q, want number", typ)
	}

	selects := map[string]struct {
		selected string
		choices  []Choice
	}{
		"activation":        {"tanh", v.Activations},
		"output_activation": {"sigmoid", v.OutputActivations},
		"loss":              {"bce", v.Losses},
		"optimizer":         {"sgd", v.Optimizers},
	}
	for name, want := range selects {
		els := byName(form, name)
		if len(els) != 1 || els[0].Data != "select" {
			t.Errorf("want one <select name=%q>, found %d", name, len(els))
			continue
		}
		opts := findAll(els[0], func(n *html.Node) bool { return n.Data == "option" })
		if len(opts) != len(want.choices) {
			t.Errorf("%s: %d options, want %d", name, len(opts), len(want.choices))
			continue
		}
		var selected []string
		for i, o := range opts {
			val, _ := attr(o, "value")
			if val != want.choices[i].Value || text(o) != want.choices[i].Label {
				t.Errorf("%s option %d = %q/%q, want %+v", name, i, val, text(o), want.choices[i])
			}
			if hasAttr(o, "selected") {
				selected = append(selected, val)
			}
		}
		if !reflect.DeepEqual(selected, []string{want.selected}) {
			t.Errorf("%s selected = %v, want [%s]", name, selected, want.selected)
		}
	}

	train := one(t, doc, "train-button")
	if typ, _ := attr(train, "type"); typ != "submit" || text(train) != "Train" {
		t.Errorf("train button: type %q text %q", typ, text(train))
	}
}

func TestHomeDatasetRadios(t *testing.T) {
	doc := render(t, Home(sampleHome()))
	radios := byName(doc, "dataset")
	if len(radios) != 2 {
		t.Fatalf("want 2 dataset radios (the available sets), found %d", len(radios))
	}
	state := map[string][2]bool{} // value → {checked, disabled}
	for _, r := range radios {
		if typ, _ := attr(r, "type"); typ != "radio" {
			t.Errorf("dataset input type %q", typ)
		}
		val, _ := attr(r, "value")
		state[val] = [2]bool{hasAttr(r, "checked"), hasAttr(r, "disabled")}
	}
	want := map[string][2]bool{"mnist": {false, false}, "blobs": {true, false}}
	if !reflect.DeepEqual(state, want) {
		t.Errorf("dataset radios {checked, disabled} = %v, want %v", state, want)
	}
	mnist := text(one(t, doc, "dataset-mnist"))
	for _, s := range []string{"MNIST digits", "784", "28 × 28", "60,000 train", "10,000 test", "0, 1, 2"} {
		if !strings.Contains(mnist, s) {
			t.Errorf("mnist card %q lacks %q", mnist, s)
		}
	}
	// An unavailable set is a folded note with its reason, not a card with "0 train · 0 test".
	faces := text(one(t, doc, "dataset-faces"))
	if !strings.Contains(faces, "not installed") || !strings.Contains(faces, "data files not installed") || strings.Contains(faces, "train") {
		t.Errorf("unavailable dataset note = %q", faces)
	}
	// The chosen set is described under the picker.
	if about := text(one(t, doc, "dataset-about")); !strings.Contains(about, "Gaussian") && !strings.Contains(about, "8 features") {
		t.Errorf("dataset-about = %q", about)
	}
}

func TestHomeDefaultsToFirstAvailableDataset(t *testing.T) {
	v := sampleHome()
	v.Form.Dataset = "faces" // unavailable: cannot stay selected
	doc := render(t, Home(v))
	var checked []string
	for _, r := range byName(doc, "dataset") {
		if hasAttr(r, "checked") {
			val, _ := attr(r, "value")
			checked = append(checked, val)
		}
	}
	if !reflect.DeepEqual(checked, []string{"mnist"}) {
		t.Errorf("checked = %v, want [mnist]", checked)
	}
}

func TestHomeErrorSlots(t *testing.T) {
	doc := render(t, Home(sampleHome()))
	for _, f := range FieldNames {
		slot := one(t, doc, "error-"+f)
		want := ""
		if f == "bottleneck" {
			want = "must be 1 to 7 for this dataset"
		}
		if got := text(slot); got != want {
			t.Errorf("error-%s = %q, want %q", f, got, want)
		}
	}
	// The input with a message is marked invalid and described by its slot.
	in := byName(doc, "bottleneck")[0]
	if v, _ := attr(in, "aria-invalid"); v != "true" {
		t.Errorf("bottleneck aria-invalid = %q", v)
	}
	if d, _ := attr(in, "aria-describedby"); !strings.Contains(d, "error-bottleneck") {
		t.Errorf("bottleneck aria-describedby = %q", d)
	}
	if hasAttr(byName(doc, "epochs")[0], "aria-invalid") {
		t.Error("epochs is marked invalid without a message")
	}
	fe := one(t, doc, "form-error")
	if text(fe) != "Please fix the fields marked below." || hasAttr(fe, "hidden") {
		t.Errorf("form-error = %q hidden=%v", text(fe), hasAttr(fe, "hidden"))
	}
}

func TestHomeWithoutErrorsHidesFormError(t *testing.T) {
	v := sampleHome()
	v.Errors = nil
	doc := render(t, Home(v))
	fe := one(t, doc, "form-error")
	if text(fe) != "" || !hasAttr(fe, "hidden") {
		t.Errorf("form-error without errors: %q hidden=%v", text(fe), hasAttr(fe, "hidden"))
	}
	if got := text(one(t, doc, "error-bottleneck")); got != "" {
		t.Errorf("error-bottleneck = %q", got)
	}
}

func TestHomeLimitsShown(t *testing.T) {
	doc := render(t, Home(sampleHome()))
	if got := text(one(t, doc, "limit-bottleneck")); got != "Allowed: 1 to K−1" {
		t.Errorf("limit-bottleneck = %q", got)
	}
	if got := text(one(t, doc, "limit-epochs")); got != "Allowed: 1 to 50" {
		t.Errorf("limit-epochs = %q", got)
	}
	if got := text(one(t, doc, "limits")); !strings.Contains(got, "at most 4 training at once") {
		t.Errorf("general limits = %q", got)
	}
}

func TestHomeRecentSessions(t *testing.T) {
	doc := render(t, Home(sampleHome()))
	recent := one(t, doc, "recent-sessions")
	links := findAll(recent, func(n *html.Node) bool { return n.Data == "a" })
	if len(links) != 2 {
		t.Fatalf("want 2 links, found %d", len(links))
	}
	if href, _ := attr(links[0], "href"); href != "/sessions/ab12" || !strings.Contains(text(links[0]), "784 → 256") {
		t.Errorf("first link = %q %q", href, text(links[0]))
	}
	if !strings.Contains(text(recent), "0.0123") || !strings.Contains(text(recent), "running") {
		t.Errorf("recent sessions text = %q", text(recent))
	}

	v := sampleHome()
	v.Recent = nil
	empty := one(t, render(t, Home(v)), "recent-sessions")
	if !strings.Contains(text(empty), "No sessions yet") {
		t.Errorf("empty recent sessions = %q", text(empty))
	}
}

func TestHomeBootData(t *testing.T) {
	v := sampleHome()
	doc := render(t, Home(v))
	boot := byID(doc, "home-boot")
	if boot == nil {
		t.Fatal("no #home-boot")
	}
	if typ, _ := attr(boot, "type"); typ != "application/json" {
		t.Errorf("home-boot type = %q", typ)
	}
	var got struct {
		Datasets []DatasetOption `json:"datasets"`
		Limits   []LimitRow      `json:"limits"`
		Fields   []string        `json:"fields"`
		CheckURL string          `json:"check_url"`
	}
	if err := json.Unmarshal([]byte(text(boot)), &got); err != nil {
		t.Fatalf("home-boot is not JSON: %v\n%s", err, text(boot))
	}
	if !reflect.DeepEqual(got.Datasets, v.Datasets) {
		t.Errorf("datasets round trip:\n got %+v\nwant %+v", got.Datasets, v.Datasets)
	}
	if !reflect.DeepEqual(got.Limits, v.Limits) {
		t.Errorf("limits round trip: %+v", got.Limits)
	}
	if !reflect.DeepEqual(got.Fields, FieldNames) || got.CheckURL != "/api/sessions/check" {
		t.Errorf("fields %v check_url %q", got.Fields, got.CheckURL)
	}
	if src := moduleScripts(t, doc); !reflect.DeepEqual(src, []string{web.Asset("/static/js/home.js")}) {
		t.Errorf("module scripts = %v", src)
	}
	for _, id := range []string{"arch", "ratio", "params", "features", "code-size"} {
		one(t, doc, id)
	}
}

func TestHomeBootEscapesScriptEnd(t *testing.T) {
	v := sampleHome()
	v.Datasets[0].Description = "</script><script>alert(1)</script>"
	doc := render(t, Home(v))
	var got struct {
		Datasets []DatasetOption `json:"datasets"`
	}
	if err := json.Unmarshal([]byte(text(byID(doc, "home-boot"))), &got); err != nil {
		t.Fatalf("home-boot broken by a hostile description: %v", err)
	}
	if got.Datasets[0].Description != v.Datasets[0].Description {
		t.Errorf("description = %q", got.Datasets[0].Description)
	}
	moduleScripts(t, doc) // fails on any injected script
}

func TestHomeEmptyViewRenders(t *testing.T) {
	doc := render(t, Home(HomeView{}))
	var got struct {
		Datasets []DatasetOption `json:"datasets"`
		Limits   []LimitRow      `json:"limits"`
	}
	if err := json.Unmarshal([]byte(text(byID(doc, "home-boot"))), &got); err != nil {
		t.Fatal(err)
	}
	if got.Datasets == nil || got.Limits == nil {
		t.Errorf("empty lists must be [] not null: %+v", got)
	}
	for _, f := range FieldNames {
		one(t, doc, "error-"+f)
	}
	if len(byTestID(doc, "limits")) != 0 {
		t.Error("limits note shown with no limits")
	}
}
