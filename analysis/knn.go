package analysis

import "slices"

// KNN is a k-nearest-neighbours classifier: it predicts for a new example the
// class most common among the K training examples closest to it in Euclidean
// distance. It has no training beyond remembering the examples, so it shows
// how well the raw geometry of a feature space (pixels, PCA scores or latent
// codes) separates the classes. A KNN is safe for concurrent use.
type KNN struct {
	k, n, d, classes int
	x                []float32 // n×d training examples (a copy)
	norms            []float32 // ‖xᵢ‖² of each training example
	labels           []int
}

// NewKNN returns a k-NN classifier of the n training examples x (n×d,
// row-major) with class labels. It copies x and labels. It returns an error
// wrapping ErrInvalidInput unless 1 ≤ k ≤ n, every label is ≥ 0 and every
// value is finite, and panics on shape misuse or if d < 1.
func NewKNN(x []float32, labels []int, n, d, k int) (*KNN, error) {
	if d < 1 {
		panicf("NewKNN: d = %d; want d ≥ 1", d)
	}
	checkLen("NewKNN", "x", x, n, d)
	checkLen("NewKNN", "labels", labels, n, 1)
	if n < 1 {
		return nil, invalidf("k-NN needs at least one labelled training example")
	}
	if k < 1 || k > n {
		return nil, invalidf("k-NN with k = %d neighbours: want 1 ≤ k ≤ %d, the number of training examples", k, n)
	}
	classes, err := numClasses("k-NN", labels)
	if err != nil {
		return nil, err
	}
	if err := checkFinite("k-NN", x, d); err != nil {
		return nil, err
	}
	c := &KNN{k: k, n: n, d: d, classes: classes,
		x: slices.Clone(x), norms: make([]float32, n), labels: slices.Clone(labels)}
	sqNorms(c.norms, c.x, n, d)
	return c, nil
}

// K returns the number of neighbours that vote.
func (c *KNN) K() int { return c.k }

// Predict writes to dst (length n) the predicted class of each of the n rows
// of x (n×d). Each example takes the majority class of its K nearest
// training examples; a tie between classes goes to the class of the nearest
// neighbour among the tied ones, and a tie in distance to the earlier
// training example. Distances are computed distBlock rows at a time as one
// matrix product (see sqDists); Predict allocates that scratch block once.
// It panics on shape misuse.
func (c *KNN) Predict(dst []int, x []float32, n int) {
	checkLen("KNN.Predict", "x", x, n, c.d)
	checkLen("KNN.Predict", "dst", dst, n, 1)
	rows := min(distBlock, n)
	dist := make([]float32, rows*c.n)
	qNorms := make([]float32, rows)
	nbr := make([]int, c.k)
	nbrDist := make([]float32, c.k)
	votes := make([]int, c.classes)
	for r := 0; r < n; r += rows {
		b := min(rows, n-r)
		q := x[r*c.d : (r+b)*c.d]
		sqNorms(qNorms[:b], q, b, c.d)
		sqDists(dist[:b*c.n], q, qNorms[:b], b, c.x, c.norms, c.n, c.d)
		for i := 0; i < b; i++ {
			nearest(nbr, nbrDist, dist[i*c.n:(i+1)*c.n])
			dst[r+i] = c.vote(votes, nbr)
		}
	}
}

// nearest fills idx and dist (length k ≤ len(row)) with the indices and
// distances of the k smallest values of row, in increasing order (equal
// values in index order), by insertion into the sorted list: O(len(row)·k)
// in the worst case but O(len(row)) in practice, as most values are larger
// than the current k-th and rejected at once.
func nearest(idx []int, dist []float32, row []float32) {
	k := len(idx)
	have := 0
	for j, v := range row {
		if have == k && v >= dist[k-1] {
			continue
		}
		p := min(have, k-1) // drop the last entry if the list is full
		for p > 0 && dist[p-1] > v {
			dist[p], idx[p] = dist[p-1], idx[p-1]
			p--
		}
		dist[p], idx[p] = v, j
		have = min(have+1, k)
	}
}

// vote returns the majority class of the training examples nbr, sorted by
// distance, breaking ties in favour of the nearest; votes is scratch space
// of length c.classes.
func (c *KNN) vote(votes, nbr []int) int {
	clear(votes)
	best := 0
	for _, j := range nbr {
		votes[c.labels[j]]++
		best = max(best, votes[c.labels[j]])
	}
	for _, j := range nbr {
		if votes[c.labels[j]] == best {
			return c.labels[j]
		}
	}
	panic("unreachable")
}
