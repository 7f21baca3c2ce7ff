package datasets

import (
	"fmt"
	"io"
	"sync"
)

// The MNIST-style image sets (MNIST, Fashion-MNIST) share one layout: four
// IDX files holding uint8 images [N, 28, 28] and uint8 labels [N], for a
// training and a test split.

// idxSetFiles are the base names of the four files, in the order
// train images, train labels, test images, test labels.
var idxSetFiles = [4]string{
	"train-images-idx3-ubyte",
	"train-labels-idx1-ubyte",
	"t10k-images-idx3-ubyte",
	"t10k-labels-idx1-ubyte",
}

// Image size and class count of the MNIST-style sets.
const (
	mnistSide    = 28
	mnistClasses = 10
)

// greyLevels is the number of grey levels of the images, 0–255: a pixel
// value v stands for v/255 in [0,1]. The images are kept as their bytes
// and converted when read (see Split).
const greyLevels = 255

// readIDXSet decodes the four files of an image set concurrently; open(i)
// opens idxSetFiles[i]. It returns the training and test splits.
func readIDXSet(open func(i int) (io.ReadCloser, string, error)) (train, test Split, err error) {
	var (
		parts [4]*IDX
		errs  [4]error
		wg    sync.WaitGroup
	)
	for i := range parts {
		wg.Go(func() {
			rc, name, err := open(i)
			if err != nil {
				errs[i] = err
				return
			}
			defer rc.Close()
			parts[i], errs[i] = ReadIDX(rc, 0)
			if errs[i] != nil {
				errs[i] = fmt.Errorf("%s: %w", name, errs[i])
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return Split{}, Split{}, err
		}
	}
	if train, err = imageSplit(parts[0], parts[1]); err != nil {
		return Split{}, Split{}, fmt.Errorf("training split: %w", err)
	}
	if test, err = imageSplit(parts[2], parts[3]); err != nil {
		return Split{}, Split{}, fmt.Errorf("test split: %w", err)
	}
	return train, test, nil
}

// imageSplit checks that images is uint8 [N,28,28] and labels uint8 [N] with
// values below 10, and returns a Split of pixel/255 that keeps the image
// bytes as they are.
func imageSplit(images, labels *IDX) (Split, error) {
	if err := checkImageHeader(images.Type, images.Dims, labels.Type, labels.Dims); err != nil {
		return Split{}, err
	}
	n := images.Dims[0]
	ls := make([]int, n)
	for i, l := range labels.Data {
		if int(l) >= mnistClasses {
			return Split{}, invalid(fmt.Sprintf("label %d of example %d is not a class 0–%d", l, i, mnistClasses-1))
		}
		ls[i] = int(l)
	}
	return NewByteSplit(images.Data, greyLevels, ls, mnistSide*mnistSide), nil
}

// checkImageHeader checks the types and dimensions of an image file and
// its label file.
func checkImageHeader(it IDXType, idims []int, lt IDXType, ldims []int) error {
	if it != IDXUint8 || len(idims) != 3 || idims[1] != mnistSide || idims[2] != mnistSide {
		return invalid(fmt.Sprintf("images are %v %v, want uint8 [N %d %d]", it, idims, mnistSide, mnistSide))
	}
	if lt != IDXUint8 || len(ldims) != 1 {
		return invalid(fmt.Sprintf("labels are %v %v, want uint8 [N]", lt, ldims))
	}
	if idims[0] != ldims[0] {
		return invalid(fmt.Sprintf("%d images but %d labels", idims[0], ldims[0]))
	}
	return nil
}

// digitNames are the class names "0" … "9".
var digitNames = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
