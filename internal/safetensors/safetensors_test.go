package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
)

func sample() ([]Tensor, map[string]string) {
	return []Tensor{
		{Name: "encoder.0.weight", Shape: []int{3, 2}, Data: []float32{1, 2, 3, 4, 5, float32(math.Inf(-1))}},
		{Name: "encoder.0.bias", Shape: []int{3}, Data: []float32{-0.5, 0, math.SmallestNonzeroFloat32}},
		{Name: "scalar", Shape: []int{}, Data: []float32{7}},
		{Name: "empty", Shape: []int{0, 4}, Data: []float32{}},
	}, map[string]string{"config": `{"a":1}`, "format": "pt"}
}

func TestRoundTrip(t *testing.T) {
	ts, meta := sample()
	var b bytes.Buffer
	if err := Write(&b, ts, meta); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	if n := binary.LittleEndian.Uint64(data); (8+n)%8 != 0 {
		t.Errorf("data starts at byte %d, not 8-aligned", 8+n)
	}
	f, err := Read(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f.Metadata, meta) {
		t.Errorf("metadata = %v, want %v", f.Metadata, meta)
	}
	for _, want := range ts {
		got, ok := f.Get(want.Name)
		if !ok {
			t.Fatalf("tensor %s missing", want.Name)
		}
		if !reflect.DeepEqual(got.Shape, want.Shape) || len(got.Data) != len(want.Data) {
			t.Fatalf("%s: shape %v, %d values; want %v, %d", want.Name, got.Shape, len(got.Data), want.Shape, len(want.Data))
		}
		for i := range got.Data {
			if math.Float32bits(got.Data[i]) != math.Float32bits(want.Data[i]) {
				t.Fatalf("%s[%d] = %v, want %v", want.Name, i, got.Data[i], want.Data[i])
			}
		}
	}
}

// A file as the Python library writes it (header taken from
// safetensors.torch.save_file of {"w": torch.tensor([[1., 2.]])}).
func TestReadPythonFile(t *testing.T) {
	h := `{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}}`
	data := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	data = append(data, h...)
	data = binary.LittleEndian.AppendUint32(data, math.Float32bits(1))
	data = binary.LittleEndian.AppendUint32(data, math.Float32bits(2))
	f, err := Read(data)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := f.Get("w")
	if !reflect.DeepEqual(w.Data, []float32{1, 2}) || f.Metadata["format"] != "pt" {
		t.Fatalf("read %+v", f)
	}
}

func TestReadErrors(t *testing.T) {
	file := func(h string, data int) []byte {
		b := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
		return append(append(b, h...), make([]byte, data)...)
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"short", []byte{1, 2, 3}, "8-byte header length"},
		{"header too long", binary.LittleEndian.AppendUint64(nil, 1000), "larger than the file"},
		{"not json", file("hello", 0), "not a JSON object"},
		{"bad json", file("{", 0), "not valid JSON"},
		{"dtype", file(`{"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}`, 4), "only F32"},
		{"shape mismatch", file(`{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, 8), "shape [3]"},
		{"out of range", file(`{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, 8), "outside"},
		{"gap", file(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8), "gaps"},
		{"overlap", file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8), "overlap"},
		{"trailing", file(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 8), "follow the last tensor"},
		{"negative dim", file(`{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, 4), "invalid shape"},
		{"huge dims", file(`{"w":{"dtype":"F32","shape":[100000,100000,100000],"data_offsets":[0,4]}}`, 4), "invalid shape"},
		{"metadata", file(`{"__metadata__":{"a":1}}`, 0), "__metadata__"},
		{"unknown field", file(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}`, 4), `tensor "w"`},
		{"three offsets", file(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4,99]}}`, 4), "data_offsets"},
		{"one offset", file(`{"w":{"dtype":"F32","shape":[0],"data_offsets":[0]}}`, 0), "data_offsets"},
		{"named twice", file(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 4), `"w" twice`},
		{"metadata twice", file(`{"__metadata__":{},"__metadata__":{"a":"b"}}`, 0), `"__metadata__" twice`},
		{"too many tensors", file(manyEmpty(MaxTensors+1), 0), "more than"},
	} {
		_, err := Read(tc.data)
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Read = %v; want ErrFormat saying %q", tc.name, err, tc.want)
		}
	}
}

// manyEmpty is a header of n tensors of no elements, each at offset 0.
func manyEmpty(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"t%d":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`, i)
	}
	b.WriteString("}")
	return b.String()
}

// A header of many tensors is refused after MaxTensors of them, without
// decoding the rest: 200,000 empty tensors in 13 MB took 2 s of CPU to read
// before they were refused by the model's own checks.
func TestManyTensorsAreRefusedEarly(t *testing.T) {
	h := manyEmpty(200_000)
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	b = append(b, h...)
	allocs := testing.AllocsPerRun(1, func() {
		if _, err := Read(b); !errors.Is(err, ErrFormat) {
			t.Fatalf("Read = %v, want ErrFormat", err)
		}
	})
	if allocs > 20*MaxTensors {
		t.Errorf("refusing 200,000 tensors took %.0f allocations, want at most %d (it must stop after %d)", allocs, 20*MaxTensors, MaxTensors)
	}
}

func TestWriteErrors(t *testing.T) {
	for _, ts := range [][]Tensor{
		{{Name: "a", Shape: []int{2}, Data: []float32{1}}},
		{{Name: "a", Shape: []int{1}, Data: []float32{1}}, {Name: "a", Shape: []int{1}, Data: []float32{1}}},
		{{Name: "__metadata__", Shape: []int{1}, Data: []float32{1}}},
	} {
		if err := Write(&bytes.Buffer{}, ts, nil); err == nil {
			t.Errorf("Write(%v) = nil, want an error", ts)
		}
	}
}

// FuzzRead: no input makes Read panic, and whatever it accepts writes back
// to a file that reads the same.
func FuzzRead(f *testing.F) {
	ts, meta := sample()
	var b bytes.Buffer
	_ = Write(&b, ts, meta)
	f.Add(b.Bytes())
	f.Add([]byte{})
	f.Add(binary.LittleEndian.AppendUint64(nil, 2))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Read(data)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		var out bytes.Buffer
		if err := Write(&out, file.Tensors, file.Metadata); err != nil {
			t.Fatalf("an accepted file does not write back: %v", err)
		}
		again, err := Read(out.Bytes())
		if err != nil {
			t.Fatalf("a rewritten file does not read: %v", err)
		}
		if len(again.Tensors) != len(file.Tensors) {
			t.Fatalf("%d tensors after a rewrite, want %d", len(again.Tensors), len(file.Tensors))
		}
	})
}
