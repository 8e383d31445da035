package pipeline

import (
	"fmt"
	"math"
	"os"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/zoograph/zoograph/graphlearn/node2vec"
)

// FeatureTable is the design matrix of one (target, seed): training rows
// are (model, dataset) pairs of every history dataset but the target, test
// rows are (model, target) for every model with a record on the target.
type FeatureTable struct {
	Names []string
	Train *mat.Dense
	Label []float64 // accuracy min-max normalised within its dataset
	// TrainDataset[i] is the dataset index of training row i.
	TrainDataset []int
	Test         *mat.Dense
	TestModels   []int // model index of each test row
}

// featureSpec says which groups of columns a feature set has.
type featureSpec struct {
	metadata, history, transfer, embeddings, affinity bool
}

func specFor(set string, learner string) featureSpec {
	emb := learner != LearnerNone
	switch set {
	case FeaturesPaper:
		return featureSpec{metadata: true, embeddings: emb}
	case "metadata":
		return featureSpec{metadata: true}
	default:
		return featureSpec{metadata: true, history: true, transfer: true, embeddings: emb, affinity: emb}
	}
}

// transferMethods are the transferability scores used as features, z-scored
// within each dataset. They are computed from a model's features on a
// dataset without fine-tuning, so the target's scores are honest inputs.
var transferMethods = []string{"logme", "reg_h_score"}

// historyKernels are the widths, in units of the zoo's median dataset
// distance, of the similarity-weighted history features.
var historyKernels = []float64{0.25, 0.5, 1}

// Features assembles the design matrix for target t, with test rows for the
// given models (nil = every model with a recorded accuracy on t). emb may be
// nil (no learner). A model's history features on a row of dataset r exclude both r
// (it is the label) and t (it is held out), so training and test rows see
// the same kind of signal and nothing recorded on t is used.
func Features(d *Data, t int, tg *TargetGraph, emb *node2vec.Embeddings, set, learner string, testModels []int) (*FeatureTable, error) {
	spec := specFor(set, learner)
	if os.Getenv("ZG_NORAW") != "" {
		spec.embeddings = false
	}
	if emb == nil {
		spec.embeddings, spec.affinity = false, false
	}
	var names []string
	if spec.metadata {
		names = append(names, "model_log_parameters", "model_input_size", "model_output_size", "model_log_labels",
			"model_reported_accuracy", "model_type", "model_architecture", "model_pretrain_dataset",
			"model_log_downloads", "model_log_likes",
			"dataset_log_examples", "dataset_log_classes", "source_distance")
	}
	if spec.history {
		names = append(names, "hist_mean", "hist_sd", "hist_max", "hist_min", "hist_count", "hist_nearest")
		for _, k := range historyKernels {
			names = append(names, fmt.Sprintf("hist_sim_%g", k))
		}
	}
	var transfer [][][]float64
	if spec.transfer {
		for _, method := range transferMethods {
			if sc := d.scores[method]; sc != nil {
				names = append(names, "transfer_"+method)
				z := make([][]float64, len(sc))
				for di := range sc {
					z[di] = zscores(sc[di])
				}
				transfer = append(transfer, z)
			}
		}
	}
	if spec.affinity {
		names = append(names, "emb_dot", "emb_cosine")
	}
	var dim int
	if spec.embeddings {
		dim = emb.Dim
		for i := range dim {
			names = append(names, fmt.Sprintf("m_f%d", i))
		}
		for i := range dim {
			names = append(names, fmt.Sprintf("d_f%d", i))
		}
	}

	ft := &FeatureTable{Names: names}
	var trainRows [][2]int
	for di := range d.Datasets {
		if di == t || !d.hasHistory[di] {
			continue
		}
		for mi, v := range d.norm[di] {
			if !math.IsNaN(v) {
				trainRows = append(trainRows, [2]int{mi, di})
				ft.Label = append(ft.Label, v)
				ft.TrainDataset = append(ft.TrainDataset, di)
			}
		}
	}
	ft.TestModels = testModels
	if ft.TestModels == nil {
		ft.TestModels = d.TargetModels(t)
	}
	if len(trainRows) == 0 {
		return nil, fmt.Errorf("features for %s: no training rows (no other dataset has usable history)", d.Datasets[t].DatasetID)
	}
	if len(ft.TestModels) == 0 {
		return nil, fmt.Errorf("features for %s: no model has a recorded accuracy on it", d.Datasets[t].DatasetID)
	}
	for _, r := range trainRows {
		if r[1] == t {
			return nil, fmt.Errorf("%w: a training row of %s is on the target", ErrLeak, d.Datasets[t].DatasetID)
		}
	}

	p := len(names)
	ft.Train = mat.NewDense(len(trainRows), p, nil)
	ft.Test = mat.NewDense(len(ft.TestModels), p, nil)
	row := func(dst []float64, mi, di int) {
		c := 0
		if spec.metadata {
			c = metadataFeatures(dst, d, mi, di)
		}
		if spec.history {
			c += historyFeatures(dst[c:], d, mi, di, t)
		}
		for _, z := range transfer {
			dst[c] = z[di][mi]
			c++
		}
		if spec.affinity {
			mv, dv := emb.Vector(tg.Model[mi]), emb.Vector(tg.Dataset[di])
			dot, nm, nd := 0.0, 0.0, 0.0
			for i := range mv {
				dot += float64(mv[i]) * float64(dv[i])
				nm += float64(mv[i]) * float64(mv[i])
				nd += float64(dv[i]) * float64(dv[i])
			}
			dst[c], dst[c+1] = dot, dot/math.Sqrt(nm*nd+1e-12)
			c += 2
		}
		if spec.embeddings {
			for i, x := range emb.Vector(tg.Model[mi]) {
				dst[c+i] = float64(x)
			}
			c += dim
			for i, x := range emb.Vector(tg.Dataset[di]) {
				dst[c+i] = float64(x)
			}
		}
	}
	for i, r := range trainRows {
		row(ft.Train.RawRowView(i), r[0], r[1])
	}
	for i, mi := range ft.TestModels {
		row(ft.Test.RawRowView(i), mi, t)
	}
	return ft, nil
}

// metadataFeatures writes the model and dataset metadata of pair (mi, di)
// and returns the number of columns written. Unknown values are NaN.
func metadataFeatures(dst []float64, d *Data, mi, di int) int {
	m, ds := &d.Models[mi], &d.Datasets[di]
	code := func(enc map[string]float64, k string) float64 {
		if v, ok := enc[k]; ok {
			return v
		}
		return math.NaN()
	}
	arch := strings.Join(m.Architectures, ",")
	dst[0] = logOrNaN(float64(m.NumParameters))
	dst[1] = zeroNaN(float64(m.InputSize))
	dst[2] = zeroNaN(float64(m.OutputSize))
	dst[3] = logOrNaN(float64(m.NumLabels))
	dst[4] = m.ReportedAccuracy
	dst[5] = code(d.modelType, m.ModelType)
	dst[6] = code(d.architecture, arch)
	dst[7] = code(d.pretrain, m.PretrainDataset)
	dst[8] = math.Log1p(float64(m.Downloads))
	dst[9] = math.Log1p(float64(m.Likes))
	dst[10] = logOrNaN(float64(ds.NumExamples))
	dst[11] = logOrNaN(float64(ds.NumClasses))
	dst[12] = sourceDistance(d, mi, di)
	return 13
}

// sourceDistance is the distance between dataset di and the nearest of the
// model's source datasets, divided by the largest distance in di's row
// (the paper's row-wise scaling). Unknown is NaN — not 0, which the paper
// used and which reads as "identical" (research §8.13).
func sourceDistance(d *Data, mi, di int) float64 {
	m := &d.Models[mi]
	best := math.NaN()
	try := func(id string) {
		si, ok := d.datasetIdx[id]
		if !ok {
			return
		}
		if v := d.dist[di][si]; !math.IsNaN(v) && (math.IsNaN(best) || v < best) {
			best = v
		}
	}
	try(m.PretrainDataset)
	for _, s := range m.SourceDatasets {
		try(s)
	}
	if math.IsNaN(best) {
		return best
	}
	rowMax := 0.0
	for _, v := range d.dist[di] {
		if !math.IsNaN(v) {
			rowMax = math.Max(rowMax, v)
		}
	}
	if rowMax == 0 {
		return math.NaN()
	}
	return best / rowMax
}

// historyFeatures writes model mi's fine-tuning history on every history
// dataset except di and t: mean, sd, max, min and count of its normalised
// accuracies, its accuracy on the dataset nearest to di, and means weighted
// by the similarity kernel exp(−dist(di, r)/(k·scale)).
func historyFeatures(dst []float64, d *Data, mi, di, t int) int {
	var sum, ss, n float64
	lo, hi := math.Inf(1), math.Inf(-1)
	nearest, nearestDist := math.NaN(), math.Inf(1)
	ksum := make([]float64, len(historyKernels))
	kw := make([]float64, len(historyKernels))
	for r := range d.Datasets {
		if r == di || r == t || !d.hasHistory[r] {
			continue
		}
		v := d.norm[r][mi]
		if math.IsNaN(v) {
			continue
		}
		sum += v
		ss += v * v
		n++
		lo, hi = math.Min(lo, v), math.Max(hi, v)
		dist := d.dist[di][r]
		if math.IsNaN(dist) {
			continue
		}
		if dist < nearestDist {
			nearest, nearestDist = v, dist
		}
		for k, width := range historyKernels {
			w := math.Exp(-dist / (width * d.distScale))
			ksum[k] += w * v
			kw[k] += w
		}
	}
	nan := math.NaN()
	if n == 0 {
		for i := range 6 + len(historyKernels) {
			dst[i] = nan
		}
		dst[4] = 0
		return 6 + len(historyKernels)
	}
	mean := sum / n
	dst[0] = mean
	dst[1] = math.Sqrt(math.Max(0, ss/n-mean*mean))
	dst[2], dst[3], dst[4], dst[5] = hi, lo, n, nearest
	for k := range historyKernels {
		dst[6+k] = nan
		if kw[k] > 0 {
			dst[6+k] = ksum[k] / kw[k]
		}
	}
	return 6 + len(historyKernels)
}

func logOrNaN(x float64) float64 {
	if x <= 0 {
		return math.NaN()
	}
	return math.Log(x)
}

func zeroNaN(x float64) float64 {
	if x == 0 {
		return math.NaN()
	}
	return x
}
