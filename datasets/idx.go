package datasets

// The reading half of the IDX format (see idxformat.go): a defensive
// parser that checks every header field before it allocates.

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// ReadIDXFile reads an IDX file, gzip-compressed or not (see ReadIDX).
func ReadIDXFile(path string, maxElements int) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	x, err := ReadIDX(f, maxElements)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return x, nil
}

// ReadIDX parses one IDX file from r. Gzip-compressed input is recognised by
// its magic bytes and decompressed. Headers declaring more than maxElements
// elements (≤ 0 means MaxIDXElements), an unknown type or a bad dimension
// count are refused before anything is allocated; so are headers declaring
// more data than r holds, when r's size is known (an *os.File, or a reader
// with a Len method such as *bytes.Reader). Truncated data and trailing bytes
// are errors. Format errors wrap ErrInvalid. ReadIDX never panics on bad
// input, and allocates at most about twice the bytes actually present.
func ReadIDX(r io.Reader, maxElements int) (*IDX, error) {
	h, err := readIDXHeader(r, maxElements)
	if err != nil {
		return nil, err
	}
	need := h.elems * h.typ.Size()
	data, err := readPayload(h.body, need)
	if err != nil {
		return nil, err
	}
	if h.size < 0 { // unknown size: insist on the end of input
		var one [1]byte
		if n, err := io.ReadFull(h.body, one[:]); n > 0 {
			return nil, idxError(fmt.Sprintf("trailing bytes after the %d bytes of data", need))
		} else if !errors.Is(err, io.EOF) {
			return nil, idxReadError("trailer", err)
		}
	}
	return &IDX{Type: h.typ, Dims: h.dims, Data: data}, nil
}

// idxHeader is a parsed IDX header and the reader positioned at the data.
type idxHeader struct {
	typ   IDXType
	dims  []int
	elems int
	body  io.Reader
	size  int64 // bytes left in body (exactly the data), or −1 when unknown
}

// readIDXHeader reads and checks the magic number and dimensions, and, when
// the input size is known, that exactly the declared data follows.
func readIDXHeader(r io.Reader, maxElements int) (*idxHeader, error) {
	if maxElements <= 0 {
		maxElements = MaxIDXElements
	}
	size := remainingSize(r)
	var magic [4]byte
	n, err := io.ReadFull(r, magic[:])
	if n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(io.MultiReader(bytes.NewReader(magic[:n]), r))
		if err != nil {
			return nil, idxReadError("gzip header", err)
		}
		if _, err := io.ReadFull(zr, magic[:]); err != nil {
			return nil, idxReadError("header", err)
		}
		r, size = zr, -1
	} else if err != nil {
		if n == 0 && errors.Is(err, io.EOF) {
			return nil, idxError("empty file")
		}
		return nil, idxReadError("header", err)
	} else if size >= 0 {
		size -= 4
	}
	if magic[0] != 0 || magic[1] != 0 {
		return nil, idxError(fmt.Sprintf("bad magic number % x (not an IDX file)", magic))
	}
	t := IDXType(magic[2])
	if t.Size() == 0 {
		return nil, idxError(fmt.Sprintf("unknown element type 0x%02x", magic[2]))
	}
	nd := int(magic[3])
	if nd < 1 || nd > MaxIDXDims {
		return nil, idxError(fmt.Sprintf("%d dimensions (want 1 to %d)", nd, MaxIDXDims))
	}
	if size >= 0 && size < int64(4*nd) {
		return nil, idxError("truncated header")
	}
	var raw [4 * MaxIDXDims]byte
	if _, err := io.ReadFull(r, raw[:4*nd]); err != nil {
		return nil, idxReadError("header", err)
	}
	dims := make([]int, nd)
	elems := 1
	for i := range dims {
		u := binary.BigEndian.Uint32(raw[4*i:])
		if uint64(u) > uint64(maxElements) || (u > 0 && elems > maxElements/int(u)) {
			return nil, idxError(fmt.Sprintf("header declares dimensions %s, more than %d elements",
				dimsOf(raw[:4*nd]), maxElements))
		}
		dims[i] = int(u)
		elems *= int(u)
	}
	need := elems * t.Size()
	if size >= 0 {
		size -= int64(4 * nd)
		if size < int64(need) {
			return nil, idxError(fmt.Sprintf("header declares %v %s elements (%d bytes) but only %d bytes follow",
				dims, t, need, size))
		}
		if size > int64(need) {
			return nil, idxError(fmt.Sprintf("%d trailing bytes after the %d bytes of data", size-int64(need), need))
		}
	}
	return &idxHeader{typ: t, dims: dims, elems: elems, body: r, size: size}, nil
}

// readPayload reads exactly need bytes, growing its buffer as data arrives so
// that a lying header cannot make it allocate much more than is present.
func readPayload(r io.Reader, need int) ([]byte, error) {
	const first = 1 << 20
	buf := make([]byte, 0, min(need, first))
	for len(buf) < need {
		if len(buf) == cap(buf) {
			nb := make([]byte, len(buf), min(need, 2*cap(buf)))
			copy(nb, buf)
			buf = nb
		}
		n, err := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, idxError(fmt.Sprintf("truncated data: %d of %d bytes", len(buf), need))
			}
			return nil, idxReadError("data", err)
		}
	}
	return buf, nil
}

// remainingSize returns how many bytes r still holds, or −1 if unknown.
func remainingSize(r io.Reader) int64 {
	switch v := r.(type) {
	case interface{ Len() int }:
		return int64(v.Len())
	case *os.File:
		fi, err := v.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return -1
		}
		off, err := v.Seek(0, io.SeekCurrent)
		if err != nil {
			return -1
		}
		return fi.Size() - off
	}
	return -1
}

func dimsOf(raw []byte) string {
	parts := make([]string, 0, len(raw)/4)
	for i := 0; i+4 <= len(raw); i += 4 {
		parts = append(parts, fmt.Sprint(binary.BigEndian.Uint32(raw[i:])))
	}
	return strings.Join(parts, "×")
}

func idxError(msg string) error { return invalid("idx: " + msg) }

// idxReadError turns a read failure into a truncation error, or keeps an I/O
// or decompression error.
func idxReadError(what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return idxError("truncated " + what)
	}
	var corrupt flate.CorruptInputError
	if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.As(err, &corrupt) {
		return idxError("gzip: " + err.Error())
	}
	return fmt.Errorf("idx: reading %s: %w", what, err)
}
