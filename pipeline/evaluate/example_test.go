package evaluate_test

import (
	"fmt"

	"github.com/zoograph/zoograph/pipeline/evaluate"
)

func ExampleCompute() {
	// Recorded accuracies of five models on a target, and a method's scores.
	actual := []float64{0.91, 0.85, 0.88, 0.70, 0.95}
	scores := []float64{2.0, 1.5, 1.4, -0.3, 1.9}
	ids := []string{"org/a", "org/b", "org/c", "org/d", "org/e"}

	v, err := evaluate.Compute(actual, scores, ids)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("pearson %.4f, kendall %.4f\n", v.Pearson, v.Kendall)
	fmt.Printf("top@1 %.2f (the best model scores second), top@2 %.2f\n", v.Top[0], v.Top[1])
	fmt.Printf("p@1 %.0f\n", v.Percentile[0])
	// Output:
	// pearson 0.9684, kendall 0.6000
	// top@1 0.91 (the best model scores second), top@2 0.95
	// p@1 80
}
