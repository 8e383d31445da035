package pipeline_test

import (
	"context"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/store"
)

// benchmarkTargets are the image benchmark's evaluation targets.
var benchmarkTargets = []string{"caltech101", "cifar100", "dtd", "flowers", "pets", "smallnorb_label_elevation", "stanfordcars", "svhn"}

// TestMetadataDistanceImageBenchmark measures, leave-one-dataset-out on the
// image benchmark, how well metadata similarity ranks the datasets like the
// recorded (probe-embedding) distance does. The benchmark's datasets have
// only classes and size as metadata, so it cannot do well; the number is
// reported, and only its computation is checked.
func TestMetadataDistanceImageBenchmark(t *testing.T) {
	tables := imageBenchmark(t)
	v, err := pipeline.ValidateMetadataDistance(tables, pipeline.DefaultConfig().Clean)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range v.Datasets {
		t.Logf("%-32s Spearman %+.3f", d, v.Spearman[i])
	}
	t.Logf("mean Spearman %.3f (hubness-corrected %.3f); top-3 overlap %.3f (chance %.3f)", v.Mean, v.Corrected, v.Top3, v.Chance)
	if len(v.Datasets) != 12 || math.IsNaN(v.Mean) || v.Mean < -1 || v.Mean > 1 {
		t.Errorf("%d datasets validated, mean %v", len(v.Datasets), v.Mean)
	}
}

// TestRecommendImageBenchmark ranks every benchmark target twice — as a
// dataset of the zoo (recorded distances, transferability scores), and
// described by its metadata alone (modality, task, classes, examples: its
// distances, scores and records removed) — and measures against the
// recorded accuracies: the Pearson correlation of the scores, the interval
// coverage and the error of the predicted accuracy. Fixed settings (no
// nested selection) and one seed keep it to a minute.
func TestRecommendImageBenchmark(t *testing.T) {
	if testing.Short() {
		t.Skip("ranks the image benchmark's 8 targets twice: skipped under -short")
	}
	tables := imageBenchmark(t)
	cfg := pipeline.DefaultConfig()
	cfg.Seeds = 1
	cfg.Selection.Mode = pipeline.SelectFixed
	ctx := context.Background()
	var zooPearson, metaPearson, inside, total, absErr float64
	for _, target := range benchmarkTargets {
		recorded := map[string]float64{}
		for _, f := range tables.Finetunes {
			if f.DatasetID == target && f.Method == "full" {
				recorded[f.ModelID] = f.Accuracy
			}
		}
		pearson := func(r *pipeline.Recommendations) float64 {
			var p, a []float64
			for _, m := range r.Models {
				if v, ok := recorded[m.ModelID]; ok {
					p, a = append(p, m.Score), append(a, v)
				}
			}
			return stat.Correlation(p, a, nil)
		}
		r, err := pipeline.Recommend(ctx, tables, cfg, pipeline.Target{ID: target}, pipeline.RecommendOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var in, n, ae float64
		for _, m := range r.Models {
			if math.IsNaN(m.Recorded) {
				continue
			}
			n++
			ae += math.Abs(m.Predicted - m.Recorded)
			if m.Recorded >= m.Low && m.Recorded <= m.High {
				in++
			}
		}

		var row store.Dataset
		for _, d := range tables.Datasets {
			if d.DatasetID == target {
				row = d
			}
		}
		stripped := *tables
		stripped.Datasets = slices.DeleteFunc(slices.Clone(tables.Datasets), func(d store.Dataset) bool { return d.DatasetID == target })
		stripped.Finetunes = slices.DeleteFunc(slices.Clone(tables.Finetunes), func(f store.Finetune) bool { return f.DatasetID == target })
		stripped.Scores = slices.DeleteFunc(slices.Clone(tables.Scores), func(s store.Score) bool { return s.DatasetID == target })
		stripped.DatasetDistances = slices.DeleteFunc(slices.Clone(tables.DatasetDistances), func(x store.DatasetDistance) bool {
			return x.DatasetA == target || x.DatasetB == target
		})
		desc := &pipeline.Description{Name: target, Modality: "image", Task: "image-classification", NumClasses: row.NumClasses, NumExamples: row.NumExamples}
		md, err := pipeline.Recommend(ctx, &stripped, cfg, pipeline.Target{Describe: desc}, pipeline.RecommendOptions{Calibration: -1})
		if err != nil {
			t.Fatal(err)
		}
		zp, mp := pearson(r), pearson(md)
		t.Logf("%-26s zoo target: Pearson %.3f, coverage %.2f, MAE %.3f | described by metadata: Pearson %.3f",
			target, zp, in/n, ae/n, mp)
		zooPearson += zp / float64(len(benchmarkTargets))
		metaPearson += mp / float64(len(benchmarkTargets))
		inside += in
		total += n
		absErr += ae
	}
	t.Logf("mean Pearson %.3f as zoo targets, %.3f described by metadata alone; %.0f%% interval coverage %.3f, MAE %.3f",
		zooPearson, metaPearson, 100*0.8, inside/total, absErr/total)
	// The published LogME mean over these targets is 0.435: a ranking from
	// metadata alone must beat a transferability score that needs a forward
	// pass, and the interval must hold most recorded accuracies.
	if metaPearson <= 0.435 || zooPearson <= 0.435 {
		t.Errorf("mean Pearson %.3f (zoo) and %.3f (metadata): not above LogME's 0.435", zooPearson, metaPearson)
	}
	if c := inside / total; c < 0.6 || c > 0.98 {
		t.Errorf("interval coverage %.3f, far from the nominal 0.8", c)
	}
}
