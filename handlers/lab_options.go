package handlers

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web/templates"
)

// Helpers shared by the anomaly, feature-extraction and pretraining labs.

// labInt reads the whole number of a lab option, def if left blank, and
// refuses it with msg unless lo ≤ value ≤ hi.
func labInt(form url.Values, name string, def, lo, hi int, msg string) (int, error) {
	v := strings.TrimSpace(form.Get(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.ReplaceAll(v, ",", ""))
	if err != nil || n < lo || n > hi {
		return 0, &session.Error{Code: session.EInvalid, Field: name, Message: msg}
	}
	return n, nil
}

// labDataset reads the dataset option: one of names (the first if left
// blank) that is available on this server.
func labDataset(m *session.Manager, form url.Values, names ...string) (string, error) {
	name := strings.TrimSpace(form.Get("dataset"))
	if name == "" {
		name = names[0]
	}
	known := false
	for _, n := range names {
		known = known || n == name
	}
	if !known {
		return "", &session.Error{Code: session.EInvalid, Field: "dataset", Message: "choose one of the datasets in the list"}
	}
	info, err := m.Datasets().Info(name)
	if err != nil {
		return "", &session.Error{Code: session.EInvalid, Field: "dataset", Message: "choose one of the datasets in the list"}
	}
	if !info.Available {
		return "", &session.Error{Code: session.EInvalid, Field: "dataset", Message: info.Title + " is not available on this server: " + info.Reason}
	}
	return name, nil
}

// imageDatasetChoices are MNIST and Fashion-MNIST (the lab's script marks
// Fashion-MNIST unavailable when it is not installed).
var imageDatasetChoices = []templates.Choice{
	{Value: "mnist", Label: "MNIST handwritten digits"},
	{Value: "fashion_mnist", Label: "Fashion-MNIST clothes (if installed)"},
}
