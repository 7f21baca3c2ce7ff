package analysis

import (
	"math"
	"testing"
)

func TestClusterScoresKnown(t *testing.T) {
	classes := []int{0, 0, 0, 1, 1, 1}
	clusters := []int{0, 0, 1, 1, 2, 2}
	// Cluster 0 = {0,0}, cluster 1 = {0,1}, cluster 2 = {1,1}: 5 of 6 in
	// their cluster's majority class.
	if got := Purity(clusters, classes); !near(got, 5.0/6, 1e-12) {
		t.Errorf("purity %g; want 5/6", got)
	}
	// Pairs together in both: 2 of C(6,2) = 15. Σ C(class sizes, 2) = 6,
	// Σ C(cluster sizes, 2) = 3, expected 6·3/15 = 1.2, max (6+3)/2 = 4.5:
	// ARI = (2 − 1.2)/(4.5 − 1.2) = 0.2424… (scikit-learn's example).
	if got := AdjustedRandIndex(classes, clusters); !near(got, 0.8/3.3, 1e-12) {
		t.Errorf("ARI %g; want %g", got, 0.8/3.3)
	}
	// I = (2/3)·ln 2, H = ln 2 and ln 3: NMI = (2/3)ln 2 / ((ln 2 + ln 3)/2).
	want := 2.0 / 3 * math.Ln2 / ((math.Ln2 + math.Log(3)) / 2)
	if got := NMI(classes, clusters); !near(got, want, 1e-12) {
		t.Errorf("NMI %g; want %g", got, want)
	}
	// Both are symmetric.
	if AdjustedRandIndex(clusters, classes) != AdjustedRandIndex(classes, clusters) || !near(NMI(clusters, classes), NMI(classes, clusters), 1e-15) {
		t.Error("ARI or NMI not symmetric")
	}
}

func TestClusterScoresPermutationAndChance(t *testing.T) {
	classes := []int{0, 0, 1, 1, 2, 2, 2}
	renamed := []int{5, 5, 0, 0, 3, 3, 3}
	if p, a, n := Purity(renamed, classes), AdjustedRandIndex(renamed, classes), NMI(renamed, classes); p != 1 || !near(a, 1, 1e-12) || !near(n, 1, 1e-12) {
		t.Errorf("renamed groups: purity %g, ARI %g, NMI %g; want 1", p, a, n)
	}
	// Independent random partitions: ARI ≈ 0, NMI small.
	rng := newRNG(71)
	const n = 20000
	a, b := make([]int, n), make([]int, n)
	for i := range a {
		a[i], b[i] = rng.IntN(5), rng.IntN(5)
	}
	if ari, nmi := AdjustedRandIndex(a, b), NMI(a, b); math.Abs(ari) > 0.005 || nmi > 0.005 {
		t.Errorf("independent partitions: ARI %g, NMI %g; want ≈ 0", ari, nmi)
	}
	// Unlabelled examples are ignored; trivial partitions.
	if got := Purity([]int{0, 1, 1}, []int{0, -1, 1}); got != 1 {
		t.Errorf("purity ignoring unlabelled = %g; want 1", got)
	}
	one := []int{0, 0, 0}
	if AdjustedRandIndex(one, one) != 1 || NMI(one, one) != 1 {
		t.Error("one group each: want ARI = NMI = 1")
	}
	if got := NMI(one, []int{0, 1, 2}); got != 0 {
		t.Errorf("one group against singletons: NMI %g; want 0", got)
	}
	if got := Purity([]int{-1}, []int{0}); !math.IsNaN(got) {
		t.Errorf("nothing to score: purity %g; want NaN", got)
	}
}
