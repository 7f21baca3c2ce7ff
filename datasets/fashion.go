package datasets

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// DefaultFashionDir is where the Debian package dataset-fashion-mnist
// installs the Fashion-MNIST files (gzip-compressed IDX).
const DefaultFashionDir = "/usr/share/datasets/fashion-mnist"

// FashionName is the dataset name of Fashion-MNIST.
const FashionName = "fashion_mnist"

// fashionClassNames are the Fashion-MNIST classes, by label.
var fashionClassNames = []string{
	"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
	"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
}

const fashionAttribution = "Fashion-MNIST by Han Xiao, Kashif Rasul and Roland Vollgraf, " +
	"© 2017 Zalando SE (github.com/zalandoresearch/fashion-mnist), MIT licence."

// fashionDirs returns the directories searched for Fashion-MNIST: with a
// data directory, DIR/fashion-mnist then DIR itself; without one,
// DefaultFashionDir.
func fashionDirs(dataDir string) []string {
	if dataDir == "" {
		return []string{DefaultFashionDir}
	}
	return []string{filepath.Join(dataDir, "fashion-mnist"), dataDir}
}

// fashionInfo describes Fashion-MNIST with the given sizes.
func fashionInfo(train, test int) Info {
	return Info{
		Name:  FashionName,
		Title: "Fashion-MNIST clothing",
		Description: "Greyscale 28×28 photos of clothes, shoes and bags from Zalando's catalogue in " +
			"10 classes: a harder drop-in replacement for MNIST. Pixel values are scaled to [0,1].",
		Features:    mnistSide * mnistSide,
		Shape:       Shape{Width: mnistSide, Height: mnistSide},
		ClassNames:  slices.Clone(fashionClassNames),
		ValueRange:  [2]float32{0, 1},
		TrainSize:   train,
		TestSize:    test,
		Attribution: fashionAttribution,
		Source:      SourceDisk,
	}
}

// findFashion returns the paths of the four files in the first directory
// of dirs that has any of them, preferring uncompressed files (faster to
// read) over .gz ones. The error is a sentence for the Info.Reason.
func findFashion(dirs []string) (paths [4]string, err error) {
	for _, dir := range dirs {
		var missing []string
		found := 0
		for i, base := range idxSetFiles {
			p, ok := firstFile(filepath.Join(dir, base), filepath.Join(dir, base+".gz"))
			if !ok {
				missing = append(missing, base+"[.gz]")
				continue
			}
			paths[i] = p
			found++
		}
		if found == len(idxSetFiles) {
			return paths, nil
		}
		if found > 0 {
			return paths, fmt.Errorf("Fashion-MNIST in %s is incomplete (missing %s): "+
				"run `apt-get install --reinstall dataset-fashion-mnist`", dir, strings.Join(missing, ", "))
		}
	}
	return paths, fmt.Errorf("Fashion-MNIST is not installed: run `apt-get install dataset-fashion-mnist` "+
		"or start with -data-dir DIR (looked in %s)", strings.Join(dirs, ", "))
}

// firstFile returns the first of paths that is a regular file.
func firstFile(paths ...string) (string, bool) {
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p, true
		}
	}
	return "", false
}

// probeFashion describes Fashion-MNIST in dirs by reading only the file
// headers, so it is cheap enough for every listing.
func probeFashion(dirs []string) Info {
	info := fashionInfo(0, 0)
	paths, err := findFashion(dirs)
	if err == nil {
		info.TrainSize, info.TestSize, err = fashionSizes(paths)
	}
	if err != nil {
		info.Reason = err.Error()
		return info
	}
	info.Available = true
	return info
}

// fashionSizes reads the four headers and checks that they fit together.
func fashionSizes(paths [4]string) (train, test int, err error) {
	var hdr [4]*IDX
	for i, p := range paths {
		if hdr[i], err = readIDXHeaderFile(p); err != nil {
			return 0, 0, unreadable(err)
		}
	}
	for s := 0; s < 4; s += 2 {
		if err := checkImageHeader(hdr[s].Type, hdr[s].Dims, hdr[s+1].Type, hdr[s+1].Dims); err != nil {
			return 0, 0, unreadable(fmt.Errorf("%s: %w", paths[s], err))
		}
	}
	return hdr[0].Dims[0], hdr[2].Dims[0], nil
}

func unreadable(err error) error {
	return fmt.Errorf("Fashion-MNIST files are unreadable (%v): "+
		"run `apt-get install --reinstall dataset-fashion-mnist`", err)
}

// loadFashion decodes Fashion-MNIST from the first complete directory of dirs.
func loadFashion(dirs []string) (*Dataset, error) {
	paths, err := findFashion(dirs)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrUnavailable, err)
	}
	key := ""
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%w: %s", ErrUnavailable, unreadable(err))
		}
		key += fmt.Sprintf("%s %d %d\n", p, fi.Size(), fi.ModTime().UnixNano())
	}
	return fashionCache.get(key, func() (*Dataset, error) { return decodeFashion(paths) })
}

// fashionCache holds the decoded Fashion-MNIST files for every Registry of
// the process, keyed by the files' paths, sizes and modification times (a
// file replaced on disk is read again by the next registry that loads it).
// Production has one registry; a process that starts several servers (the
// tests start one per test) decoded the same files once per server, half a
// CPU second each (ten times that under the race detector) and 55 MB.
var fashionCache cache

func decodeFashion(paths [4]string) (*Dataset, error) {
	train, test, err := readIDXSet(func(i int) (io.ReadCloser, string, error) {
		f, err := os.Open(paths[i])
		return f, paths[i], err
	})
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, ErrInvalid) {
			return nil, fmt.Errorf("%w: %s", ErrUnavailable, unreadable(err))
		}
		return nil, err
	}
	return imageDataset(fashionInfo(train.N, test.N), train, test), nil
}

// readIDXHeaderFile reads only the header of an IDX file (gzip or not): the
// returned IDX has Type and Dims but no Data.
func readIDXHeaderFile(path string) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h, err := readIDXHeader(f, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &IDX{Type: h.typ, Dims: h.dims}, nil
}
