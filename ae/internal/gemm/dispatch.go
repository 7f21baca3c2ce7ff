package gemm

// impls lists the implementations this CPU can run, fastest first. The
// last is always the portable goImpl.
var impls = append(simdImpls(), goImpl)

// active is the implementation Sgemm uses: the fastest one available.
// Tests swap it to exercise the others.
var active = impls[0]
