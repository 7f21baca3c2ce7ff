package datasets

import (
	"math"
	"math/rand/v2"
	"strconv"
)

// Clustered sets: the label is the cluster an example was drawn from, so a
// latent scatter shows whether the autoencoder keeps the clusters apart.

const (
	blobCount = 10
	blobDim   = 10
	blobBox   = 10.0 // centres are uniform in [−blobBox, blobBox] per coordinate
	blobStd   = 1.0
)

var blobsSpec = &toySpec{
	name:  "blobs",
	title: "Gaussian blobs (10-D)",
	description: "Ten round clouds of points (Gaussian blobs) in 10 dimensions; the colour is the blob. " +
		"Can an autoencoder keep them apart in 2-D? Scaled to [0,1] with the proportions kept.",
	features:   blobDim,
	classNames: numberedNames("blob", blobCount),
	scale:      isotropic,
	sampler: func(rng *rand.Rand) func(x []float32) int {
		centres := make([]float64, blobCount*blobDim)
		for i := range centres {
			centres[i] = blobBox * (2*rng.Float64() - 1)
		}
		return func(x []float32) int {
			c := rng.IntN(blobCount)
			for j := range x {
				x[j] = float32(centres[c*blobDim+j] + blobStd*rng.NormFloat64())
			}
			return c
		}
	},
}

// sphereRadii are the radii of the concentric spheres, inner to outer.
var sphereRadii = []float64{1, 2, 3}

const sphereNoise = 0.05

var spheresSpec = sphereSpec("spheres", 3)
var spheres10Spec = sphereSpec("spheres_10d", 10)

// sphereSpec makes a set of points on concentric spheres in dim dimensions,
// each example on a sphere chosen uniformly at random.
func sphereSpec(name string, dim int) *toySpec {
	d := strconv.Itoa(dim)
	return &toySpec{
		name:  name,
		title: "Concentric spheres (" + d + "-D)",
		description: "Points on three nested spheres of radius 1, 2 and 3 around the same centre in " + d +
			" dimensions; the colour is the sphere. No straight cut separates them. " +
			"Scaled to [0,1] with the proportions kept.",
		features:   dim,
		classNames: []string{"inner sphere", "middle sphere", "outer sphere"},
		scale:      isotropic,
		sampler: func(rng *rand.Rand) func(x []float32) int {
			dir := make([]float64, dim)
			return func(x []float32) int {
				c := rng.IntN(len(sphereRadii))
				norm := 0.0
				for norm < 1e-9 { // a uniform direction: a normalised Gaussian vector
					norm = 0
					for j := range dir {
						dir[j] = rng.NormFloat64()
						norm += dir[j] * dir[j]
					}
				}
				scale := sphereRadii[c] / math.Sqrt(norm)
				for j := range x {
					x[j] = float32(dir[j]*scale + sphereNoise*rng.NormFloat64())
				}
				return c
			}
		},
	}
}

// numberedNames returns "prefix 1" … "prefix n".
func numberedNames(prefix string, n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = prefix + " " + strconv.Itoa(i+1)
	}
	return names
}
