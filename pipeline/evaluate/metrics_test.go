package evaluate

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// close reports whether got and want agree to tol, NaN matching NaN.
func closeTo(got, want, tol float64) bool {
	if math.IsNaN(want) || math.IsNaN(got) {
		return math.IsNaN(want) && math.IsNaN(got)
	}
	return math.Abs(got-want) <= tol
}

func mustCompute(t *testing.T, a, s []float64, ids []string) Values {
	t.Helper()
	v, err := Compute(a, s, ids)
	if err != nil {
		t.Fatalf("Compute: %v", err)
	}
	return v
}

// TestComputeScipy compares every metric with scipy's on the cases of
// testdata/scipy_cases.json (see scipy_cases.py there).
func TestComputeScipy(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "scipy_cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name   string
		Actual []float64
		Scores []float64
		Want   map[string]float64
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 10 {
		t.Fatalf("only %d scipy cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			v := mustCompute(t, c.Actual, c.Scores, nil)
			if v.N != len(c.Actual) {
				t.Errorf("N = %d, want %d", v.N, len(c.Actual))
			}
			for name, want := range c.Want {
				got, ok := v.Metric(name)
				if !ok {
					t.Errorf("metric %q unknown", name)
					continue
				}
				if !closeTo(got, want, 1e-12) {
					t.Errorf("%s = %.17g, scipy %.17g", name, got, want)
				}
			}
		})
	}
}

// TestComputeHand checks small cases worked out by hand.
func TestComputeHand(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name   string
		a, s   []float64
		ids    []string
		metric string
		want   float64
	}{
		{"pearson perfect", []float64{1, 2, 3, 4}, []float64{10, 20, 30, 40}, nil, MetricPearson, 1},
		{"pearson reversed", []float64{1, 2, 3, 4}, []float64{4, 3, 2, 1}, nil, MetricPearson, -1},
		// a = 1,2,3 ; s = 1,3,2: means 2, 2; Σdd = 0·… = (−1)(−1)+0·1+1·0 = 1; Σd² = 2, 2.
		{"pearson 3", []float64{1, 2, 3}, []float64{1, 3, 2}, nil, MetricPearson, 0.5},
		// ranks of s = 1,2,3 → perfect.
		{"spearman monotone", []float64{1, 2, 3, 4}, []float64{1, 8, 27, 1000}, nil, MetricSpearman, 1},
		// a ranks 1,2.5,2.5,4 vs s ranks 1,2,3,4: Σdd = (−1.5)(−1.5)+0+0+1.5·1.5 = 4.5;
		// Σda² = 4.5, Σds² = 5 → 4.5/√22.5.
		{"spearman tie", []float64{1, 2, 2, 3}, []float64{1, 2, 3, 4}, nil, MetricSpearman, 4.5 / math.Sqrt(22.5)},
		// 6 pairs: 4 concordant, one tied in x only, one tied in y only:
		// (6−1−1+0−0)/√5/√5 = 0.8.
		{"kendall tau-b ties", []float64{1, 2, 2, 3}, []float64{1, 2, 3, 3}, nil, MetricKendall, 0.8},
		// 3 pairs, 2 concordant, 1 discordant: 1/3.
		{"kendall 3", []float64{1, 2, 3}, []float64{1, 3, 2}, nil, MetricKendall, 1.0 / 3},
		// Ranks by decreasing (x, y): item 3 → w 1, item 2 → 1/2, item 1 → 1/3.
		// Concordant (1,2) 5/6 and (1,3) 4/3, discordant (2,3) 3/2:
		// (5/6 + 4/3 − 3/2)/(11/3) = 2/11; the (y, x) direction gives the same.
		{"weighted kendall 3", []float64{1, 2, 3}, []float64{1, 3, 2}, nil, MetricWeightedKendall, 2.0 / 11},
		// top-k: order by score 4,3,2,1 → a = 0.5, 0.7, 0.6, 0.9.
		{"top@1", []float64{0.5, 0.9, 0.7, 0.6}, []float64{4, 1, 3, 2}, nil, "top@1", 0.5},
		{"top@2", []float64{0.5, 0.9, 0.7, 0.6}, []float64{4, 1, 3, 2}, nil, "top@2", 0.7},
		{"top@4", []float64{0.5, 0.9, 0.7, 0.6}, []float64{4, 1, 3, 2}, nil, "top@4", 0.9},
		{"top@5 beyond n", []float64{0.5, 0.9, 0.7, 0.6}, []float64{4, 1, 3, 2}, nil, "top@5", 0.9},
		{"rel@1", []float64{0.5, 0.9, 0.7, 0.6}, []float64{4, 1, 3, 2}, nil, "rel@1", 0.5 / 0.9},
		// mean 0.675: (0.5−0.675)/0.225 < 0 → 0.
		{"rrel@1 clamps", []float64{0.5, 0.9, 0.7, 0.6}, []float64{4, 1, 3, 2}, nil, "rrel@1", 0},
		{"rrel@3", []float64{0.5, 0.9, 0.7, 0.6}, []float64{4, 1, 3, 2}, nil, "rrel@3", (0.7 - 0.675) / (0.9 - 0.675)},
		// 0 below 0.5, 1 at or below: (0+1+1)·50/4.
		{"p@1", []float64{0.5, 0.9, 0.7, 0.6}, []float64{4, 1, 3, 2}, nil, "p@1", 25},
		// 2 below 0.7, 3 at or below: (2+3+1)·50/4.
		{"p@3", []float64{0.5, 0.9, 0.7, 0.6}, []float64{4, 1, 3, 2}, nil, "p@3", 75},
		{"p@5 at max", []float64{0.5, 0.9, 0.7, 0.6}, []float64{4, 1, 3, 2}, nil, "p@5", (3 + 4 + 1) * 12.5},
		// Tie at the top between "b" (0.6) and "a" (0.8): the lower id wins.
		{"tie by id", []float64{0.6, 0.8, 0.7}, []float64{5, 5, 1}, []string{"b", "a", "c"}, "top@1", 0.8},
		{"tie by id reordered", []float64{0.8, 0.6, 0.7}, []float64{5, 5, 1}, []string{"a", "b", "c"}, "top@1", 0.8},
		// +Inf → 2·max finite = 6, so that model is on top.
		{"plus inf on top", []float64{0.9, 0.5, 0.7}, []float64{math.Inf(1), 3, 2}, nil, "top@1", 0.9},
		// NaN → 2·min finite = 4 (> 3!): the paper's rule, quirks included.
		{"nan twice min", []float64{0.9, 0.5, 0.7}, []float64{math.NaN(), 3, 2}, nil, "top@1", 0.9},
		{"constant scores", []float64{1, 2, 3}, []float64{7, 7, 7}, nil, MetricPearson, nan},
		{"constant scores kendall", []float64{1, 2, 3}, []float64{7, 7, 7}, nil, MetricKendall, nan},
		{"constant accuracy weighted", []float64{1, 1, 1}, []float64{1, 2, 3}, nil, MetricWeightedKendall, nan},
		{"constant accuracy rrel", []float64{1, 1, 1}, []float64{1, 2, 3}, nil, "rrel@1", nan},
		{"two models", []float64{1, 2}, []float64{1, 2}, nil, MetricPearson, nan},
		{"two models top", []float64{1, 2}, []float64{1, 2}, nil, "top@1", nan},
		{"nan accuracy dropped", []float64{1, math.NaN(), 2, 3}, []float64{1, 100, 2, 3}, nil, MetricPearson, 1},
		{"empty", nil, nil, nil, MetricSpearman, nan},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := mustCompute(t, tt.a, tt.s, tt.ids)
			got, ok := v.Metric(tt.metric)
			if !ok {
				t.Fatalf("metric %q unknown", tt.metric)
			}
			if !closeTo(got, tt.want, 1e-12) {
				t.Errorf("%s = %.17g, want %.17g", tt.metric, got, tt.want)
			}
		})
	}
}

// TestComputeFlagged checks pearson_working and regret@k on cases worked out
// by hand.
func TestComputeFlagged(t *testing.T) {
	tests := []struct {
		name   string
		a, s   []float64
		failed []bool
		metric string
		want   float64
	}{
		// Working pairs a = .9 .8 .7 .6, s = 3 1 2 4: deviations
		// (.15 .05 −.05 −.15), (.5 −1.5 −.5 1.5); Σ = −0.2, Σa² = .05, Σs² = 5:
		// −0.2/√0.25 = −0.4.
		{"pearson working", []float64{0.9, 0.8, 0.7, 0.05, 0.6}, []float64{3, 1, 2, 0, 4},
			[]bool{false, false, false, true, false}, MetricPearsonWorking, -0.4},
		// The failed fine-tune is still in pearson: it agrees with its
		// low score, so pearson is higher than among the working ones.
		{"pearson keeps failed", []float64{0.9, 0.8, 0.7, 0.05, 0.6}, []float64{3, 1, 2, 0, 4},
			[]bool{false, false, false, true, false}, MetricPearson, pearsonOf([]float64{0.9, 0.8, 0.7, 0.05, 0.6}, []float64{3, 1, 2, 0, 4})},
		// The NaN accuracy drops with its flag: working (.9, 1) (.8, 2)
		// (.6, 4) lie on a = 1 − 0.1·s.
		{"flags follow dropped pairs", []float64{0.9, math.NaN(), 0.8, 0.7, 0.6}, []float64{1, 100, 2, 3, 4},
			[]bool{false, false, false, true, false}, MetricPearsonWorking, -1},
		{"too few working", []float64{0.9, 0.8, 0.7, 0.6}, []float64{1, 2, 3, 4},
			[]bool{true, false, true, false}, MetricPearsonWorking, math.NaN()},
		{"no flags: all work", []float64{1, 2, 3}, []float64{1, 3, 2}, nil, MetricPearsonWorking, 0.5},
		// By score: a = .5, .7, .6, .9; best 0.9.
		{"regret@1", []float64{0.5, 0.9, 0.7, 0.6}, []float64{4, 1, 3, 2}, nil, MetricRegret1, 0.9 - 0.5},
		{"regret@3", []float64{0.5, 0.9, 0.7, 0.6}, []float64{4, 1, 3, 2}, nil, MetricRegret3, 0.9 - 0.7},
		{"regret@4", []float64{0.5, 0.9, 0.7, 0.6}, []float64{4, 1, 3, 2}, nil, "regret@4", 0},
		// Tie at the top between "b" (0.6) and "a" (0.8): the lower id, a,
		// wins, as for top@k.
		{"regret tie by id", []float64{0.6, 0.8, 0.9}, []float64{5, 5, 1}, nil, MetricRegret1, 0.9 - 0.8},
		{"regret undefined", []float64{0.6, 0.8}, []float64{5, 5}, nil, MetricRegret1, math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ids []string
			if tt.name == "regret tie by id" {
				ids = []string{"b", "a", "c"}
			}
			v, err := ComputeFlagged(tt.a, tt.s, ids, tt.failed)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := v.Metric(tt.metric)
			if !ok {
				t.Fatalf("metric %q unknown", tt.metric)
			}
			if !closeTo(got, tt.want, 1e-12) {
				t.Errorf("%s = %.17g, want %.17g", tt.metric, got, tt.want)
			}
		})
	}
	if _, err := ComputeFlagged([]float64{1, 2, 3}, []float64{1, 2, 3}, nil, []bool{true}); !errors.Is(err, ErrLength) {
		t.Errorf("short flags: err = %v, want ErrLength", err)
	}
}

// pearsonOf is the textbook formula, for expected values.
func pearsonOf(x, y []float64) float64 {
	var mx, my float64
	for i := range x {
		mx += x[i] / float64(len(x))
		my += y[i] / float64(len(y))
	}
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

func TestComputeTiedAtK(t *testing.T) {
	// Scores 5, 4, 4, 3, 3, 1: boundaries between ranks 2|3 and 4|5 are ties.
	v := mustCompute(t, []float64{1, 2, 3, 4, 5, 6}, []float64{5, 4, 4, 3, 3, 1}, []string{"a", "b", "c", "d", "e", "f"})
	want := [MaxK]bool{false, true, false, true, false}
	if v.TiedAtK != want {
		t.Errorf("TiedAtK = %v, want %v", v.TiedAtK, want)
	}
	if !v.Tied("p@2") || v.Tied("top@3") || v.Tied(MetricPearson) {
		t.Errorf("Tied: p@2 %v top@3 %v pearson %v", v.Tied("p@2"), v.Tied("top@3"), v.Tied(MetricPearson))
	}
	// With the tie at 2|3 broken by id, "b" (accuracy 2) is in and "c" (3) out.
	if v.Top[1] != 2 {
		t.Errorf("top@2 = %v, want 2", v.Top[1])
	}
	if v.Tied(MetricRegret1) != v.TiedAtK[0] {
		t.Error("regret@1 tie flag differs from top@1's")
	}
	// Repeated rows of one model (same accuracy) tie harmlessly.
	v = mustCompute(t, []float64{0.9, 0.9, 0.5, 0.7}, []float64{3, 3, 2, 1}, []string{"a", "a", "b", "c"})
	if v.TiedAtK[0] {
		t.Error("a tie between rows of one accuracy flagged")
	}
}

func TestComputeLengthMismatch(t *testing.T) {
	for _, tt := range []struct {
		name string
		a, s []float64
		ids  []string
	}{
		{"scores", []float64{1, 2, 3}, []float64{1, 2}, nil},
		{"ids", []float64{1, 2, 3}, []float64{1, 2, 3}, []string{"a"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Compute(tt.a, tt.s, tt.ids)
			if !errors.Is(err, ErrLength) {
				t.Errorf("err = %v, want ErrLength", err)
			}
			if !math.IsNaN(v.Pearson) {
				t.Errorf("Pearson = %v, want NaN", v.Pearson)
			}
		})
	}
}

func TestUndefinedBelowMinModels(t *testing.T) {
	for n := range MinModels {
		a := make([]float64, n)
		s := make([]float64, n)
		for i := range n {
			a[i], s[i] = float64(i), float64(i)
		}
		v := mustCompute(t, a, s, nil)
		if v.N != n {
			t.Errorf("n=%d: N = %d", n, v.N)
		}
		for _, name := range MetricNames() {
			if got, _ := v.Metric(name); !math.IsNaN(got) {
				t.Errorf("n=%d: %s = %v, want NaN", n, name, got)
			}
		}
	}
}

func TestReplaceNonFinite(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name     string
		in, want []float64
	}{
		{"finite untouched", []float64{1, -2, 3}, []float64{1, -2, 3}},
		{"plus inf", []float64{1, inf, 3}, []float64{1, 6, 3}},
		{"minus inf", []float64{1, -inf, 3}, []float64{1, 2, 3}},
		{"nan", []float64{-1, math.NaN(), 3}, []float64{-1, -2, 3}},
		{"both infinities", []float64{-inf, 2, inf}, []float64{4, 2, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := append([]float64(nil), tt.in...)
			ReplaceNonFinite(got)
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("got %v, want %v", got, tt.want)
					break
				}
			}
		})
	}
	// Nothing finite: pandas' max skips NaN and finds nothing, its min finds
	// +Inf, so NaN becomes +Inf and +Inf becomes NaN. No panic either way.
	all := []float64{math.NaN(), inf}
	ReplaceNonFinite(all)
	if !math.IsInf(all[0], 1) || !math.IsNaN(all[1]) {
		t.Errorf("all non-finite: got %v, want [+Inf NaN]", all)
	}
}

// randomCase returns n accuracies and noisy scores without ties.
func randomCase(r *rand.Rand, n int) (a, s []float64) {
	a = make([]float64, n)
	s = make([]float64, n)
	for i := range n {
		a[i] = 0.3 + 0.7*r.Float64()
		s[i] = a[i] + 0.3*r.NormFloat64()
	}
	return a, s
}

func mapped(s []float64, f func(float64) float64) []float64 {
	out := make([]float64, len(s))
	for i, v := range s {
		out[i] = f(v)
	}
	return out
}

// TestInvariances: Pearson is invariant to positive affine maps of s (and
// flips sign under negative ones); every rank metric, and the top-k metrics,
// are invariant to strictly increasing maps of s; every metric is invariant
// to permuting the pairs.
func TestInvariances(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		n := 3 + r.IntN(60)
		a, s := randomCase(r, n)
		base := mustCompute(t, a, s, nil)

		scale, shift := 0.01+10*r.Float64(), 100*r.NormFloat64()
		affine := mustCompute(t, a, mapped(s, func(x float64) float64 { return scale*x + shift }), nil)
		if !closeTo(affine.Pearson, base.Pearson, 1e-9) {
			t.Fatalf("trial %d: pearson %v after affine map, %v before", trial, affine.Pearson, base.Pearson)
		}
		flipped := mustCompute(t, a, mapped(s, func(x float64) float64 { return -scale*x + shift }), nil)
		if !closeTo(flipped.Pearson, -base.Pearson, 1e-9) {
			t.Fatalf("trial %d: pearson %v after negative map, want %v", trial, flipped.Pearson, -base.Pearson)
		}

		monotone := mustCompute(t, a, mapped(s, func(x float64) float64 { return math.Exp(3*x) + x*x*x }), nil)
		for _, name := range MetricNames() {
			if name == MetricPearson || name == MetricPearsonWorking {
				continue
			}
			got, _ := monotone.Metric(name)
			want, _ := base.Metric(name)
			if !closeTo(got, want, 1e-12) {
				t.Fatalf("trial %d: %s = %v after a monotone map, %v before", trial, name, got, want)
			}
		}

		perm := r.Perm(n)
		pa, ps := make([]float64, n), make([]float64, n)
		for i, j := range perm {
			pa[i], ps[i] = a[j], s[j]
		}
		shuffled := mustCompute(t, pa, ps, nil)
		for _, name := range MetricNames() {
			got, _ := shuffled.Metric(name)
			want, _ := base.Metric(name)
			if !closeTo(got, want, 1e-9) {
				t.Fatalf("trial %d: %s = %v after shuffling, %v before", trial, name, got, want)
			}
		}

		// Symmetric metrics.
		swapped := mustCompute(t, s, a, nil)
		for _, name := range []string{MetricPearson, MetricSpearman, MetricKendall, MetricWeightedKendall} {
			got, _ := swapped.Metric(name)
			want, _ := base.Metric(name)
			if !closeTo(got, want, 1e-12) {
				t.Fatalf("trial %d: %s(s, a) = %v, %s(a, s) = %v", trial, name, got, name, want)
			}
		}

		// Ranges.
		for _, c := range []float64{base.Pearson, base.Spearman, base.Kendall, base.WeightedKendall} {
			if c < -1 || c > 1 {
				t.Fatalf("trial %d: correlation %v outside [-1, 1]", trial, c)
			}
		}
		for k := range MaxK {
			if base.Rel[k] > 1 || base.RRel[k] < 0 || base.RRel[k] > 1 || base.Percentile[k] <= 0 || base.Percentile[k] > 100+1e-9 {
				t.Fatalf("trial %d: k=%d rel %v rrel %v p %v out of range", trial, k+1, base.Rel[k], base.RRel[k], base.Percentile[k])
			}
			if k > 0 && base.Top[k] < base.Top[k-1] {
				t.Fatalf("trial %d: top@%d = %v < top@%d = %v", trial, k+1, base.Top[k], k, base.Top[k-1])
			}
			if base.Regret[k] < 0 || (k > 0 && base.Regret[k] > base.Regret[k-1]) {
				t.Fatalf("trial %d: regret@%d = %v (regret@%d = %v)", trial, k+1, base.Regret[k], k, base.Regret[max(k-1, 0)])
			}
		}
	}
}

// TestOracle: scoring by the accuracies themselves is perfect.
func TestOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	a, _ := randomCase(r, 40)
	v := mustCompute(t, a, a, nil)
	for _, name := range MetricNames() {
		if name == MetricPearsonLineage {
			continue // needs the models' lineage: Evaluate sets it (TestWithinLineage)
		}
		got, _ := v.Metric(name)
		want := 1.0
		switch {
		case strings.HasPrefix(name, "top@"):
			want = slicesMax(a)
		case strings.HasPrefix(name, "p@"):
			want = 100
		case strings.HasPrefix(name, "regret@"):
			want = 0
		}
		if !closeTo(got, want, 1e-12) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
}

func slicesMax(x []float64) float64 {
	m := x[0]
	for _, v := range x {
		m = max(m, v)
	}
	return m
}

func TestMetricNames(t *testing.T) {
	v := Undefined(0)
	for _, name := range MetricNames() {
		if _, ok := v.Metric(name); !ok {
			t.Errorf("Metric(%q) unknown", name)
		}
	}
	for _, bad := range []string{"", "top@0", "top@6", "rel@x", "x@1", "kendal"} {
		if _, ok := v.Metric(bad); ok {
			t.Errorf("Metric(%q) known", bad)
		}
	}
	names := MetricNames()
	names[0] = "changed"
	if MetricNames()[0] != MetricPearson {
		t.Error("MetricNames returns shared storage")
	}
}

func BenchmarkCompute(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	a, s := randomCase(r, 200)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compute(a, s, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func TestWithinLineage(t *testing.T) {
	// Group x (10 models): scores agree with accuracy; group y (12):
	// reversed; group z (3 models) and unknown lineage are left out.
	var a, s []float64
	var g []string
	for i := range 10 {
		a, s, g = append(a, float64(i)), append(s, float64(2*i)), append(g, "x")
	}
	for i := range 12 {
		a, s, g = append(a, float64(i)), append(s, float64(-i)), append(g, "y")
	}
	for i := range 3 {
		a, s, g = append(a, float64(i)), append(s, float64(i)), append(g, "z")
		a, s, g = append(a, float64(i)), append(s, float64(-i)), append(g, "")
	}
	if got, want := WithinLineage(a, s, g), (10.0*1+12*-1)/22; !closeTo(got, want, 1e-12) {
		t.Errorf("WithinLineage = %v, want %v", got, want)
	}
	if got := WithinLineage(a[:9], s[:9], g[:9]); !math.IsNaN(got) {
		t.Errorf("no group of %d models: %v, want NaN", MinLineageGroup, got)
	}
}
