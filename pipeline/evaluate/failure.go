package evaluate

import (
	"math"
	"slices"
)

// ChanceMargin is m of the failure rule (see Failure): an accuracy within
// m·(1 − chance) of chance is no better than chance. It is the pipeline's
// default margin for dropping a failed dataset from the history.
const ChanceMargin = 0.02

// Failure tells a fine-tune that failed on a target from one that worked.
//
// A fine-tune fails when training collapsed or diverged: the classifier it
// produced says next to nothing about how well the pre-trained model's
// features transfer. Two reference points describe a target T:
//
//   - chance c: the accuracy of a classifier that ignores its input, 1/K for
//     K classes (a balanced test set); 0 when K is unknown, which flags the
//     fewest fine-tunes;
//   - typical ã: the median accuracy of T's fine-tunes, what a model that
//     worked achieves there.
//
// A fine-tune with accuracy a failed when
//
//	a ≤ c + m·(1 − c)        (no better than chance, m = ChanceMargin), or
//	a − c < (ã − c) / 2      (closer to chance than to the typical fine-tune).
//
// The second clause is the nearest-centre rule between the two reference
// points; in skill above chance, σ = (a − c)/(1 − c), it reads σ < σ̃/2:
// less than half the skill of the typical fine-tune, which means the same
// on an easy target as on a hard one. It needs no class balance, so it also
// catches a classifier that collapsed onto the majority class of an
// unbalanced test set (above 1/K) and a run that diverged part-way, and it
// is robust (a median). The first clause decides when the median itself
// sits at chance, i.e. when most of T's fine-tunes failed.
type Failure struct {
	// Chance is c: 1/K, or 0 when the number of classes is unknown.
	Chance float64
	// Typical is ã, the median accuracy; NaN without accuracies (then only
	// the chance clause applies).
	Typical float64
}

// NewFailure returns the failure rule of a target with the given recorded
// accuracies (one per model; non-finite ones ignored) and number of classes
// (0 or 1 = unknown).
func NewFailure(acc []float64, classes int64) Failure {
	f := Failure{Typical: math.NaN()}
	if classes >= 2 {
		f.Chance = 1 / float64(classes)
	}
	var finiteAcc []float64
	for _, a := range acc {
		if finite(a) {
			finiteAcc = append(finiteAcc, a)
		}
	}
	if len(finiteAcc) > 0 {
		f.Typical = median(finiteAcc)
	}
	return f
}

// Failed reports whether a fine-tune with accuracy a failed.
func (f Failure) Failed(a float64) bool {
	return a <= f.Chance+ChanceMargin*(1-f.Chance) || a-f.Chance < (f.Typical-f.Chance)/2
}

// Threshold is the accuracy at or below which a fine-tune fails (the two
// clauses' bounds differ only in strictness at the halfway point, which
// Threshold reports as the larger bound).
func (f Failure) Threshold() float64 {
	t := f.Chance + ChanceMargin*(1-f.Chance)
	if h := f.Chance + (f.Typical-f.Chance)/2; h > t {
		t = h
	}
	return t
}

// EvaluatedFailed lists the evaluated models whose fine-tune failed.
func (t *Target) EvaluatedFailed() []string {
	var out []string
	for _, m := range t.Failed {
		if _, ok := slices.BinarySearch(t.Evaluated, m); ok {
			out = append(out, m)
		}
	}
	return out
}

// median of a non-empty slice (the mean of the two middle values for an
// even length).
func median(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
