package pipeline

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestPriorColumn(t *testing.T) {
	nan := math.NaN()
	ft := &FeatureTable{
		Names: []string{"hist_sim_0.5", "hist_agree", PriorHistoryMean, PriorLowRank},
		Test:  mat.NewDense(2, 4, []float64{nan, 1, 2, nan, nan, 3, 4, nan}),
	}
	tests := []struct {
		prior string
		want  int
	}{
		{"", 1},               // hist_sim_0.5 is NaN everywhere: the fallback
		{PriorHistoryMean, 2}, // present
		{PriorLowRank, 1},     // NaN everywhere: the default
	}
	for _, tt := range tests {
		if got := priorColumn(ft, tt.prior); got != tt.want {
			t.Errorf("priorColumn(%q) = %d, want %d", tt.prior, got, tt.want)
		}
	}
}

func TestPriorsFor(t *testing.T) {
	all := []string{"", PriorHistoryMean, PriorLowRank, PriorCF}
	cold := all[:3]
	if got := priorsFor(&Data{historyData: historyData{hasDistances: true}}, all, Config{}); !slices.Equal(got, []string{""}) {
		t.Errorf("with distances: %q, want only the default", got)
	}
	if got := priorsFor(&Data{}, all, Config{}); !slices.Equal(got, cold) {
		t.Errorf("without distances, cold: %q, want %q", got, cold)
	}
	warm := Config{Probe: 5}
	if got := priorsFor(&Data{}, all, warm); !slices.Equal(got, all) {
		t.Errorf("without distances, warm: %q, want %q", got, all)
	}
	warm.FeatureOptions.NoCF = true
	if got := priorsFor(&Data{}, all, warm); !slices.Equal(got, cold) {
		t.Errorf("without distances, warm, no cf: %q, want %q", got, cold)
	}
	if got := priorsFor(&Data{}, []string{PriorCF}, Config{}); !slices.Equal(got, []string{""}) {
		t.Errorf("only the filter's prior, cold: %q, want the default", got)
	}
}
