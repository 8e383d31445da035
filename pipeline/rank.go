package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/zoograph/zoograph/store"
)

// Recommendation is one ranked model for a target dataset.
type Recommendation struct {
	ModelID string
	// Score is the score Run evaluates — the regressor's prediction blended
	// with the history prior (Config.Blend) — averaged over seeds: only its
	// order is meaningful.
	Score float64
	// History is the number of other datasets the model was fine-tuned on.
	History int
	// Recorded is the model's recorded accuracy on the target (NaN when
	// none); it is never used for the prediction.
	Recorded float64
}

// Rank predicts, for a target dataset of the zoo, every model's fine-tuning
// accuracy with nothing recorded on the target, and returns the models best
// first. Candidates are the models with usable fine-tuning history on at
// least one dataset other than the target.
func Rank(ctx context.Context, zoo *store.Tables, cfg Config, target string) ([]Recommendation, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d, err := Clean(zoo, cfg.Clean)
	if err != nil {
		return nil, err
	}
	t, ok := d.DatasetIndex(target)
	if !ok {
		return nil, fmt.Errorf("no dataset %q in the zoo (it needs at least distances or metadata)", target)
	}
	sel, err := selectSettings(ctx, d, []int{t}, cfg, newTimings(), func() {})
	if err != nil {
		return nil, err
	}
	cfg = sel[0].Chosen.apply(cfg)
	tg, err := BuildGraph(d, t, cfg.Graph)
	if err != nil {
		return nil, fmt.Errorf("graph of %s: %w", target, err)
	}
	var cands []int
	history := make([]int, len(d.Models))
	for mi := range d.Models {
		for di := range d.Datasets {
			if di != t && d.hasHistory[di] && !math.IsNaN(d.norm[di][mi]) {
				history[mi]++
			}
		}
		if history[mi] > 0 {
			cands = append(cands, mi)
		}
	}
	if len(cands) == 0 {
		return nil, fmt.Errorf("no model has fine-tuning history outside %s", target)
	}
	sum := make([]float64, len(cands))
	for s := range cfg.Seeds {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		seed := cfg.Seed + uint64(s)
		emb, err := embed(ctx, d, t, tg, cfg, seed, newTimings()) // the same embeddings as Run's
		if err != nil {
			return nil, fmt.Errorf("embed: %w", err)
		}
		ft, err := Features(d, t, tg, emb, cfg.Features, cfg.Learner, cfg.FeatureOptions, cands)
		if err != nil {
			return nil, err
		}
		pred, err := fitPredict(ft, cfg, seed)
		if err != nil {
			return nil, fmt.Errorf("%s regressor: %w", cfg.Regressor, err)
		}
		blendPrior(pred, ft, cfg.Blend) // score exactly as Run does
		for i, p := range pred {
			sum[i] += p
		}
	}
	out := make([]Recommendation, len(cands))
	for i, mi := range cands {
		out[i] = Recommendation{ModelID: d.Models[mi].ModelID, Score: sum[i] / float64(cfg.Seeds),
			History: history[mi], Recorded: d.acc[t][mi]}
	}
	slices.SortFunc(out, func(a, b Recommendation) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return strings.Compare(a.ModelID, b.ModelID)
	})
	return out, nil
}
