package pipeline

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/zoograph/zoograph/graphlearn/regress"
	"github.com/zoograph/zoograph/pipeline/evaluate"
)

// Failure-aware prediction (Config.FailureAware) models apart the chance
// that a fine-tune collapses and the accuracy of the fine-tunes that work,
// and combines them into the expected accuracy
//
//	E[y | x] = (1 − p(x))·μ_work(x) + p(x)·ȳ_fail,
//
// where
//
//   - a training row failed by the documented rule of evaluate.Failure
//     (no better than chance, or closer to chance than to the dataset's
//     median fine-tune), applied to each training dataset's own recorded
//     accuracies and number of classes — never the target's;
//   - p(x) is the probability of failure from an L2-penalised logistic
//     regression (regress.Logistic, ridge failureRidge on standardised
//     features, missing values at the training mean) on the same features;
//   - μ_work(x) is the configured regressor trained on the working rows
//     only, so that a few collapsed runs do not bend the trees that rank the
//     working ones;
//   - ȳ_fail is the mean training label of the failed rows: the label of a
//     collapsed run on the labels' scale (with group standardisation the
//     chance level of an unseen target is not known on that scale, the
//     typical collapsed label is).
//
// With fewer than failureMinRows failed training rows there is nothing to
// learn failure from: p = 0 and the prediction is μ_work.
//
// The classifier is linear, so the failure model costs one more regressor
// fit (μ_work) and a few Newton steps; nested selection tries it at the
// best setting without it only (see selectSettings).
const (
	failureRidge   = 1.0
	failureMinRows = 5
)

// failedRows tells, for each training row of ft, whether its fine-tune
// failed on its dataset by the rule of evaluate.Failure, computed from d's
// records on that dataset.
func failedRows(d *Data, ft *FeatureTable) []bool {
	rules := map[int]evaluate.Failure{}
	out := make([]bool, len(ft.TrainDataset))
	for i, di := range ft.TrainDataset {
		rule, ok := rules[di]
		if !ok {
			rule = d.failure(di)
			rules[di] = rule
		}
		out[i] = rule.Failed(d.acc[di][ft.TrainModels[i]])
	}
	return out
}

// failure returns the failure rule of dataset di's records: the one Clean
// derived, or on a Data built without Clean one computed from them.
func (d *Data) failure(di int) evaluate.Failure {
	if di < len(d.fail) {
		return d.fail[di]
	}
	return evaluate.NewFailure(d.acc[di], d.Datasets[di].NumClasses)
}

// fitPredictFailureAware trains the failure model and the working-rows
// regressor on ft's training rows (ft.TrainFailed saying which failed) and
// returns the expected accuracy of the rows of every matrix of tests.
func fitPredictFailureAware(ft *FeatureTable, tests []*mat.Dense, cfg Config, seed uint64) ([][]float64, error) {
	failed := ft.TrainFailed
	var working []int
	var failLabel float64
	for i, f := range failed {
		if f {
			failLabel += ft.Label[i]
		} else {
			working = append(working, i)
		}
	}
	nFailed := len(failed) - len(working)
	if len(working) < 2 {
		return nil, fmt.Errorf("failure model: %d of %d training rows failed, too few worked to learn from", nFailed, len(failed))
	}
	// The classifier on the same features (its own missing-value handling).
	var prob [][]float64
	if nFailed >= failureMinRows {
		y := make([]float64, len(failed))
		for i, f := range failed {
			if f {
				y[i] = 1
			}
		}
		clf := regress.NewLogistic(regress.LogisticOptions{Ridge: failureRidge})
		if err := clf.Fit(ft.Train, y); err != nil {
			return nil, fmt.Errorf("failure model: %w", err)
		}
		for _, test := range tests {
			p, err := clf.Predict(test)
			if err != nil {
				return nil, fmt.Errorf("failure model: %w", err)
			}
			prob = append(prob, p)
		}
		failLabel /= float64(nFailed)
	}
	_, cols := ft.Train.Dims()
	train := mat.NewDense(len(working), cols, nil)
	label := make([]float64, len(working))
	for k, i := range working {
		copy(train.RawRowView(k), ft.Train.RawRowView(i))
		label[k] = ft.Label[i]
	}
	mu, err := fitPredictAll(train, label, tests, cfg, seed)
	if err != nil {
		return nil, err
	}
	for k := range prob {
		for i, p := range prob[k] {
			if !math.IsNaN(mu[k][i]) {
				mu[k][i] = (1-p)*mu[k][i] + p*failLabel
			}
		}
	}
	return mu, nil
}
