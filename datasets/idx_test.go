package datasets

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// idxBytes encodes an IDX file by hand (not with WriteIDX, which is under test).
func idxBytes(t IDXType, dims []uint32, data []byte) []byte {
	b := []byte{0, 0, byte(t), byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, data...)
}

func gzipBytes(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// onlyReader hides Len and other methods, so the input size is unknown.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestReadIDXTypes(t *testing.T) {
	var f32, f64, i16, i32 []byte
	f32 = binary.BigEndian.AppendUint32(f32, math.Float32bits(-1.5))
	f32 = binary.BigEndian.AppendUint32(f32, math.Float32bits(0.25))
	f64 = binary.BigEndian.AppendUint64(f64, math.Float64bits(3.5))
	f64 = binary.BigEndian.AppendUint64(f64, math.Float64bits(-2))
	i16 = binary.BigEndian.AppendUint16(i16, uint16(0xFFFE)) // −2
	i16 = binary.BigEndian.AppendUint16(i16, 300)
	i32 = binary.BigEndian.AppendUint32(i32, uint32(0xFFFFFFF9)) // −7
	i32 = binary.BigEndian.AppendUint32(i32, 70000)
	cases := []struct {
		typ  IDXType
		data []byte
		want []float32
	}{
		{IDXUint8, []byte{0, 255}, []float32{0, 255}},
		{IDXInt8, []byte{0xFF, 0x7F}, []float32{-1, 127}},
		{IDXInt16, i16, []float32{-2, 300}},
		{IDXInt32, i32, []float32{-7, 70000}},
		{IDXFloat32, f32, []float32{-1.5, 0.25}},
		{IDXFloat64, f64, []float32{3.5, -2}},
	}
	for _, c := range cases {
		t.Run(c.typ.String(), func(t *testing.T) {
			raw := idxBytes(c.typ, []uint32{2, 1}, c.data)
			for name, r := range map[string]io.Reader{
				"raw":          bytes.NewReader(raw),
				"raw-unsized":  onlyReader{bytes.NewReader(raw)},
				"gzip":         bytes.NewReader(gzipBytes(t, raw)),
				"gzip-unsized": onlyReader{bytes.NewReader(gzipBytes(t, raw))},
			} {
				x, err := ReadIDX(r, 0)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if x.Type != c.typ || !slices.Equal(x.Dims, []int{2, 1}) || x.Len() != 2 {
					t.Fatalf("%s: got type %v dims %v", name, x.Type, x.Dims)
				}
				if got := x.Float32s(); !slices.Equal(got, c.want) {
					t.Errorf("%s: Float32s = %v, want %v", name, got, c.want)
				}
				var out bytes.Buffer
				if err := WriteIDX(&out, x); err != nil || !bytes.Equal(out.Bytes(), raw) {
					t.Errorf("%s: WriteIDX = % x, %v; want % x", name, out.Bytes(), err, raw)
				}
			}
		})
	}
}

func TestReadIDXErrors(t *testing.T) {
	good := idxBytes(IDXUint8, []uint32{3, 2}, []byte{1, 2, 3, 4, 5, 6})
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", "empty file"},
		{"short magic", "\x00\x00", "truncated header"},
		{"bad magic", "PK\x03\x04xxxx", "bad magic"},
		{"unknown type", "\x00\x00\x07\x01\x00\x00\x00\x01x", "unknown element type 0x07"},
		{"no dims", "\x00\x00\x08\x00", "0 dimensions"},
		{"too many dims", "\x00\x00\x08\x11" + strings.Repeat("\x00\x00\x00\x01", 17) + "x", "17 dimensions"},
		{"truncated dims", "\x00\x00\x08\x03\x00\x00\x00\x01\x00\x00", "truncated header"},
		{"truncated data", string(good[:len(good)-1]), "only 5 bytes follow"},
		{"trailing", string(good) + "!", "1 trailing bytes"},
		{"lying header", string(idxBytes(IDXUint8, []uint32{60000, 28, 28}, []byte{1, 2, 3})), "only 3 bytes follow"},
		{"over limit", string(idxBytes(IDXUint8, []uint32{1 << 14, 1 << 13}, nil)), "more than 67108864 elements"},
		{"overflow", string(idxBytes(IDXFloat64, []uint32{0xFFFFFFFF, 0xFFFFFFFF}, nil)), "more than"},
		{"overflow product", string(idxBytes(IDXUint8, []uint32{1 << 16, 1 << 16, 1 << 16}, nil)), "more than"},
	}
	for _, c := range cases {
		for _, variant := range []string{"raw", "unsized", "gzip"} {
			in := []byte(c.in)
			var r io.Reader = bytes.NewReader(in)
			switch variant {
			case "unsized":
				r = onlyReader{r}
			case "gzip":
				if len(in) == 0 {
					continue // an empty input is not gzip
				}
				r = bytes.NewReader(gzipBytes(t, in))
			}
			x, err := ReadIDX(r, 0)
			if err == nil {
				t.Errorf("%s/%s: no error, got %v %v", c.name, variant, x.Type, x.Dims)
				continue
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%s/%s: error %q does not wrap ErrInvalid", c.name, variant, err)
			}
			// Without a known size the reader finds truncation or trailing
			// bytes only while reading; the message differs.
			if variant == "raw" && !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s/%s: error %q, want it to mention %q", c.name, variant, err, c.want)
			}
		}
	}
}

func TestReadIDXTruncatedEverywhere(t *testing.T) {
	data := make([]byte, 2*5*7)
	for i := range data {
		data[i] = byte(i)
	}
	raw := idxBytes(IDXUint8, []uint32{2, 5, 7}, data)
	gz := gzipBytes(t, raw)
	for _, full := range [][]byte{raw, gz} {
		for cut := range len(full) {
			for _, r := range []io.Reader{bytes.NewReader(full[:cut]), onlyReader{bytes.NewReader(full[:cut])}} {
				if x, err := ReadIDX(r, 0); err == nil {
					t.Fatalf("cut at %d of %d: no error (dims %v)", cut, len(full), x.Dims)
				}
			}
		}
		if _, err := ReadIDX(bytes.NewReader(full), 0); err != nil {
			t.Fatalf("whole file: %v", err)
		}
	}
}

// TestReadIDXLyingHeaderAllocation checks that a tiny input claiming a huge
// payload fails without allocating anything like that payload.
func TestReadIDXLyingHeaderAllocation(t *testing.T) {
	lie := idxBytes(IDXFloat64, []uint32{1 << 12, 1 << 12, 4}, bytes.Repeat([]byte{7}, 100)) // claims 512 MiB
	gz := gzipBytes(t, lie)
	for name, mk := range map[string]func() io.Reader{
		"raw":     func() io.Reader { return bytes.NewReader(lie) },
		"unsized": func() io.Reader { return onlyReader{bytes.NewReader(lie)} },
		"gzip":    func() io.Reader { return bytes.NewReader(gz) },
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := ReadIDX(mk(), 0)
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 4<<20 {
			t.Errorf("%s: allocated %d bytes for a %d-byte input", name, grew, len(lie))
		}
	}
}

func TestReadIDXLimit(t *testing.T) {
	raw := idxBytes(IDXUint8, []uint32{4, 4}, make([]byte, 16))
	if _, err := ReadIDX(bytes.NewReader(raw), 16); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	if _, err := ReadIDX(bytes.NewReader(raw), 15); err == nil || !strings.Contains(err.Error(), "more than 15 elements") {
		t.Fatalf("over the limit: %v", err)
	}
}

func TestReadIDXGzipCorrupt(t *testing.T) {
	gz := gzipBytes(t, idxBytes(IDXUint8, []uint32{64}, bytes.Repeat([]byte("ab"), 32)))
	bad := slices.Clone(gz)
	bad[len(bad)-6] ^= 0xFF // CRC-32 in the trailer
	if _, err := ReadIDX(bytes.NewReader(bad), 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad checksum: %v", err)
	}
	garbage := append(slices.Clone(gz), "garbage"...)
	if _, err := ReadIDX(bytes.NewReader(garbage), 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("garbage after the gzip member: %v", err)
	}
}

func TestReadIDXFile(t *testing.T) {
	dir := t.TempDir()
	raw := idxBytes(IDXUint8, []uint32{2, 2}, []byte{9, 8, 7, 6})
	for name, b := range map[string][]byte{"a.idx": raw, "a.idx.gz": gzipBytes(t, raw), "short.idx": raw[:len(raw)-1]} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"a.idx", "a.idx.gz"} {
		x, err := ReadIDXFile(filepath.Join(dir, name), 0)
		if err != nil || !bytes.Equal(x.Data, []byte{9, 8, 7, 6}) {
			t.Errorf("%s: %v %v", name, x, err)
		}
	}
	_, err := ReadIDXFile(filepath.Join(dir, "short.idx"), 0)
	if err == nil || !strings.Contains(err.Error(), "short.idx") || !strings.Contains(err.Error(), "only 3 bytes follow") {
		t.Errorf("short file: %v", err)
	}
	if _, err := ReadIDXFile(filepath.Join(dir, "missing"), 0); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestWriteIDXErrors(t *testing.T) {
	for name, x := range map[string]*IDX{
		"type":   {Type: 0x42, Dims: []int{1}, Data: []byte{1}},
		"nodims": {Type: IDXUint8, Data: []byte{}},
		"size":   {Type: IDXInt16, Dims: []int{2}, Data: []byte{1, 2, 3}},
		"neg":    {Type: IDXUint8, Dims: []int{-1}},
	} {
		if err := WriteIDX(io.Discard, x); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if got := IDXType(0x42).String(); got != "IDXType(0x42)" {
		t.Errorf("String of unknown type = %q", got)
	}
}

// FuzzIDX feeds arbitrary bytes to ReadIDX: it must return an error or a
// consistent IDX that survives a round trip, never panic or allocate wildly.
// Seeds are in testdata/fuzz/FuzzIDX.
func FuzzIDX(f *testing.F) {
	f.Fuzz(func(t *testing.T, in []byte) {
		const limit = 1 << 20
		for _, r := range []io.Reader{bytes.NewReader(in), onlyReader{bytes.NewReader(in)}} {
			x, err := ReadIDX(r, limit)
			if err != nil {
				continue
			}
			n := x.Len()
			if n > limit || len(x.Data) != n*x.Type.Size() || len(x.Float32s()) != n {
				t.Fatalf("inconsistent IDX: type %v dims %v, %d bytes", x.Type, x.Dims, len(x.Data))
			}
			var buf bytes.Buffer
			if err := WriteIDX(&buf, x); err != nil {
				t.Fatalf("WriteIDX: %v", err)
			}
			y, err := ReadIDX(bytes.NewReader(buf.Bytes()), limit)
			if err != nil || y.Type != x.Type || !slices.Equal(y.Dims, x.Dims) || !bytes.Equal(y.Data, x.Data) {
				t.Fatalf("round trip: %v", err)
			}
		}
	})
}
