package handlers

import (
	"net/url"
	"strings"
	"testing"
)

// A lab's form with a field given twice is refused with 400 naming it, on
// the lab page, and starts nothing: the first value was taken and the other
// dropped unseen (dataset=mnist&dataset=swiss_roll trained on MNIST).
func TestLabStartRefusesAFieldGivenTwice(t *testing.T) {
	ts := newTestServer(t)
	before := len(ts.m.List())
	for _, tc := range []struct {
		slug string
		form url.Values
	}{
		{"anomaly", url.Values{"dataset": {"mnist", "swiss_roll"}}},
		{"compression", url.Values{"widths": {"2,4", "8,16"}}},
		{"denoising", url.Values{"level": {"0.3", "0.5"}}},
	} {
		res, b := ts.do(t, "POST", "/labs/"+tc.slug+"/start", tc.form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		if res.StatusCode != 400 || !strings.Contains(string(b), "is given 2 times: give it once") {
			t.Errorf("%s %v: %d, want 400 saying the field is given twice\n%.300s", tc.slug, tc.form, res.StatusCode, b)
		}
	}
	if n := len(ts.m.List()); n != before {
		t.Fatalf("refused forms started %d sessions", n-before)
	}
}
