package session

import (
	"sync"

	"github.com/aelab/aelab/ae"
	"github.com/aelab/aelab/datasets"
)

// Datasets are shared by every training on them, and MNIST-like sets keep
// their pixels as bytes (see datasets.Split): a training never holds a
// float32 copy of its data, only of the batch or chunk it is computing.

// source returns the examples of s as the engine reads them: a split kept
// as bytes through ae.Bytes, whose vector kernel converts a batch about as
// fast as copying float32 would; any other split as it is.
func source(s datasets.Split) ae.Source {
	if b, div, ok := s.Bytes(); ok {
		return ae.Bytes{Data: b, Cols: s.Features(), Div: div}
	}
	return s
}

// chunkRows is how many examples an evaluation converts at a time, into a
// buffer shared between trainings (chunkBufs).
const chunkRows = 256

// chunkBufs holds conversion buffers between evaluations: one is in use
// per evaluation running, which is at most one per CPU turn.
var chunkBufs sync.Pool // *[]float32

// eachChunk calls f for examples [0, n) of s in consecutive chunks of at
// most chunkRows, with x holding the c examples from r on as float32. x is
// the split's own memory, or a shared buffer valid only during f: f must
// neither modify nor keep it.
func eachChunk(s datasets.Split, n int, f func(x []float32, r, c int)) {
	b, div, isBytes := s.Bytes()
	if !isBytes {
		for r := 0; r < n; r += chunkRows {
			c := min(chunkRows, n-r)
			f(s.Rows(nil, r, c), r, c)
		}
		return
	}
	k := s.Features()
	bp, _ := chunkBufs.Get().(*[]float32)
	if bp == nil || len(*bp) < chunkRows*k {
		bp = new(make([]float32, chunkRows*k))
	}
	defer chunkBufs.Put(bp)
	src := ae.Bytes{Data: b, Cols: k, Div: div}
	for r := 0; r < n; r += chunkRows {
		c := min(chunkRows, n-r)
		f(src.Rows(*bp, r, c), r, c)
	}
}

// evalParts is the model's test loss (ae.Model.EvalParts) on the first n
// examples of s, computed chunk by chunk.
func evalParts(m *ae.Model, s datasets.Split, n int) ae.LossParts {
	var sum partsSum
	eachChunk(s, n, func(x []float32, _, c int) { sum.add(m.EvalParts(x, nil, c), c) })
	return sum.mean(n)
}

// partsSum adds up the loss parts of chunks, each a mean over its c
// examples (or over their values, which is the same weight c for every
// chunk of equally wide examples).
type partsSum struct{ rec, kl float64 }

func (s *partsSum) add(p ae.LossParts, c int) {
	s.rec += p.Reconstruction * float64(c)
	s.kl += p.KL * float64(c)
}

// mean returns the parts of all n examples added.
func (s *partsSum) mean(n int) ae.LossParts {
	return ae.LossParts{Reconstruction: s.rec / float64(n), KL: s.kl / float64(n)}
}

// encodeRows writes the codes of the first n examples of s to dst (n×M).
func encodeRows(m *ae.Model, dst []float32, s datasets.Split, n int) {
	lat := m.LatentDim()
	eachChunk(s, n, func(x []float32, r, c int) { m.Encode(dst[r*lat:(r+c)*lat], x, c) })
}
