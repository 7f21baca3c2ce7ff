package datasets

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// IDX is the file format of MNIST and Fashion-MNIST: a 4-byte magic number
// (two zero bytes, an element type, a dimension count), one big-endian
// uint32 per dimension, then the elements, big-endian and row-major.

// IDXType is the element type of an IDX file (the third byte of its magic).
type IDXType byte

// The element types defined by the IDX format.
const (
	IDXUint8   IDXType = 0x08
	IDXInt8    IDXType = 0x09
	IDXInt16   IDXType = 0x0B
	IDXInt32   IDXType = 0x0C
	IDXFloat32 IDXType = 0x0D
	IDXFloat64 IDXType = 0x0E
)

// Limits of ReadIDX.
const (
	// MaxIDXElements is the default cap on the number of elements a header
	// may declare (64 Mi; the MNIST training images have 47 M).
	MaxIDXElements = 1 << 26
	// MaxIDXDims is the largest dimension count accepted.
	MaxIDXDims = 16
)

// Size returns the size of one element in bytes, or 0 for an unknown type.
func (t IDXType) Size() int {
	switch t {
	case IDXUint8, IDXInt8:
		return 1
	case IDXInt16:
		return 2
	case IDXInt32, IDXFloat32:
		return 4
	case IDXFloat64:
		return 8
	}
	return 0
}

// String returns the type's name, e.g. "uint8".
func (t IDXType) String() string {
	switch t {
	case IDXUint8:
		return "uint8"
	case IDXInt8:
		return "int8"
	case IDXInt16:
		return "int16"
	case IDXInt32:
		return "int32"
	case IDXFloat32:
		return "float32"
	case IDXFloat64:
		return "float64"
	}
	return fmt.Sprintf("IDXType(0x%02x)", byte(t))
}

// IDX is a decoded IDX file.
type IDX struct {
	Type IDXType
	Dims []int  // e.g. [60000 28 28]
	Data []byte // the elements as stored: big-endian, row-major, Len()·Type.Size() bytes
}

// Len returns the number of elements, the product of Dims.
func (x *IDX) Len() int {
	n := 1
	for _, d := range x.Dims {
		n *= d
	}
	return n
}

// Float32s converts the elements to float32 (values, not scaled).
func (x *IDX) Float32s() []float32 {
	n := len(x.Data) / max(1, x.Type.Size())
	out := make([]float32, n)
	d := x.Data
	for i := range out {
		switch x.Type {
		case IDXUint8:
			out[i] = float32(d[i])
		case IDXInt8:
			out[i] = float32(int8(d[i]))
		case IDXInt16:
			out[i] = float32(int16(binary.BigEndian.Uint16(d[2*i:])))
		case IDXInt32:
			out[i] = float32(int32(binary.BigEndian.Uint32(d[4*i:])))
		case IDXFloat32:
			out[i] = math.Float32frombits(binary.BigEndian.Uint32(d[4*i:]))
		case IDXFloat64:
			out[i] = float32(math.Float64frombits(binary.BigEndian.Uint64(d[8*i:])))
		}
	}
	return out
}

// WriteIDX writes x in IDX format (uncompressed).
func WriteIDX(w io.Writer, x *IDX) error {
	if x.Type.Size() == 0 {
		return fmt.Errorf("idx: unknown element type %v", x.Type)
	}
	if len(x.Dims) < 1 || len(x.Dims) > MaxIDXDims {
		return fmt.Errorf("idx: %d dimensions", len(x.Dims))
	}
	hdr := make([]byte, 4, 4+4*len(x.Dims))
	hdr[2], hdr[3] = byte(x.Type), byte(len(x.Dims))
	for _, d := range x.Dims {
		if d < 0 || uint64(d) > math.MaxUint32 {
			return fmt.Errorf("idx: dimension %d out of range", d)
		}
		hdr = binary.BigEndian.AppendUint32(hdr, uint32(d))
	}
	if len(x.Data) != x.Len()*x.Type.Size() {
		return fmt.Errorf("idx: %d bytes of data for dimensions %v of %v", len(x.Data), x.Dims, x.Type)
	}
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	_, err := w.Write(x.Data)
	return err
}
