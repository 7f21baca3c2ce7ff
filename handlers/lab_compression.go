package handlers

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/aelab/aelab/session"
	"github.com/aelab/aelab/web/templates"
)

// The compression lab: a sweep of MNIST autoencoders that differ only in the
// width M of their (linear) code, started as a comparison (so /compare/{id}
// shows it too). The page (lab-compression.js) asks each one
// GET /api/sessions/{id}/compression: bits per example as 8-bit pixels,
// float32 code and 8-bit code, and the reconstruction quality of both codes.
func init() {
	registerLab(labPage{
		Slug:    "compression",
		Title:   "Compression",
		Summary: "Count the bits: 784 pixels of 8 bits against a code of M numbers, as float32 or squeezed to 8 bits.",
		Intro: []string{
			"An MNIST digit is K = 784 pixels of 8 bits each: 6,272 bits. The encoder turns it into a code of M numbers; stored as float32 (32 bits each) that is M × 32 bits, and rounded to 8 bits each only M × 8. Only the code has to be stored or sent: the decoder, shared by every image, draws the digit back.",
			"Fewer bits cost quality. The lab trains one autoencoder per code width M and measures how close the decoded digits are to the originals, as the mean squared error and as PSNR in decibels (higher is better), with float32 codes and with 8-bit codes.",
		},
		Options: []templates.LabOption{
			{Name: "widths", Label: "Code widths M to compare", Value: "4, 8, 16, 32, 64",
				Help: "2 to 6 widths, each from 1 to 256"},
			{Name: "train_size", Label: "Training examples", Value: "10000", InputMode: "numeric",
				Help: "per network, 5 epochs; fewer train faster"},
		},
		Sweep: compressionSweep,
	})
}

// compressionSweep reads the lab's options: the configuration every width
// shares and the widths.
func compressionSweep(form url.Values) (session.Config, []int, error) {
	n, err := labInt(form, "train_size", 10000, 200, 60000, "use between 200 and 60000 training examples")
	if err != nil {
		return session.Config{}, nil, err
	}
	raw := strings.TrimSpace(form.Get("widths"))
	if raw == "" {
		raw = "4, 8, 16, 32, 64"
	}
	widths, ok := parseWidths(raw)
	bad := &session.Error{Code: session.EInvalid, Field: "widths",
		Message: fmt.Sprintf("write 2 to 6 different widths from 1 to 256, separated by commas, like 4, 8, 16, 32, 64 (got %q)", raw)}
	if !ok || len(widths) < 2 || len(widths) > 6 {
		return session.Config{}, nil, bad
	}
	seen := map[int]bool{}
	for _, w := range widths {
		if w < 1 || w > 256 || seen[w] {
			return session.Config{}, nil, bad
		}
		seen[w] = true
	}
	base := session.Config{Dataset: "mnist", Encoder: []int{256}, Activation: "relu", BottleneckActivation: "linear",
		OutputActivation: "sigmoid", Loss: "mse", TrainSize: n, TestSize: 1000, Epochs: 5, BatchSize: 64, Seed: 5}
	return base, widths, nil
}
