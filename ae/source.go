package ae

// Source is a read-only matrix of examples, one per row, that a Batcher
// gathers mini-batches from. It lets a data set keep its values in whatever
// form is compact (the datasets package keeps MNIST's grey levels as one
// byte each) and hand them to the engine as float32 one row at a time, so
// only the batch being trained is ever float32.
//
// ReadRow must write row i (0 ≤ i < rows) to dst[:cols] without
// allocating, and must be safe to call from several goroutines at once:
// trainings share their data.
type Source interface {
	// Dims returns the number of rows and the number of values per row.
	Dims() (rows, cols int)
	// ReadRow writes the cols values of row i to dst[:cols].
	ReadRow(dst []float32, i int)
}
