package demo

import (
	"math"
	"reflect"
	"testing"

	"gonum.org/v1/gonum/stat"
)

func TestGenerateSampleDeterministic(t *testing.T) {
	a := GenerateSample(DefaultSampleOptions())
	b := GenerateSample(DefaultSampleOptions())
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same options gave different samples")
	}
	c := GenerateSample(SampleOptions{BaseModels: 100, Seed: 8})
	if reflect.DeepEqual(a.Finetunes, c.Finetunes) {
		t.Fatal("different seeds gave the same fine-tuning history")
	}
}

func TestGenerateSampleShape(t *testing.T) {
	s := GenerateSample(DefaultSampleOptions())
	if n := len(s.Models); n < 200 || n > 400 {
		t.Errorf("models = %d, want a few hundred", n)
	}
	if n := len(s.Datasets); n < 24 {
		t.Errorf("datasets = %d, want a few dozen", n)
	}
	ids := map[string]bool{}
	var children int
	for _, m := range s.Models {
		if ids[m.ID] {
			t.Errorf("duplicate model id %s", m.ID)
		}
		ids[m.ID] = true
		if m.BaseModel != "" {
			children++
		}
		if m.README == "" || m.SourceDataset == "" {
			t.Errorf("%s: missing card or source dataset", m.ID)
		}
	}
	for _, m := range s.Models {
		if m.BaseModel != "" && !ids[m.BaseModel] {
			t.Errorf("%s: base model %s not in the sample", m.ID, m.BaseModel)
		}
	}
	if children == 0 {
		t.Error("no fine-tuned variants (lineage)")
	}
	nd := len(s.Datasets)
	if len(s.Distances) != nd*(nd-1) {
		t.Errorf("distances = %d, want %d (all ordered pairs)", len(s.Distances), nd*(nd-1))
	}
}

// TestSamplePlantedStructure checks that the planted structure is there and
// that the baselines see it only faintly: per target, a model's mean
// normalised accuracy on the other datasets predicts its accuracy far better
// than the LogME-like score or downloads.
func TestSamplePlantedStructure(t *testing.T) {
	s := GenerateSample(DefaultSampleOptions())
	acc := map[string]map[string]float64{}
	for _, f := range s.Finetunes {
		if acc[f.DatasetID] == nil {
			acc[f.DatasetID] = map[string]float64{}
		}
		acc[f.DatasetID][f.ModelID] = f.Accuracy // last run wins: fine for this check
	}
	norm := map[string]map[string]float64{}
	for d, m := range acc {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range m {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		norm[d] = map[string]float64{}
		for k, v := range m {
			norm[d][k] = (v - lo) / (hi - lo)
		}
	}
	logme := map[[2]string]float64{}
	for _, sc := range s.Scores {
		if sc.Method == "logme" {
			logme[[2]string{sc.DatasetID, sc.ModelID}] = sc.Score
		}
	}
	downloads := map[string]float64{}
	for _, m := range s.Models {
		downloads[m.ID] = math.Log1p(float64(m.Downloads))
	}
	var sumHist, sumLogME, sumDown float64
	for _, target := range s.Targets {
		var a, hist, lm, dl []float64
		for m, v := range acc[target] {
			var h, n float64
			for d := range norm {
				if x, ok := norm[d][m]; ok && d != target {
					h += x
					n++
				}
			}
			if n == 0 {
				continue
			}
			a = append(a, v)
			hist = append(hist, h/n)
			lm = append(lm, logme[[2]string{target, m}])
			dl = append(dl, downloads[m])
		}
		ph, pl, pd := stat.Correlation(a, hist, nil), stat.Correlation(a, lm, nil), stat.Correlation(a, dl, nil)
		t.Logf("%-22s n=%3d history %.3f logme %.3f downloads %.3f", target, len(a), ph, pl, pd)
		sumHist += ph
		sumLogME += pl
		sumDown += pd
	}
	n := float64(len(s.Targets))
	if sumHist/n < 0.5 {
		t.Errorf("mean history correlation %.3f: the planted structure is too weak", sumHist/n)
	}
	if sumLogME/n > sumHist/n-0.1 || sumDown/n > sumHist/n-0.1 {
		t.Errorf("baselines too strong: logme %.3f, downloads %.3f vs history %.3f", sumLogME/n, sumDown/n, sumHist/n)
	}
}
