package session

import "github.com/aelab/aelab/datasets"

// LatentExamples returns how many test examples the latent scatter of a
// session on ds shows: always the first ones of the test split, so test
// index i is point i of every latent message.
func LatentExamples(ds *datasets.Dataset) int { return min(latentExamples, ds.Test.N) }

// ReconExamples returns the test indices of the first n examples picked the
// way the reconstructions message picks its fixed examples (one of each class
// in turn). The list is prefix-stable: its first ten are the examples of
// every reconstructions message, whatever n is.
func ReconExamples(ds *datasets.Dataset, n int) []int {
	return pickPerClass(ds.Test.Labels, len(ds.ClassNames), n)
}
