package ae

import (
	"slices"
	"testing"
)

func TestBatcher(t *testing.T) {
	const rows, cols, batch = 10, 2, 4
	x := make([]float32, rows*cols)
	for i := 0; i < rows; i++ {
		x[i*cols], x[i*cols+1] = float32(i), float32(i)+0.5
	}
	epochOrder := func(b *Batcher) []int {
		var order, sizes []int
		start := b.Epoch()
		for b.Epoch() == start {
			batch, n := b.Next()
			if len(batch) != n*cols {
				t.Fatalf("len(batch) = %d for n = %d", len(batch), n)
			}
			sizes = append(sizes, n)
			for i := 0; i < n; i++ {
				r := int(batch[i*cols])
				if batch[i*cols+1] != float32(r)+0.5 {
					t.Fatalf("row %d gathered wrongly: %v", r, batch[i*cols:(i+1)*cols])
				}
				order = append(order, r)
			}
		}
		if !slices.Equal(sizes, []int{4, 4, 2}) {
			t.Errorf("batch sizes %v; want [4 4 2] (last partial batch kept)", sizes)
		}
		return order
	}
	b := NewBatcher(x, rows, cols, batch, 1)
	if b.StepsPerEpoch() != 3 || b.Epoch() != 0 {
		t.Fatalf("StepsPerEpoch, Epoch = %d, %d; want 3, 0", b.StepsPerEpoch(), b.Epoch())
	}
	var orders [][]int
	for e := 0; e < 3; e++ {
		o := epochOrder(b)
		if b.Epoch() != e+1 {
			t.Fatalf("Epoch = %d after epoch %d", b.Epoch(), e)
		}
		if sorted := slices.Sorted(slices.Values(o)); !slices.Equal(sorted, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
			t.Fatalf("epoch %d visited %v; want every row once", e, o)
		}
		orders = append(orders, o)
	}
	if slices.Equal(orders[0], orders[1]) || slices.Equal(orders[1], orders[2]) {
		t.Errorf("epochs not reshuffled: %v", orders)
	}
	if slices.Equal(orders[0], []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Error("first epoch not shuffled")
	}
	if o := epochOrder(NewBatcher(x, rows, cols, batch, 1)); !slices.Equal(o, orders[0]) {
		t.Errorf("same seed gave %v, then %v", orders[0], o)
	}
	if o := epochOrder(NewBatcher(x, rows, cols, batch, 2)); slices.Equal(o, orders[0]) {
		t.Error("different seeds gave the same order")
	}
	// A batch larger than the data set hands out the whole set each time.
	big := NewBatcher(x, rows, cols, 64, 1)
	if _, n := big.Next(); n != rows || big.Epoch() != 1 || big.StepsPerEpoch() != 1 {
		t.Errorf("batch > rows: n = %d, Epoch = %d, StepsPerEpoch = %d", n, big.Epoch(), big.StepsPerEpoch())
	}
	mustPanic(t, "len(x) = 20", func() { NewBatcher(x, 11, cols, batch, 1) })
	mustPanic(t, "batch = 0", func() { NewBatcher(x, rows, cols, 0, 1) })
}
