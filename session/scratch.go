package session

// maxIdleScratch bounds the gradients and batch buffers that trainings
// waiting for a CPU turn have given back (ae.ScratchPool): a training
// computes only while it holds a turn, so between turns it keeps its
// weights and optimizer state and parks the rest, and trainings of one
// shape share a block or two between them instead of holding one each
// (about 2.8 MB for AE-S: thirty trainings on two cores hold two or three
// instead of thirty). The manager bounds the pool's idle blocks lower
// still, to one largest block per CPU slot (sharedMemory), and counts them
// in the memory it reserves; a training whose block is larger than
// maxIdleScratch keeps its own, counted as its own. A block nobody took
// for ae.ScratchStale is let go.
const maxIdleScratch = 64 << 20

// release ends a CPU turn of the training: the model parks its scratch
// buffers, then the slot goes back to the pool.
func (t *trainer) release() {
	t.model.Park()
	t.cpu.release(false)
}
