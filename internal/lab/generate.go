package lab

import (
	"fmt"

	"github.com/aelab/aelab/session"
)

// Generated is the answer of generate: the decoded prior samples.
type Generated struct {
	Step int    `json:"step"` // training steps of the weights used
	Seed uint64 `json:"seed"` // the seed the codes were drawn with
	Images
}

// Generate decodes n codes drawn from a variational autoencoder's prior
// N(0, I): new examples the model makes up. A nil seed is the session's.
// The same seed draws the same codes, so a grid refreshed while training
// shows the same codes decoded by better and better weights.
func Generate(md Model, n int, seed *uint64) (Generated, error) {
	if !md.S.Config().IsVAE() {
		return Generated{}, &session.Error{Code: session.EConflict, Field: "kind",
			Message: fmt.Sprintf(`session %s is a plain autoencoder, which has no prior to draw codes from: train one with "kind": "vae" to generate new examples`, md.S.ID())}
	}
	s := md.S.Config().Seed
	if seed != nil {
		s = *seed
	}
	out := make([]float32, n*md.Snap.InputDim())
	md.Snap.Generate(out, n, s)
	return Generated{Step: md.Snap.Steps(), Seed: s, Images: imagesOf(md.DS, out, n)}, nil
}
