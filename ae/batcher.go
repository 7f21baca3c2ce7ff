package ae

import (
	"math/rand/v2"
	"slices"
)

// batcherStream is the second PCG seed word of a Batcher (see pcgStream).
const batcherStream = 0xbf58476d1ce4e5b9

// Batcher cuts a data set into shuffled mini-batches for an epoch loop:
//
//	b := ae.NewBatcher(x, rows, cols, 64, seed)
//	for b.Epoch() < epochs {
//		batch, n := b.Next()
//		loss := model.TrainStep(batch, nil, n)
//	}
//
// Each epoch visits every row exactly once, in an order reshuffled at the
// start of the epoch from a PCG seeded by seed, so runs are reproducible.
// The last batch of an epoch holds the remaining rows%batch rows if that is
// not zero. Next does not allocate.
//
// The data is a float32 matrix (NewBatcher, NewBatcherRows) or any Source
// (NewSourceBatcher), such as a data set kept as bytes: then each batch is
// converted to float32 as it is gathered, and only the batch is float32.
type Batcher struct {
	x                 []float32 // the data, when it is a float32 matrix
	src               Source    // else where rows come from
	rows, cols, batch int
	order             []int     // a permutation of the rows
	buf               []float32 // the batch handed out by Next
	pos               int       // rows of the current epoch already handed out
	epoch             int       // completed epochs
	rng               *rand.Rand
}

// NewBatcher returns a Batcher over the rows×cols row-major matrix x, which
// it reads but never copies or modifies. It panics on shape misuse
// (len(x) ≠ rows×cols, or rows, cols or batch < 1).
func NewBatcher(x []float32, rows, cols, batch int, seed uint64) *Batcher {
	if rows < 1 || cols < 1 || batch < 1 {
		panicf("NewBatcher: rows = %d, cols = %d, batch = %d; all must be ≥ 1", rows, cols, batch)
	}
	checkLen("NewBatcher", "x", x, rows, cols)
	return newBatcher(x, nil, cols, allRows(rows), batch, seed)
}

// NewBatcherRows is NewBatcher over a subset of the rows of the row-major
// matrix x (cols wide): only the rows listed in rows are visited, each once
// an epoch. It is how a training uses some classes only, without copying
// the data. It panics on shape misuse (an empty list, a row outside x).
func NewBatcherRows(x []float32, cols int, rows []int, batch int, seed uint64) *Batcher {
	if len(rows) < 1 || cols < 1 || batch < 1 || len(x)%cols != 0 {
		panicf("NewBatcherRows: %d rows, cols = %d, batch = %d, len(x) = %d; want rows, cols, batch ≥ 1 and len(x) a multiple of cols", len(rows), cols, batch, len(x))
	}
	checkRows("NewBatcherRows", rows, len(x)/cols)
	return newBatcher(x, nil, cols, slices.Clone(rows), batch, seed)
}

// NewSourceBatcher is NewBatcher over the rows of src, or over those listed
// in rows when rows is not nil (as NewBatcherRows). Next converts the rows
// it gathers with src.ReadRow. It panics on shape misuse (src without rows
// or columns, an empty list, a row outside src, batch < 1).
func NewSourceBatcher(src Source, rows []int, batch int, seed uint64) *Batcher {
	n, cols := src.Dims()
	if n < 1 || cols < 1 || batch < 1 || (rows != nil && len(rows) < 1) {
		panicf("NewSourceBatcher: source %d×%d, %d rows listed, batch = %d; want a non-empty source and list, batch ≥ 1", n, cols, len(rows), batch)
	}
	if rows == nil {
		rows = allRows(n)
	} else {
		checkRows("NewSourceBatcher", rows, n)
		rows = slices.Clone(rows)
	}
	return newBatcher(nil, src, cols, rows, batch, seed)
}

func allRows(n int) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	return order
}

func checkRows(op string, rows []int, n int) {
	for _, r := range rows {
		if r < 0 || r >= n {
			panicf("%s: row %d is outside the data (%d rows)", op, r, n)
		}
	}
}

func newBatcher(x []float32, src Source, cols int, order []int, batch int, seed uint64) *Batcher {
	rows := len(order)
	b := &Batcher{
		x: x, src: src, rows: rows, cols: cols, batch: batch,
		order: order,
		buf:   make([]float32, min(batch, rows)*cols),
		rng:   rand.New(rand.NewPCG(seed, batcherStream)),
	}
	b.shuffle()
	return b
}

// shuffle permutes b.order uniformly (Fisher–Yates).
func (b *Batcher) shuffle() {
	for i := len(b.order) - 1; i > 0; i-- {
		j := b.rng.IntN(i + 1)
		b.order[i], b.order[j] = b.order[j], b.order[i]
	}
}

// Next gathers the next n ≤ batch rows into a buffer owned by the Batcher and
// returns it (n×cols); the buffer is overwritten by the following call.
// After the last batch of an epoch, the next call reshuffles and starts the
// following epoch.
func (b *Batcher) Next() (batch []float32, n int) {
	if b.pos == b.rows {
		b.pos = 0
		b.shuffle()
	}
	n = min(b.batch, b.rows-b.pos)
	c := b.cols
	if b.src != nil {
		for i, r := range b.order[b.pos : b.pos+n] {
			b.src.ReadRow(b.buf[i*c:(i+1)*c], r)
		}
	} else {
		for i, r := range b.order[b.pos : b.pos+n] {
			copy(b.buf[i*c:(i+1)*c], b.x[r*c:(r+1)*c])
		}
	}
	b.pos += n
	if b.pos == b.rows {
		b.epoch++
	}
	return b.buf[:n*c], n
}

// Epoch returns the number of completed epochs: it becomes e+1 when Next
// hands out the last batch of epoch e.
func (b *Batcher) Epoch() int { return b.epoch }

// StepsPerEpoch returns the number of batches in an epoch, ⌈rows/batch⌉.
func (b *Batcher) StepsPerEpoch() int { return (b.rows + b.batch - 1) / b.batch }

// Skip moves the Batcher on by steps calls of Next without gathering any
// rows: the epochs it crosses are shuffled as Next would shuffle them, so
// that a Batcher made with the same arguments and skipped by the steps a
// training had taken hands out the batches that training would have had
// next. It is how a training resumed from a checkpoint keeps its data
// order; it costs one shuffle per epoch crossed. It panics if steps < 0.
func (b *Batcher) Skip(steps int) {
	if steps < 0 {
		panicf("Skip: steps = %d; want ≥ 0", steps)
	}
	for ; steps > 0; steps-- {
		if b.pos == b.rows {
			b.pos = 0
			b.shuffle()
		}
		b.pos += min(b.batch, b.rows-b.pos)
		if b.pos == b.rows {
			b.epoch++
		}
	}
}
