package analysis

import (
	"math/rand/v2"
	"slices"
)

// KMeans is a clustering of examples into K groups, each represented by its
// centroid, the mean of its members: every example belongs to the group of
// its nearest centroid. Run on latent codes, it shows whether the
// autoencoder has placed the classes in separate regions without ever
// seeing a label (see Purity).
type KMeans struct {
	k, d       int
	centroids  []float32 // k×d
	iterations int
	converged  bool
	inertia    float64
}

// FitKMeans clusters the n rows of x (n×d, row-major) into k groups and
// writes the group of each row to assign (length n). The centroids start
// with k-means++ (the first is a uniformly random row, each next one a row
// drawn with probability proportional to its squared distance to the
// nearest centroid so far), then Lloyd iterations alternate moving each
// centroid to the mean of its rows and reassigning every row to its nearest
// centroid, until no row changes group or maxIter iterations are done. A
// group left empty restarts at the row farthest from its centroid. The
// result depends only on the inputs and on the state of rng.
//
// It returns an error wrapping ErrInvalidInput unless 1 ≤ k ≤ n,
// maxIter ≥ 1 and every value of x is finite; it panics on shape misuse, if
// d < 1 or if rng is nil.
func FitKMeans(assign []int, x []float32, n, d, k, maxIter int, rng *rand.Rand) (*KMeans, error) {
	if d < 1 {
		panicf("FitKMeans: d = %d; want d ≥ 1", d)
	}
	checkLen("FitKMeans", "x", x, n, d)
	checkLen("FitKMeans", "assign", assign, n, 1)
	if rng == nil {
		panicf("FitKMeans: nil rng")
	}
	if k < 1 || k > n {
		return nil, invalidf("k-means of %d examples into k = %d clusters: want 1 ≤ k ≤ %d", n, k, n)
	}
	if maxIter < 1 {
		return nil, invalidf("k-means: %d iterations; want at least 1", maxIter)
	}
	if err := checkFinite("k-means", x, d); err != nil {
		return nil, err
	}
	km := &KMeans{k: k, d: d, centroids: make([]float32, k*d)}
	norms := make([]float32, n)
	sqNorms(norms, x, n, d)
	best := make([]float32, n) // squared distance of each row to its centroid
	km.seed(x, n, best, rng)

	var a assigner
	for i := range assign {
		assign[i] = -1
	}
	a.assign(km, assign, best, x, norms, n)
	counts := make([]int, k)
	sums := make([]float64, k*d)
	for km.iterations < maxIter && !km.converged {
		km.update(x, assign, best, counts, sums)
		km.iterations++
		km.converged = a.assign(km, assign, best, x, norms, n) == 0
	}
	km.inertia = 0
	for _, v := range best {
		km.inertia += float64(v)
	}
	return km, nil
}

// seed chooses the initial centroids by k-means++, using dist (length n) as
// the squared distance of each row to its nearest centroid so far.
func (km *KMeans) seed(x []float32, n int, dist []float32, rng *rand.Rand) {
	d := km.d
	first := rng.IntN(n)
	copy(km.centroids[:d], x[first*d:(first+1)*d])
	for i := range dist {
		dist[i] = sqDist(x[i*d:(i+1)*d], km.centroids[:d])
	}
	for c := 1; c < km.k; c++ {
		var total float64
		for _, v := range dist {
			total += float64(v)
		}
		pick := rng.IntN(n) // only kept if every row sits on a centroid
		if total > 0 {
			u, acc := rng.Float64()*total, 0.0
			for i, v := range dist {
				if v > 0 {
					pick = i // the last row with a chance, should rounding leave u ≥ acc
				}
				if acc += float64(v); acc > u {
					break
				}
			}
		}
		cent := km.centroids[c*d : (c+1)*d]
		copy(cent, x[pick*d:(pick+1)*d])
		for i := range dist {
			dist[i] = min(dist[i], sqDist(x[i*d:(i+1)*d], cent))
		}
	}
}

// update moves every centroid to the mean of its rows; counts (k) and sums
// (k×d) are scratch. An empty group restarts at the row farthest from its
// centroid (among groups of two or more), which then joins it.
func (km *KMeans) update(x []float32, assign []int, dist []float32, counts []int, sums []float64) {
	d := km.d
	clear(counts)
	clear(sums)
	for i, g := range assign {
		counts[g]++
		s := sums[g*d : (g+1)*d]
		for j, v := range x[i*d : (i+1)*d] {
			s[j] += float64(v)
		}
	}
	for g := range km.k {
		cent := km.centroids[g*d : (g+1)*d]
		if counts[g] == 0 {
			far := -1
			for i, v := range dist {
				if counts[assign[i]] > 1 && (far < 0 || v > dist[far]) {
					far = i
				}
			}
			donor, row := assign[far], x[far*d:(far+1)*d]
			counts[donor]--
			for j, v := range row {
				sums[donor*d+j] -= float64(v)
			}
			if donor < g { // already moved: recompute its mean without the row
				km.mean(donor, counts, sums)
			}
			counts[g]++
			assign[far], dist[far] = g, 0
			copy(cent, row)
			continue
		}
		km.mean(g, counts, sums)
	}
}

// mean sets centroid g to sums[g]/counts[g].
func (km *KMeans) mean(g int, counts []int, sums []float64) {
	d := km.d
	cent := km.centroids[g*d : (g+1)*d]
	for j, s := range sums[g*d : (g+1)*d] {
		cent[j] = float32(s / float64(counts[g]))
	}
}

// sqDist returns the squared Euclidean distance between a and b.
func sqDist(a, b []float32) float32 {
	b = b[:len(a)]
	var s float32
	for j, v := range a {
		e := v - b[j]
		s += e * e
	}
	return s
}

// K returns the number of clusters.
func (km *KMeans) K() int { return km.k }

// Centroids returns a copy of the k×d centroids, row-major.
func (km *KMeans) Centroids() []float32 { return slices.Clone(km.centroids) }

// Iterations returns the number of Lloyd iterations (centroid updates) run.
func (km *KMeans) Iterations() int { return km.iterations }

// Converged reports whether the last iteration left every row in its group,
// rather than FitKMeans stopping at maxIter.
func (km *KMeans) Converged() bool { return km.converged }

// Inertia returns the sum over the training rows of the squared distance to
// their centroid, the quantity k-means decreases at every iteration.
func (km *KMeans) Inertia() float64 { return km.inertia }

// Assign writes to dst (length n) the nearest centroid of each of the n rows
// of x (n×d), the lowest on a tie, e.g. to cluster a test set with the centroids of a training
// set, and returns the sum of the squared distances. It panics on shape
// misuse.
func (km *KMeans) Assign(dst []int, x []float32, n int) float64 {
	checkLen("KMeans.Assign", "x", x, n, km.d)
	checkLen("KMeans.Assign", "dst", dst, n, 1)
	for i := range dst {
		dst[i] = -1
	}
	norms := make([]float32, n)
	sqNorms(norms, x, n, km.d)
	dist := make([]float32, n)
	var a assigner
	a.assign(km, dst, dist, x, norms, n)
	var sum float64
	for _, v := range dist {
		sum += float64(v)
	}
	return sum
}

// assigner holds the scratch space of the assignment step.
type assigner struct {
	dists, cnorms []float32
}

// assign sets group[i] to the centroid nearest to row i of x (n×d, with
// squared norms xnorms) and dist[i] to the squared distance, and returns the
// number of rows that changed group. On a tie a row keeps its group, or
// takes the lowest centroid if its group is negative (none yet).
func (a *assigner) assign(km *KMeans, group []int, dist, x, xnorms []float32, n int) int {
	k, d := km.k, km.d
	rows := min(distBlock, n)
	if len(a.dists) < rows*k {
		a.dists, a.cnorms = make([]float32, rows*k), make([]float32, k)
	}
	sqNorms(a.cnorms, km.centroids, k, d)
	changed := 0
	for r := 0; r < n; r += rows {
		b := min(rows, n-r)
		sqDists(a.dists[:b*k], x[r*d:(r+b)*d], xnorms[r:r+b], b, km.centroids, a.cnorms, k, d)
		for i := 0; i < b; i++ {
			row := a.dists[i*k : (i+1)*k]
			// A row only moves to a strictly nearer centroid, so that
			// coinciding centroids cannot trade rows for ever.
			g := group[r+i]
			if g < 0 {
				g = 0
			}
			for c, v := range row {
				if v < row[g] {
					g = c
				}
			}
			if group[r+i] != g {
				group[r+i] = g
				changed++
			}
			dist[r+i] = row[g]
		}
	}
	return changed
}
