package ae

// Bytes is a row-major matrix of bytes standing for the float32 values
// v/Div, Cols values a row: how a data set of 256 levels (the grey levels
// of MNIST, 0–255 with Div 255 for [0,1]) is kept in a quarter of the
// memory of float32. As a Source it gives a Batcher its rows converted to
// float32, with vector instructions where the CPU has them; the result is
// float32(v)/Div bit for bit, as the Go loop below defines it.
type Bytes struct {
	Data []uint8
	Cols int
	Div  float32
}

// Dims returns the number of rows, len(Data)/Cols, and Cols.
func (b Bytes) Dims() (rows, cols int) { return len(b.Data) / b.Cols, b.Cols }

// ReadRow writes row i as float32 to dst[:Cols]. It does not allocate; it
// panics if i is out of range or dst is too short.
func (b Bytes) ReadRow(dst []float32, i int) {
	bytesToFloat(dst[:b.Cols], b.Data[i*b.Cols:(i+1)*b.Cols], b.Div)
}

// Rows writes rows [from, from+n) as float32 to dst[:n·Cols] and returns
// that slice. It does not allocate; it panics if the rows are out of range
// or dst is too short.
func (b Bytes) Rows(dst []float32, from, n int) []float32 {
	dst = dst[:n*b.Cols]
	bytesToFloat(dst, b.Data[from*b.Cols:(from+n)*b.Cols], b.Div)
	return dst
}

// bytesToFloat sets dstᵢ = float32(srcᵢ)/div (len(dst) = len(src)).
func bytesToFloat(dst []float32, src []uint8, div float32) {
	dst = dst[:len(src)]
	for i := bytesVec(dst, src, div); i < len(src); i++ {
		dst[i] = float32(src[i]) / div
	}
}
