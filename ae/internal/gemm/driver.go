package gemm

import "runtime"

// params holds one Sgemm call's operands.
type params struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	lda, ldb, ldc  int
}

// impl is one implementation of the blocked algorithm: a register tile
// size, blocking sizes, packing routines and a micro-kernel.
type impl struct {
	name string
	// mr×nr is the largest register tile; B panels are padded with zero
	// columns to a multiple of vw (the kernel's vector width).
	mr, nr, vw int
	// kc bounds the k-block (see kBlocks). l2 bounds, in floats, one
	// k-block of the shared packed operand, so that it stays in L2.
	kc, l2 int

	// packA writes op(A)[i0:i0+mr, p0:p0+kc] to dst as kc rows of mr.
	packA func(dst, a []float32, lda int, trans bool, i0, mr, p0, kc int)
	// packB writes op(B)[p0:p0+kc, j0:j0+nr] to dst as kc rows of w ≥ nr
	// floats, the last w-nr of them zero.
	packB func(dst, b []float32, ldb int, trans bool, p0, kc, j0, nr, w int)
	// tile computes C[0:mr, 0:nr] (row stride ldc) from packed panels:
	// C = alpha·A·B + beta·C if accum, else C = alpha·A·B.
	tile func(mr, nr, kc int, a, b, c []float32, ldc int, alpha, beta float32, accum bool)
}

// kBlocks splits k into nb nearly equal blocks of at most kcMax: the first
// extra blocks have size+1 elements, the others size. It depends on k
// alone, never on how the work is divided among goroutines, which is what
// makes results independent of the worker count.
func kBlocks(k, kcMax int) (nb, size, extra int) {
	nb = (k + kcMax - 1) / kcMax
	return nb, k / nb, k % nb
}

// padded returns the width of a packed B panel holding nr columns.
func (im *impl) padded(nr int) int { return (nr + im.vw - 1) / im.vw * im.vw }

// rowPanels returns how many row panels rows are cut into: as few as
// the kernel's mr allows.
func (im *impl) rowPanels(rows int) int { return (rows + im.mr - 1) / im.mr }

// rowPanel returns the first row and the height of row panel i of np
// panels over rows. Heights differ by at most one (64 rows make panels of
// 13,13,13,13,12 rather than 14,14,14,14,8): a kernel with few rows is
// bound by FMA latency rather than throughput, so a thin last panel would
// be slow. Panel boundaries do not change results.
func rowPanel(rows, np, i int) (start, mr int) {
	base, extra := rows/np, rows%np
	return i*base + min(i, extra), base + b2i(i < extra)
}

// run computes p. The smaller of op(A) and op(B) is packed whole, once,
// and shared; the other is cut into panels (chunks) of nr columns or mr
// rows, each packed and multiplied by whoever claims it: the calling
// goroutine and, when it pays, up to workers-1 pool goroutines. Very
// large shared operands are cut into super-blocks of rows (or columns)
// processed one after another, so that a k-block of the shared operand
// stays in the L2 cache.
func (im *impl) run(p *params, workers int) {
	_, kc, extra := kBlocks(p.k, im.kc)
	if extra > 0 {
		kc++
	}
	if p.m <= p.n {
		rb := max(im.mr, im.l2/kc/im.mr*im.mr)
		for i0 := 0; i0 < p.m; i0 += rb {
			im.phase(p, workers, true, i0, min(i0+rb, p.m), 0, p.n)
		}
		return
	}
	cb := max(im.nr, im.l2/kc/im.nr*im.nr)
	for j0 := 0; j0 < p.n; j0 += cb {
		im.phase(p, workers, false, 0, p.m, j0, min(j0+cb, p.n))
	}
}

// job is one super-block C[i0:i1, j0:j1]: the packed shared operand and
// what is needed to compute any of its chunks.
type job struct {
	im             *impl
	p              params
	shareA         bool
	i0, i1, j0, j1 int
	shared         []float32 // all k-blocks of the packed shared operand
	width          int       // padded width of the shared B (shareA false)
	task           Task      // not nil: a Parallel job, whose chunks are task.Run
}

// phase packs the shared operand of C[i0:i1, j0:j1] and computes the
// block's chunks.
func (im *impl) phase(p *params, workers int, shareA bool, i0, i1, j0, j1 int) {
	s := getScratch()
	defer putScratch(s)
	nkb, kcBase, extra := kBlocks(p.k, im.kc)
	jb := job{im: im, p: *p, shareA: shareA, i0: i0, i1: i1, j0: j0, j1: j1}
	var chunks int
	if shareA {
		rows := i1 - i0
		np := im.rowPanels(rows)
		s.shared = grow(s.shared, rows*p.k)
		for kb, p0 := 0, 0; kb < nkb; kb++ {
			kc := kcBase + b2i(kb < extra)
			for i := 0; i < np; i++ {
				ir, mr := rowPanel(rows, np, i)
				off := p0*rows + ir*kc
				im.packA(s.shared[off:off+mr*kc], p.a, p.lda, p.transA, i0+ir, mr, p0, kc)
			}
			p0 += kc
		}
		chunks = (j1 - j0 + im.nr - 1) / im.nr
	} else {
		cols := j1 - j0
		last := cols - (cols-1)/im.nr*im.nr
		jb.width = cols - last + im.padded(last)
		s.shared = grow(s.shared, jb.width*p.k)
		for kb, p0 := 0, 0; kb < nkb; kb++ {
			kc := kcBase + b2i(kb < extra)
			for jr := 0; jr < cols; jr += im.nr {
				nr := min(im.nr, cols-jr)
				w := im.padded(nr)
				off := p0*jb.width + jr*kc
				im.packB(s.shared[off:off+w*kc], p.b, p.ldb, p.transB, p0, kc, j0+jr, nr, w)
			}
			p0 += kc
		}
		chunks = im.rowPanels(i1 - i0)
	}
	jb.shared = s.shared
	// More goroutines than Ps would only take turns on the same CPUs.
	helpers := min(workers-1, runtime.GOMAXPROCS(0)-1, chunks-1, (i1-i0)*(j1-j0)*p.k/minHelperWork)
	if helpers <= 0 {
		for c := 0; c < chunks; c++ {
			jb.chunk(c, s)
		}
		return
	}
	runShared(&jb, chunks, helpers, s)
}

// chunk computes chunk c of the job, packing its panel of the
// non-shared operand into s.priv.
func (jb *job) chunk(c int, s *scratch) {
	if jb.task != nil {
		jb.task.Run(c)
		return
	}
	im, p := jb.im, &jb.p
	nkb, kcBase, extra := kBlocks(p.k, im.kc)
	s.priv = grow(s.priv, (kcBase+1)*max(im.mr, im.nr))
	for kb, p0 := 0, 0; kb < nkb; kb++ {
		kc := kcBase + b2i(kb < extra)
		beta, accum := p.beta, p.beta != 0
		if kb > 0 {
			beta, accum = 1, true // later k-blocks add to the partial C
		}
		if jb.shareA {
			// Chunk c is the column panel at jr; the shared A has rows
			// i0..i1, its k-block at p0·rows.
			jr := jb.j0 + c*im.nr
			nr := min(im.nr, jb.j1-jr)
			w := im.padded(nr)
			bp := s.priv[:kc*w]
			im.packB(bp, p.b, p.ldb, p.transB, p0, kc, jr, nr, w)
			rows := jb.i1 - jb.i0
			np := im.rowPanels(rows)
			for i := 0; i < np; i++ {
				ir, mr := rowPanel(rows, np, i)
				off := p0*rows + ir*kc
				co := (jb.i0+ir)*p.ldc + jr
				im.tile(mr, nr, kc, jb.shared[off:off+mr*kc], bp, p.c[co:co+(mr-1)*p.ldc+nr], p.ldc, p.alpha, beta, accum)
			}
		} else {
			// Chunk c is the row panel at ir; the shared B has columns
			// j0..j1, its k-block at p0·width.
			rows := jb.i1 - jb.i0
			ir, mr := rowPanel(rows, im.rowPanels(rows), c)
			ir += jb.i0
			ap := s.priv[:kc*mr]
			im.packA(ap, p.a, p.lda, p.transA, ir, mr, p0, kc)
			cols := jb.j1 - jb.j0
			for jr := 0; jr < cols; jr += im.nr {
				nr := min(im.nr, cols-jr)
				w := im.padded(nr)
				off := p0*jb.width + jr*kc
				co := ir*p.ldc + jb.j0 + jr
				im.tile(mr, nr, kc, ap, jb.shared[off:off+w*kc], p.c[co:co+(mr-1)*p.ldc+nr], p.ldc, p.alpha, beta, accum)
			}
		}
		p0 += kc
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
