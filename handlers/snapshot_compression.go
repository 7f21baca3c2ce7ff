package handlers

import (
	"log/slog"
	"net/http"

	"github.com/aelab/aelab/analysis"
	"github.com/aelab/aelab/internal/lab"
)

// handleCompression measures the latent examples' codes as float32 and
// quantised to ?bits= bits per value (default 8, 1 to 16), with latent
// example ?example= (default 0) as pictures (lab.Runner.Compression).
func handleCompression(log *slog.Logger, mr *modelRunner) http.Handler {
	return mr.serve(log, func(r *http.Request, md lab.Model) (any, error) {
		q := r.URL.Query()
		bits, err := queryInt(q, "bits", 8, 1, analysis.MaxQuantBits)
		if err != nil {
			return nil, err
		}
		ex, err := queryInt(q, "example", 0, 0, 1<<30)
		if err != nil {
			return nil, err
		}
		return mr.Compression(md, bits, ex)
	})
}
