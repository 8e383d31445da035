package store

import (
	"errors"
	"fmt"
	"math"
)

// ErrAccuracy reports a value that cannot be an accuracy. CheckAccuracy
// wraps it; test with errors.Is.
var ErrAccuracy = errors.New("store: not an accuracy")

// CheckAccuracy checks a value about to be stored as an accuracy
// (Finetune.Accuracy, Model.ReportedAccuracy, the Value of an accuracy
// Eval): a fraction of correct predictions, so a finite number in [0, 1].
// Every writer of these columns applies it to the values its source
// writes; an empty field, stored as null, is not a value and is not
// checked. A percentage (85.3) fails: a source known to write percentages
// converts them first, or drops the value and counts it.
func CheckAccuracy(v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 1 {
		return fmt.Errorf("%w (want a finite number in [0, 1])", ErrAccuracy)
	}
	return nil
}
