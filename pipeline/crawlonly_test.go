package pipeline_test

import (
	"context"
	"testing"

	"github.com/zoograph/zoograph/pipeline"
)

// TestCrawlOnlyZoo runs and ranks on a zoo made only by a crawl of the
// real cards: the history is the cards' model-index results. The crawl is
// small (439 cards give at most 5 base models per dataset), so the test
// keeps datasets with 3 models in the history, as a user of a small crawl
// would with --config.
func TestCrawlOnlyZoo(t *testing.T) {
	_, tables := realCardsZoo(t)
	if len(tables.Finetunes) != 0 || len(tables.DatasetDistances) != 0 {
		t.Fatalf("the crawl wrote %d finetunes and %d distances", len(tables.Finetunes), len(tables.DatasetDistances))
	}
	cfg := fastConfig([]string{"cifar100"})
	cfg.Clean.MinDatasetModels = 3
	cfg.Baselines = []pipeline.Baseline{"random"}
	res, err := pipeline.Run(context.Background(), tables, cfg, pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.History == nil || res.History.Records == 0 || len(res.Predictions) == 0 {
		t.Fatalf("run: history %+v, %d predictions", res.History, len(res.Predictions))
	}
	t.Logf("run: %d history records, graph %+v", res.History.Records, res.GraphStats["cifar100"])

	kinds := map[string]string{"image": "image", "text": "text"}
	for _, desc := range []*pipeline.Description{
		{Name: "my-snacks", Modality: "image", Task: "image-classification", NumClasses: 20, NumExamples: 5000, Domain: "food snacks"},
		{Name: "my-reviews", Modality: "text", Task: "text-classification", NumClasses: 2, NumExamples: 12000, Languages: []string{"en"}, Domain: "movie reviews"},
	} {
		cfg := rankConfig()
		cfg.Clean.MinDatasetModels = 3
		r, err := pipeline.Recommend(context.Background(), tables, cfg, pipeline.Target{Describe: desc}, pipeline.RecommendOptions{Calibration: 2})
		if err != nil {
			t.Fatalf("%s: %v", desc.Name, err)
		}
		if len(r.Models) == 0 {
			t.Fatalf("%s: no recommendation", desc.Name)
		}
		for _, m := range r.Models {
			if m.Kind.Modality != kinds[desc.Modality] {
				t.Errorf("%s: %s is a %s model (%s)", desc.Name, m.ModelID, m.Kind.Modality, m.Kind.Evidence)
			}
			if m.Rank <= 3 {
				t.Logf("%s: %d %s %.3f [%.3f, %.3f] %s %v", desc.Name, m.Rank, m.ModelID, m.Predicted, m.Low, m.High, m.Basis, m.Evidence)
			}
		}
		t.Logf("%s: %v; nearest %+v", desc.Name, r.Filter.Lines(), r.Nearest)
	}
}
