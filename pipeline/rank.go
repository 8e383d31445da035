package pipeline

import (
	"context"

	"github.com/zoograph/zoograph/store"
)

// Rank predicts, for a dataset of the zoo, the fine-tuning accuracy of
// every model that fits it, with nothing recorded on the dataset, and
// returns the models best first: Recommend for Target{ID: target} with the
// default calibration.
func Rank(ctx context.Context, zoo *store.Tables, cfg Config, target string) ([]Recommendation, error) {
	r, err := Recommend(ctx, zoo, cfg, Target{ID: target}, RecommendOptions{})
	if err != nil {
		return nil, err
	}
	return r.Models, nil
}
