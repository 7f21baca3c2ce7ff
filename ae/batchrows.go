package ae

// Rows returns the indices of the rows in the batch the last call to Next
// handed out, in the same order: with NewBatcher they index x, with
// NewBatcherRows they are entries of the rows list. A classifier uses them
// to fetch the labels that go with the batch. The slice belongs to the
// Batcher and is valid until the next call to Next; it is nil before the
// first call. Rows does not allocate.
func (b *Batcher) Rows() []int {
	if b.pos == 0 {
		return nil
	}
	start := (b.pos - 1) / b.batch * b.batch // every batch but an epoch's last is full
	return b.order[start:b.pos]
}
