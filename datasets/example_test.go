package datasets_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aelab/aelab/datasets"
)

func ExampleRegistry_Load() {
	reg := datasets.NewRegistry("") // Fashion-MNIST from /usr/share/datasets/fashion-mnist if installed
	d, err := reg.Load("mnist", 0)
	if err != nil {
		panic(err)
	}
	first := d.Train.Row(0) // 784 pixels in [0,1]
	fmt.Println(d.Title, d.Train.N, d.Test.N, len(first), d.ClassNames[d.Train.Labels[0]])
	// Output: MNIST handwritten digits 60000 10000 784 5
}

func ExampleRegistry_Load_generated() {
	reg := datasets.NewRegistry("")
	a, _ := reg.Load("swiss_roll", 1)
	b, _ := reg.Load("swiss_roll", 1) // the same seed: the same shared copy
	fmt.Println(a == b, a.Features, a.Train.N, a.ValueRange, a.ClassNames[0])
	// Output: true 3 3000 [0 1] band 1
}

func ExampleRegistry_Info_unavailable() {
	reg := datasets.NewRegistry("/nonexistent")
	info, _ := reg.Info(datasets.FashionName)
	fmt.Println(info.Available)
	fmt.Println(info.Reason)
	_, err := reg.Load(datasets.FashionName, 0)
	fmt.Println(errors.Is(err, datasets.ErrUnavailable))
	// Output:
	// false
	// Fashion-MNIST is not installed: run `apt-get install dataset-fashion-mnist` or start with -data-dir DIR (looked in /nonexistent/fashion-mnist, /nonexistent)
	// true
}

func ExampleParseCSV() {
	in := "sepal_length,petal_width,species\n5.1,0.2,setosa\n7.0,1.4,versicolor\n6.3,2.5,virginica\n4.9,abc,setosa\n"
	_, err := datasets.ParseCSV(strings.NewReader(in), datasets.CSVOptions{LabelColumn: "species"})
	fmt.Println(err)

	d, _ := datasets.ParseCSV(strings.NewReader(in), datasets.CSVOptions{LabelColumn: "species", DropBad: true})
	fmt.Println(d.Features, d.ClassNames, d.Train.N+d.Test.N, d.DroppedRows)
	// Output:
	// line 5, column "petal_width": "abc" is not a number
	// 2 [setosa versicolor virginica] 3 1
}
