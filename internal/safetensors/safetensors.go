// Package safetensors reads and writes the safetensors format
// (https://huggingface.co/docs/safetensors), what PyTorch and Hugging Face
// use to share weights: an 8-byte little-endian header length N, N bytes of
// JSON describing each tensor (dtype, shape, data_offsets into the data
// that follows) plus free-form string metadata under "__metadata__", then
// the raw little-endian data. Only float32 (F32) tensors are supported,
// which is what aelab trains.
package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
)

// MaxHeader is the largest header accepted, as in the reference
// implementation (100 MB).
const MaxHeader = 100_000_000

// MaxTensors is the most tensors a file may hold. aelab's largest model
// has about 60; the bound keeps a header of a great many empty tensors
// (each a few bytes, offsets all 0) from costing seconds of CPU to read.
const MaxTensors = 1024

// Tensor is one named float32 tensor.
type Tensor struct {
	Name  string
	Shape []int
	Data  []float32 // row-major; len(Data) is the product of Shape
}

// File is the content of a safetensors file.
type File struct {
	Tensors  []Tensor          // in the order of their data
	Metadata map[string]string // the "__metadata__" entry; nil if absent
}

// Get returns the tensor with the given name.
func (f *File) Get(name string) (Tensor, bool) {
	for _, t := range f.Tensors {
		if t.Name == name {
			return t, true
		}
	}
	return Tensor{}, false
}

// ErrFormat is wrapped by every error about a malformed file.
var ErrFormat = errors.New("not a valid safetensors file")

type entry struct {
	Dtype       string  `json:"dtype"`
	Shape       []int   `json:"shape"`
	DataOffsets []int64 `json:"data_offsets"`
}

// Write writes tensors and metadata to w in the safetensors format. It
// returns an error if a tensor's data does not match its shape or two
// tensors share a name.
func Write(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	header := make(map[string]any, len(tensors)+1)
	if len(metadata) > 0 {
		header["__metadata__"] = metadata
	}
	var off int64
	for _, t := range tensors {
		if t.Name == "" || t.Name == "__metadata__" {
			return fmt.Errorf("safetensors: invalid tensor name %q", t.Name)
		}
		if _, dup := header[t.Name]; dup {
			return fmt.Errorf("safetensors: two tensors are named %q", t.Name)
		}
		n, ok := elements(t.Shape)
		if !ok || n != int64(len(t.Data)) {
			return fmt.Errorf("safetensors: tensor %q has %d values, its shape %v needs %d", t.Name, len(t.Data), t.Shape, n)
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		header[t.Name] = entry{Dtype: "F32", Shape: shape, DataOffsets: []int64{off, off + 4*n}}
		off += 4 * n
	}
	h, err := json.Marshal(header) // keys sorted: a stable file for equal input
	if err != nil {
		return err
	}
	// Pad the header with spaces so that the data starts 8-byte aligned.
	if pad := (8 - len(h)%8) % 8; pad > 0 {
		h = append(h, bytes.Repeat([]byte{' '}, pad)...)
	}
	buf := make([]byte, 8, 8+len(h)+int(off))
	binary.LittleEndian.PutUint64(buf, uint64(len(h)))
	buf = append(buf, h...)
	for _, t := range tensors {
		for _, v := range t.Data {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
	}
	_, err = w.Write(buf)
	return err
}

// Read parses a whole safetensors file. Every inconsistency (a header
// longer than the file, offsets out of range, overlapping or leaving gaps,
// a shape that does not match its bytes, a dtype other than F32, metadata
// that is not strings) is an error wrapping ErrFormat that says what is
// wrong.
func Read(data []byte) (*File, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrFormat}, args...)...)
	}
	if len(data) < 8 {
		return nil, bad("the file has %d bytes; it must start with an 8-byte header length", len(data))
	}
	n := binary.LittleEndian.Uint64(data)
	if n > MaxHeader || n > uint64(len(data)-8) {
		return nil, bad("the header length %d is larger than the file (%d bytes) or than %d bytes", n, len(data), MaxHeader)
	}
	h := bytes.TrimRight(data[8:8+n], " ")
	if len(h) == 0 || h[0] != '{' {
		return nil, bad("the header is not a JSON object")
	}
	raw, err := headerEntries(h)
	if err != nil {
		return nil, bad("%v", err)
	}
	buf := data[8+n:]
	f := &File{}
	type placed struct {
		name string
		e    entry
	}
	var all []placed
	for _, kv := range raw {
		name, v := kv.name, kv.value
		if name == "__metadata__" {
			if err := json.Unmarshal(v, &f.Metadata); err != nil {
				return nil, bad("__metadata__ must map names to strings: %v", err)
			}
			continue
		}
		var e entry
		dec := json.NewDecoder(bytes.NewReader(v))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return nil, bad("tensor %q: %v", name, err)
		}
		if len(e.DataOffsets) != 2 {
			return nil, bad("tensor %q has %d data_offsets; give two, [begin, end]", name, len(e.DataOffsets))
		}
		if e.Dtype != "F32" {
			return nil, bad("tensor %q has dtype %q; only F32 (float32) is supported: save it with tensor.float()", name, e.Dtype)
		}
		all = append(all, placed{name, e})
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i].e.DataOffsets, all[j].e.DataOffsets
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		return all[i].name < all[j].name
	})
	var next int64
	for _, p := range all {
		e := p.e
		cnt, ok := elements(e.Shape)
		if !ok {
			return nil, bad("tensor %q has an invalid shape %v", p.name, e.Shape)
		}
		begin, end := e.DataOffsets[0], e.DataOffsets[1]
		if begin != next {
			return nil, bad("tensor %q starts at byte %d of the data, expected %d (tensors must not overlap or leave gaps)", p.name, begin, next)
		}
		if end < begin || end > int64(len(buf)) {
			return nil, bad("tensor %q has data_offsets [%d, %d] outside the %d bytes of data", p.name, begin, end, len(buf))
		}
		if end-begin != 4*cnt {
			return nil, bad("tensor %q has shape %v (%d float32s) but %d bytes of data", p.name, e.Shape, cnt, end-begin)
		}
		t := Tensor{Name: p.name, Shape: slices.Clone(e.Shape), Data: make([]float32, cnt)}
		for i := range t.Data {
			t.Data[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[begin+4*int64(i):]))
		}
		f.Tensors = append(f.Tensors, t)
		next = end
	}
	if next != int64(len(buf)) {
		return nil, bad("%d bytes of data follow the last tensor", int64(len(buf))-next)
	}
	return f, nil
}

// headerEntry is one key of the header and its value.
type headerEntry struct {
	name  string
	value json.RawMessage
}

// headerEntries reads the header's object key by key, refusing a key given
// twice and stopping after MaxTensors tensors.
func headerEntries(h []byte) ([]headerEntry, error) {
	if !json.Valid(h) {
		var v any
		err := json.Unmarshal(h, &v)
		return nil, fmt.Errorf("the header is not valid JSON: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(h))
	if _, err := dec.Token(); err != nil { // the '{' (h starts with it)
		return nil, err
	}
	var out []headerEntry
	seen := map[string]bool{}
	tensors := 0
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name := t.(string) // a key: h is a valid object
		if seen[name] {
			return nil, fmt.Errorf("the header names %q twice", name)
		}
		seen[name] = true
		if name != "__metadata__" {
			if tensors++; tensors > MaxTensors {
				return nil, fmt.Errorf("the header lists more than %d tensors", MaxTensors)
			}
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, headerEntry{name, v})
	}
	return out, nil
}

// elements returns the product of shape, false if a dimension is negative
// or the product overflows.
func elements(shape []int) (int64, bool) {
	n := int64(1)
	for _, d := range shape {
		if d < 0 || (d > 0 && n > math.MaxInt32/int64(d)) {
			return 0, false
		}
		n *= int64(d)
	}
	return n, true
}

// ShapeString renders a shape as "[256, 784]".
func ShapeString(shape []int) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = fmt.Sprint(d)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
