package datasets

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// writeImageSet writes a tiny MNIST-style set into dir: image i of a split
// has every pixel equal to (i*7+split) mod 256 and label i mod 10. With gz
// the files are gzip-compressed and named *.gz.
func writeImageSet(t *testing.T, dir string, nTrain, nTest int, gz bool) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for s, n := range []int{nTrain, nTest} {
		img := make([]byte, n*28*28)
		lab := make([]byte, n)
		for i := range n {
			for p := range 28 * 28 {
				img[i*784+p] = byte(i*7 + s)
			}
			lab[i] = byte(i % 10)
		}
		writeIDXFile(t, filepath.Join(dir, idxSetFiles[2*s]), idxBytes(IDXUint8, []uint32{uint32(n), 28, 28}, img), gz)
		writeIDXFile(t, filepath.Join(dir, idxSetFiles[2*s+1]), idxBytes(IDXUint8, []uint32{uint32(n)}, lab), gz)
	}
}

func writeIDXFile(t *testing.T, path string, b []byte, gz bool) {
	t.Helper()
	if gz {
		b, path = gzipBytes(t, b), path+".gz"
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFashionFromDisk(t *testing.T) {
	for _, c := range []struct {
		name, sub string
		gz        bool
	}{{"gzip in dir", "", true}, {"raw in dir", "", false}, {"gzip in dir/fashion-mnist", "fashion-mnist", true}} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeImageSet(t, filepath.Join(dir, c.sub), 12, 5, c.gz)
			r := NewRegistry(dir)
			info, err := r.Info(FashionName)
			if err != nil || !info.Available || info.TrainSize != 12 || info.TestSize != 5 {
				t.Fatalf("Info before loading: %+v, %v", info, err)
			}
			if _, loaded := r.loaded.peek(FashionName); loaded {
				t.Fatal("Info decoded the data")
			}
			d, err := r.Load(FashionName, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Validate(); err != nil {
				t.Fatal(err)
			}
			if d.Train.N != 12 || d.Test.N != 5 || d.Shape != (Shape{28, 28}) || d.Source != SourceDisk {
				t.Fatalf("got %d/%d examples, shape %v, source %v", d.Train.N, d.Test.N, d.Shape, d.Source)
			}
			if !slices.Equal(d.ClassNames, []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
				"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}) {
				t.Errorf("class names %v", d.ClassNames)
			}
			for s, split := range []Split{d.Train, d.Test} {
				for i := range split.N {
					want := float32(byte(i*7+s)) / 255
					row := split.Row(i)
					if row[0] != want || row[783] != want || split.Labels[i] != i%10 {
						t.Fatalf("split %d example %d: pixel %g label %d, want %g and %d", s, i, row[0], split.Labels[i], want, i%10)
					}
				}
			}
			if again, _ := r.Load(FashionName, 99); again != d {
				t.Error("second Load returned a different dataset")
			}
			// Once loaded it is served from memory, even if the files go.
			os.RemoveAll(dir)
			if info, _ := r.Info(FashionName); !info.Available || info.TrainSize != 12 {
				t.Errorf("Info after loading: %+v", info)
			}
		})
	}
}

func TestFashionAbsent(t *testing.T) {
	dir := t.TempDir()
	r := NewRegistry(dir)
	info, err := r.Info(FashionName)
	if err != nil {
		t.Fatal(err)
	}
	if info.Available || !strings.Contains(info.Reason, "apt-get install dataset-fashion-mnist") ||
		!strings.Contains(info.Reason, "-data-dir") || !strings.Contains(info.Reason, dir) {
		t.Errorf("absent Fashion-MNIST: %+v", info)
	}
	if info.Features != 784 || len(info.ClassNames) != 10 {
		t.Errorf("description of an absent set should still be complete: %+v", info)
	}
	_, err = r.Load(FashionName, 0)
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "apt-get install dataset-fashion-mnist") {
		t.Errorf("Load: %v", err)
	}
	// Installing the files later makes it available without a restart.
	writeImageSet(t, dir, 3, 2, true)
	if d, err := r.Load(FashionName, 0); err != nil || d.Train.N != 3 {
		t.Errorf("Load after installing: %v", err)
	}
}

func TestFashionBroken(t *testing.T) {
	t.Run("incomplete", func(t *testing.T) {
		dir := t.TempDir()
		writeImageSet(t, dir, 3, 2, true)
		os.Remove(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"))
		info, _ := NewRegistry(dir).Info(FashionName)
		if info.Available || !strings.Contains(info.Reason, "incomplete") || !strings.Contains(info.Reason, "t10k-labels") {
			t.Errorf("%+v", info)
		}
	})
	t.Run("count mismatch", func(t *testing.T) {
		dir := t.TempDir()
		writeImageSet(t, dir, 3, 2, false)
		writeIDXFile(t, filepath.Join(dir, "train-labels-idx1-ubyte"), idxBytes(IDXUint8, []uint32{4}, []byte{1, 2, 3, 4}), false)
		r := NewRegistry(dir)
		info, _ := r.Info(FashionName)
		if info.Available || !strings.Contains(info.Reason, "3 images but 4 labels") {
			t.Errorf("%+v", info)
		}
		if _, err := r.Load(FashionName, 0); !errors.Is(err, ErrUnavailable) {
			t.Errorf("Load: %v", err)
		}
	})
	t.Run("wrong image size", func(t *testing.T) {
		dir := t.TempDir()
		writeImageSet(t, dir, 3, 2, false)
		writeIDXFile(t, filepath.Join(dir, "t10k-images-idx3-ubyte"), idxBytes(IDXUint8, []uint32{2, 27, 28}, make([]byte, 2*27*28)), false)
		info, _ := NewRegistry(dir).Info(FashionName)
		if info.Available || !strings.Contains(info.Reason, "want uint8 [N 28 28]") {
			t.Errorf("%+v", info)
		}
	})
	t.Run("labels not a vector", func(t *testing.T) {
		dir := t.TempDir()
		writeImageSet(t, dir, 3, 2, false)
		writeIDXFile(t, filepath.Join(dir, "train-labels-idx1-ubyte"), idxBytes(IDXUint8, []uint32{3, 1}, []byte{1, 2, 3}), false)
		info, _ := NewRegistry(dir).Info(FashionName)
		if info.Available || !strings.Contains(info.Reason, "want uint8 [N]") {
			t.Errorf("%+v", info)
		}
	})
	t.Run("not IDX", func(t *testing.T) {
		dir := t.TempDir()
		writeImageSet(t, dir, 3, 2, true)
		os.WriteFile(filepath.Join(dir, "train-images-idx3-ubyte.gz"), []byte("<html>not found</html>"), 0o644)
		info, _ := NewRegistry(dir).Info(FashionName)
		if info.Available || !strings.Contains(info.Reason, "bad magic") || !strings.Contains(info.Reason, "--reinstall") {
			t.Errorf("%+v", info)
		}
	})
	t.Run("bad label", func(t *testing.T) {
		dir := t.TempDir()
		writeImageSet(t, dir, 3, 2, true)
		writeIDXFile(t, filepath.Join(dir, "t10k-labels-idx1-ubyte"), idxBytes(IDXUint8, []uint32{2}, []byte{1, 12}), true)
		if _, err := NewRegistry(dir).Load(FashionName, 0); !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "label 12") {
			t.Errorf("Load: %v", err)
		}
	})
	t.Run("truncated data then repaired", func(t *testing.T) {
		dir := t.TempDir()
		writeImageSet(t, dir, 3, 2, true)
		path := filepath.Join(dir, "train-images-idx3-ubyte.gz")
		full, _ := os.ReadFile(path)
		os.WriteFile(path, full[:len(full)/2], 0o644)
		r := NewRegistry(dir)
		if _, err := r.Load(FashionName, 0); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("Load of a truncated file: %v", err)
		}
		os.WriteFile(path, full, 0o644)
		if _, err := r.Load(FashionName, 0); err != nil {
			t.Fatalf("a failed load must not be cached: %v", err)
		}
	})
}

// TestFashionInstalled loads the real set when the Debian package
// dataset-fashion-mnist is installed.
func TestFashionInstalled(t *testing.T) {
	if _, err := os.Stat(DefaultFashionDir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("dataset-fashion-mnist is not installed: under CI it must be (apt-get install -y dataset-fashion-mnist)")
		}
		t.Skip("dataset-fashion-mnist is not installed")
	}
	if raceEnabled || testing.Short() {
		t.Skip("decoding 30 MB of gzip under -race or -short is too slow")
	}
	r := NewRegistry("")
	info, err := r.Info(FashionName)
	if err != nil || !info.Available || info.TrainSize != 60000 || info.TestSize != 10000 {
		t.Fatalf("%+v %v", info, err)
	}
	start := time.Now()
	d, err := r.Load(FashionName, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Fashion-MNIST decode: %v", time.Since(start))
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	// Known facts: both splits start with an ankle boot; classes are balanced.
	if d.Train.Labels[0] != 9 || d.Test.Labels[0] != 9 {
		t.Errorf("first labels %d/%d, want 9/9", d.Train.Labels[0], d.Test.Labels[0])
	}
	counts := make([]int, 10)
	for _, l := range d.Train.Labels {
		counts[l]++
	}
	for c, n := range counts {
		if n != 6000 {
			t.Errorf("class %d has %d training examples, want 6000", c, n)
		}
	}
}

// TestFashionDecodedOncePerProcess: two registries on the same files (two
// servers in one process, as the tests start) share one decoded copy; a
// registry made after the files were replaced decodes the new ones.
func TestFashionDecodedOncePerProcess(t *testing.T) {
	dir := t.TempDir()
	writeImageSet(t, dir, 6, 3, true)
	a, err := NewRegistry(dir).Load(FashionName, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewRegistry(dir).Load(FashionName, 0)
	if err != nil || b != a {
		t.Fatalf("a second registry on the same files: %p, %v; want the first's copy %p", b, err, a)
	}
	writeImageSet(t, dir, 8, 3, true)
	c, err := NewRegistry(dir).Load(FashionName, 0)
	if err != nil || c == a || c.Train.N != 8 {
		t.Fatalf("after the files were replaced: %v, %v; want a new copy of 8 examples", c, err)
	}
}
