package regress_test

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/zoograph/zoograph/graphlearn/regress"
)

// Fit boosted trees to y = x² on a grid and predict between the grid
// points. No value was missing in training, so NaN takes every split's
// default branch, right (as in XGBoost), and lands in the x ≈ 1 leaf.
func ExampleGBDT() {
	const n = 200
	X := mat.NewDense(n, 1, nil)
	y := make([]float64, n)
	for i := range n {
		x := -1 + 2*float64(i)/(n-1)
		X.Set(i, 0, x)
		y[i] = x * x
	}
	opt := regress.DefaultGBDTOptions()
	opt.Trees, opt.ColsampleByTree = 200, 1
	g := regress.NewGBDT(opt)
	if err := g.Fit(X, y); err != nil {
		fmt.Println(err)
		return
	}
	pred, err := g.Predict(mat.NewDense(4, 1, []float64{-0.5, 0, 0.75, math.NaN()}))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.2f %.2f %.2f, missing: %.2f\n", pred[0], pred[1], pred[2], pred[3])
	// Output:
	// 0.25 0.00 0.56, missing: 1.00
}

// Constant targets are an error the caller can choose to live with: the
// model still predicts the constant.
func ExampleErrConstantLabels() {
	X := mat.NewDense(3, 1, []float64{1, 2, 3})
	lin := regress.NewLinear(regress.LinearOptions{})
	err := lin.Fit(X, []float64{0.5, 0.5, 0.5})
	fmt.Println(errors.Is(err, regress.ErrConstantLabels))
	pred, _ := lin.Predict(mat.NewDense(1, 1, []float64{10}))
	fmt.Println(pred[0])
	// Output:
	// true
	// 0.5
}
