//go:build !amd64 || purego

package ae

// detectSIMD reports that this build has no vector kernels.
func detectSIMD() simdLevel { return simdNone }

// The vector kernels' entry points (see the _amd64.go files) process
// nothing here: the Go loops do all the work.

func adamVec(w, g, m, v []float32, c *adamCoef) int                     { return 0 }
func sgdVec(w, g []float32, c *sgdCoef) int                             { return 0 }
func momentumVec(w, g, v []float32, c *sgdCoef) int                     { return 0 }
func nesterovVec(w, g, v []float32, c *sgdCoef) int                     { return 0 }
func sigmoidVec(z, a, b []float32) int                                  { return 0 }
func reluVec(z, a, b []float32) int                                     { return 0 }
func reluBackVec(d, z []float32) int                                    { return 0 }
func addVec(dst, x []float32) int                                       { return 0 }
func mseSigmoidGradVec(dz, p, y []float32, scale float32, s *sum16) int { return 0 }
func mseSumVec(p, y []float32, s *sum16) int                            { return 0 }
func bceVec(dz, z, p, y []float32, scale float32, s *sum16) int         { return 0 }
func bytesVec(dst []float32, src []uint8, div float32) int              { return 0 }
