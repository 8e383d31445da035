package store

import (
	"errors"
	"math"
	"testing"
)

func TestCheckAccuracy(t *testing.T) {
	tests := []struct {
		v  float64
		ok bool
	}{
		{0, true}, {1, true}, {0.5, true}, {math.SmallestNonzeroFloat64, true},
		{-0.5, false}, {1.7, false}, {1.0000001, false}, {85.3, false}, {-1e-12, false},
		{math.Inf(1), false}, {math.Inf(-1), false}, {math.NaN(), false},
	}
	for _, tt := range tests {
		err := CheckAccuracy(tt.v)
		if got := err == nil; got != tt.ok {
			t.Errorf("CheckAccuracy(%v) = %v, want ok %v", tt.v, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrAccuracy) {
			t.Errorf("CheckAccuracy(%v) = %v, does not wrap ErrAccuracy", tt.v, err)
		}
	}
}
