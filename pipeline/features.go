package pipeline

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
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

	// TrainModels[i] is the model index of training row i, and
	// TrainFailed[i] says whether its fine-tune failed (see failedRows),
	// for failure-aware prediction.
	TrainModels []int
	TrainFailed []bool
}

// featureSpec says which groups of columns a feature set has.
type featureSpec struct {
	metadata, history, transfer, embeddings, affinity bool
	// agreement: the standardised and agreement-weighted history, the
	// source similarity, the probe score and the base model, for zoos
	// without distances (with distances the similarity kernels of the
	// history group play this part).
	agreement bool
	// lowRank: the low-rank model's prediction, general factor and lineage
	// offset (lowRankFamily), with the agreement group.
	lowRank bool
	// cf: the collaborative filter over the revealed models (cfFamily),
	// with the agreement group on a warm run only.
	cf bool
}

func specFor(set FeatureSet, learner Learner) featureSpec {
	emb := learner != LearnerNone
	switch set {
	case FeaturesPaper:
		return featureSpec{metadata: true, embeddings: emb}
	case FeaturesMetadata:
		return featureSpec{metadata: true}
	default:
		return featureSpec{metadata: true, history: true, transfer: true, embeddings: emb, affinity: emb}
	}
}

// transferMethods are the transferability scores used as features, z-scored
// within each dataset. They are computed from a model's features on a
// dataset without fine-tuning, so the target's scores are honest inputs.
var transferMethods = []string{"logme", "reg_h_score"}

// historyKernels are the widths, in standard deviations of a row's
// hubness-corrected distances, of the similarity-weighted history features.
var historyKernels = []float64{0.25, 0.5, 1, 2}

// Features assembles the design matrix for target t, with test rows for the
// given models (nil = every model with a recorded accuracy on t). emb may be
// nil (no learner). A model's history features on a row of dataset r exclude both r
// (it is the label) and t (it is held out), so training and test rows see
// the same kind of signal and nothing recorded on t is used.
func Features(d *Data, t int, tg *TargetGraph, emb Embedding, set FeatureSet, learner Learner, opt FeatureConfig, testModels []int) (*FeatureTable, error) {
	spec := specFor(set, learner)
	if set == FeaturesZoograph && !opt.RawEmbeddings {
		spec.embeddings = false
	}
	if emb == nil {
		spec.embeddings, spec.affinity = false, false
	}
	if opt.NoHistory {
		spec.history = false
	}
	spec.agreement = spec.history && !d.hasDistances
	spec.lowRank = spec.agreement && !opt.NoLowRank
	spec.cf = spec.agreement && tg.Probe > 0 && !opt.NoCF
	ft, trainRows, err := featureRows(d, t, tg, opt.MaxRowsPerDataset, testModels)
	if err != nil {
		return nil, err
	}
	fams := featureFamilies(d, t, tg, emb, spec)
	for _, f := range fams {
		ft.Names = append(ft.Names, f.names...)
	}
	p := len(ft.Names)
	ft.Train = mat.NewDense(len(trainRows), p, nil)
	ft.Test = mat.NewDense(len(ft.TestModels), p, nil)
	for i, r := range trainRows {
		fillRow(ft.Train.RawRowView(i), fams, r[0], r[1])
	}
	for i, mi := range ft.TestModels {
		fillRow(ft.Test.RawRowView(i), fams, mi, t)
	}
	if opt.GroupStandardize {
		groupStandardize(ft)
	}
	return ft, nil
}

// featureRows returns the rows of target t's table, without columns: a
// training row (model, dataset) for up to maxRows models (trainModels) of
// every history dataset but t, labelled with the normalised accuracy, and
// the test models (testModels, or when nil every model with a record on t
// that tg does not reveal). On a warm run a history dataset reveals K models
// of its own as t does (targetAgreement.known); their labels feed that
// dataset's row features, so, like t's revealed models, they are not rows. It fails when either is empty, and with ErrLeak
// if a training row is on t.
func featureRows(d *Data, t int, tg *TargetGraph, maxRows int, testModels []int) (*FeatureTable, [][2]int, error) {
	ft := &FeatureTable{}
	var trainRows [][2]int
	for di := range d.Datasets {
		if di == t || !d.hasHistory[di] {
			continue
		}
		revealed := tg.revealedOn(d, di)
		for _, mi := range trainModels(d, di, maxRows, tg.Seed) {
			if _, ok := slices.BinarySearch(revealed, mi); ok {
				continue
			}
			trainRows = append(trainRows, [2]int{mi, di})
			ft.Label = append(ft.Label, d.norm[di][mi])
			ft.TrainDataset = append(ft.TrainDataset, di)
			ft.TrainModels = append(ft.TrainModels, mi)
		}
	}
	ft.TrainFailed = failedRows(d, ft)
	ft.TestModels = testModels
	if ft.TestModels == nil {
		ft.TestModels = tg.unrevealed(d.TargetModels(t))
	}
	// On a warm run, a probe as large as the datasets reveals every model.
	var probe string
	if tg.Probe > 0 {
		probe = fmt.Sprintf(", or probe = %d reveals every model recorded there", tg.Probe)
	}
	if len(trainRows) == 0 {
		return nil, nil, fmt.Errorf("features for %s: no training rows (no other dataset has usable history%s)", d.Datasets[t].DatasetID, probe)
	}
	if len(ft.TestModels) == 0 {
		return nil, nil, fmt.Errorf("features for %s: no model with a recorded accuracy on it is left to predict%s", d.Datasets[t].DatasetID, probe)
	}
	for _, r := range trainRows {
		if r[1] == t {
			return nil, nil, fmt.Errorf("%w: a training row of %s is on the target", ErrLeak, d.Datasets[t].DatasetID)
		}
	}
	return ft, trainRows, nil
}

// featureFamily is one family of columns of the design matrix: their names,
// and the function that writes their values for the pair (model mi,
// dataset di) into dst, which has exactly len(names) elements.
type featureFamily struct {
	names []string
	fill  func(dst []float64, mi, di int)
}

// fillRow writes the row of pair (mi, di): each family's columns in turn.
func fillRow(dst []float64, fams []featureFamily, mi, di int) {
	c := 0
	for _, f := range fams {
		f.fill(dst[c:c+len(f.names)], mi, di)
		c += len(f.names)
	}
}

// featureFamilies returns the families of columns spec selects for target
// t, in column order: metadata, history, score-similarity history,
// transferability scores, agreement, low-rank, collaborative filter, embedding
// affinity, raw embeddings.
// emb is read only by the last two.
func featureFamilies(d *Data, t int, tg *TargetGraph, emb Embedding, spec featureSpec) []featureFamily {
	var fams []featureFamily
	if spec.metadata {
		fams = append(fams, metadataFamily(d, t))
	}
	if spec.history {
		fams = append(fams, historyFamily(d, t))
	}
	if spec.history && spec.transfer {
		fams = append(fams, scoreSimilarityFamily(d, t))
	}
	if spec.transfer {
		fams = append(fams, transferFamily(d))
	}
	if spec.agreement {
		fams = append(fams, agreementFamily(d, t, tg))
	}
	if spec.lowRank {
		fams = append(fams, lowRankFamily(d, t, tg))
	}
	if spec.cf {
		fams = append(fams, cfFamily(d, t, tg))
	}
	if spec.affinity {
		fams = append(fams, affinityFamily(tg, emb))
	}
	if spec.embeddings {
		fams = append(fams, embeddingFamily(tg, emb))
	}
	return fams
}

// metadataFamily is the model and dataset metadata (metadataFeatures) of
// the rows of target t.
func metadataFamily(d *Data, t int) featureFamily {
	return featureFamily{
		names: []string{"model_log_parameters", "model_input_size", "model_output_size", "model_log_labels",
			"model_reported_accuracy", "model_type", "model_architecture", "model_pretrain_dataset",
			"model_log_downloads", "model_log_likes",
			"dataset_log_examples", "dataset_log_classes", "source_distance"},
		fill: func(dst []float64, mi, di int) { metadataFeatures(dst, d, t, mi, di) },
	}
}

// historyFamily is the model's fine-tuning history on the history datasets
// but the row's and t (historyFeatures): summary statistics, the nearest
// dataset's accuracy, and one similarity-kernel mean per historyKernels.
func historyFamily(d *Data, t int) featureFamily {
	names := []string{"hist_mean", "hist_sd", "hist_max", "hist_min", "hist_count", "hist_nearest"}
	for _, k := range historyKernels {
		names = append(names, fmt.Sprintf("hist_sim_%g", k))
	}
	sims := newSimilarity(d, t)
	return featureFamily{names: names, fill: func(dst []float64, mi, di int) { historyFeatures(dst, d, mi, di, t, sims) }}
}

// scoreSimilarityFamily is, per transferMethods method the zoo has scores
// of, the model's history weighted by how well the row dataset's scores
// agree with each history dataset's accuracies (scoreSimilarity):
// "hist_<method>_sim".
func scoreSimilarityFamily(d *Data, t int) featureFamily {
	var f featureFamily
	var sims []*scoreSimilarity
	for _, method := range transferMethods {
		if sc := d.scores[method]; sc != nil {
			f.names = append(f.names, "hist_"+method+"_sim")
			sims = append(sims, newScoreSimilarity(d, t, sc))
		}
	}
	f.fill = func(dst []float64, mi, di int) {
		for i, s := range sims {
			dst[i] = s.history(mi, di)
		}
	}
	return f
}

// transferFamily is, per transferMethods method the zoo has scores of, the
// pair's score z-scored within its dataset: "transfer_<method>".
func transferFamily(d *Data) featureFamily {
	var f featureFamily
	var transfer [][][]float64
	for _, method := range transferMethods {
		if sc := d.scores[method]; sc != nil {
			f.names = append(f.names, "transfer_"+method)
			z := make([][]float64, len(sc))
			for di := range sc {
				z[di] = zscores(sc[di])
			}
			transfer = append(transfer, z)
		}
	}
	f.fill = func(dst []float64, mi, di int) {
		for i, z := range transfer {
			dst[i] = z[di][mi]
		}
	}
	return f
}

// agreementFamily is the agreement features of target t for zoos without
// distances (agreementFeatures), from tg's agreement or, when tg has none,
// one computed from tg's probe and revealed models.
func agreementFamily(d *Data, t int, tg *TargetGraph) featureFamily {
	agree := tg.agree
	if agree == nil {
		agree = newTargetAgreement(d, t, tg.Probe, tg.Revealed, tg.Seed)
	}
	return featureFamily{names: agreementFeatureNames,
		fill: func(dst []float64, mi, di int) { agreementFeatures(dst, d, agree, mi, di) }}
}

// affinityFamily is the affinity of the model's and the dataset's
// embeddings: their dot product, their cosine, and the embedding's own
// pair score where it has one (a pairScorer): "emb_dot", "emb_cosine",
// "emb_score". A cross-fitted embedding gives a training row its dataset's
// fold and a test row the mean over the folds.
func affinityFamily(tg *TargetGraph, emb Embedding) featureFamily {
	forRow := func(int) []Embedding { return []Embedding{emb} }
	if c, ok := emb.(*crossFitted); ok {
		forRow, emb = c.forRow, c.folds[0]
	}
	f := featureFamily{names: []string{"emb_dot", "emb_cosine"}}
	if _, scored := emb.(pairScorer); scored {
		f.names = append(f.names, "emb_score")
	}
	f.fill = func(dst []float64, mi, di int) {
		embs := forRow(di)
		clear(dst[:len(f.names)])
		for _, e := range embs {
			mv, dv := e.Vector(tg.Model[mi]), e.Vector(tg.Dataset[di])
			dot, nm, nd := 0.0, 0.0, 0.0
			for i := range mv {
				dot += float64(mv[i]) * float64(dv[i])
				nm += float64(mv[i]) * float64(mv[i])
				nd += float64(dv[i]) * float64(dv[i])
			}
			dst[0] += dot
			dst[1] += dot / math.Sqrt(nm*nd+1e-12)
			if scorer, ok := e.(pairScorer); ok {
				dst[2] += scorer.Score(tg.Model[mi], tg.Dataset[di])
			}
		}
		for j := range f.names {
			dst[j] /= float64(len(embs))
		}
	}
	return f
}

// embeddingFamily is the raw embeddings: the model's vector ("m_f0", ...)
// then the dataset's ("d_f0", ...).
func embeddingFamily(tg *TargetGraph, emb Embedding) featureFamily {
	dim := len(emb.Vector(0))
	var f featureFamily
	for i := range dim {
		f.names = append(f.names, fmt.Sprintf("m_f%d", i))
	}
	for i := range dim {
		f.names = append(f.names, fmt.Sprintf("d_f%d", i))
	}
	f.fill = func(dst []float64, mi, di int) {
		for i, x := range emb.Vector(tg.Model[mi]) {
			dst[i] = float64(x)
		}
		for i, x := range emb.Vector(tg.Dataset[di]) {
			dst[dim+i] = float64(x)
		}
	}
	return f
}

// trainModels returns the models of history dataset di that give training
// rows: all of them, or, when there are more than max (> 0), max drawn with
// seed and the dataset's id (revealModels), in increasing index order.
func trainModels(d *Data, di, max int, seed uint64) []int {
	if max <= 0 {
		return d.TargetModels(di)
	}
	return revealModels(d, di, max, seed^trainRowsSeed)
}

// trainRowsSeed sets the draw of training rows apart from the draw of a warm
// task's revealed models, which uses the same seed.
const trainRowsSeed = 0x7261_6e6b_726f_7773

// groupStandardize z-scores, within each dataset's rows, the label and the
// model-level continuous columns, so that a pooled regression fits the
// within-dataset variation the per-target correlation measures.
func groupStandardize(ft *FeatureTable) {
	var cols []int
	for j, n := range ft.Names {
		if strings.HasPrefix(n, "hist_") || strings.HasPrefix(n, "transfer_") || strings.HasPrefix(n, "emb_") || strings.HasPrefix(n, "lr_") ||
			n == "model_log_parameters" || n == "model_reported_accuracy" || n == "source_distance" || n == "model_log_downloads" {
			if n != "hist_count" {
				cols = append(cols, j)
			}
		}
	}
	groups := map[int][]int{}
	for i, di := range ft.TrainDataset {
		groups[di] = append(groups[di], i)
	}
	zs := func(m *mat.Dense, rows []int, j int) {
		var s, ss, n float64
		for _, i := range rows {
			if v := m.At(i, j); !math.IsNaN(v) {
				s += v
				ss += v * v
				n++
			}
		}
		if n < 2 {
			return
		}
		mean := s / n
		sd := math.Sqrt(math.Max(0, ss/n-mean*mean))
		for _, i := range rows {
			if v := m.At(i, j); !math.IsNaN(v) {
				if sd > 0 {
					m.Set(i, j, (v-mean)/sd)
				} else {
					m.Set(i, j, 0)
				}
			}
		}
	}
	for _, rows := range groups {
		for _, j := range cols {
			zs(ft.Train, rows, j)
		}
		var s, ss float64
		for _, i := range rows {
			s += ft.Label[i]
			ss += ft.Label[i] * ft.Label[i]
		}
		n := float64(len(rows))
		mean := s / n
		sd := math.Sqrt(math.Max(0, ss/n-mean*mean))
		for _, i := range rows {
			if sd > 0 {
				ft.Label[i] = (ft.Label[i] - mean) / sd
			}
		}
	}
	r, _ := ft.Test.Dims()
	all := make([]int, r)
	for i := range all {
		all[i] = i
	}
	for _, j := range cols {
		zs(ft.Test, all, j)
	}
}

// metadataFeatures writes the model and dataset metadata of pair (mi, di),
// a row of target t's table, and returns the number of columns written.
// Unknown values are NaN, and so is the model's reported accuracy when the
// model was trained on di or on t (d.reportedOn): its card then reports a
// fine-tuning result on that dataset, which is the row's label or t's
// record, and no row of t's table — training or test — may see t's records.
func metadataFeatures(dst []float64, d *Data, t, mi, di int) int {
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
	if slices.Contains(d.reportedOn[mi], di) || slices.Contains(d.reportedOn[mi], t) {
		dst[4] = math.NaN()
	}
	dst[5] = code(d.modelType, m.ModelType)
	dst[6] = code(d.architecture, arch)
	dst[7] = code(d.pretrain, m.PretrainDataset)
	dst[8] = math.Log1p(float64(m.Downloads))
	dst[9] = math.Log1p(float64(m.Likes))
	dst[10] = datasetLogSize(ds)
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
// accuracies, its accuracy on the dataset most similar to di, and means
// weighted by the similarity kernels of sims (see similarityWeights).
func historyFeatures(dst []float64, d *Data, mi, di, t int, sims *similarity) int {
	var sum, ss, n float64
	lo, hi := math.Inf(1), math.Inf(-1)
	nearest, nearestRank := math.NaN(), math.Inf(1)
	w := sims.weights(di)
	nk := len(historyKernels)
	var ksum, kw [8]float64
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
		if w == nil || math.IsNaN(w.rel[r]) {
			continue
		}
		if w.rel[r] < nearestRank {
			nearest, nearestRank = v, w.rel[r]
		}
		for k := range nk {
			ksum[k] += w.kernel[k][r] * v
			kw[k] += w.kernel[k][r]
		}
	}
	cols := 6 + nk
	if n == 0 {
		for i := range cols {
			dst[i] = math.NaN()
		}
		dst[4] = 0
		return cols
	}
	mean := sum / n
	dst[0] = mean
	dst[1] = math.Sqrt(math.Max(0, ss/n-mean*mean))
	dst[2], dst[3], dst[4], dst[5] = hi, lo, n, nearest
	for k := range nk {
		dst[6+k] = math.NaN()
		if kw[k] > 0 {
			dst[6+k] = ksum[k] / kw[k]
		}
	}
	return cols
}

// scoreSimilarity weighs history datasets by how well a row dataset's
// transferability scores (computed without fine-tuning, so honest for the
// target too) agree with each history dataset's accuracies: for row
// dataset a and history dataset b, w(a,b) = max(0, r(s_a, acc_b))², r the
// Pearson correlation over the models with both. The history feature is the
// w-weighted mean of the model's normalised accuracies.
type scoreSimilarity struct {
	d      *Data
	t      int
	scores [][]float64
	rows   map[int][]float64
}

func newScoreSimilarity(d *Data, t int, scores [][]float64) *scoreSimilarity {
	return &scoreSimilarity{d: d, t: t, scores: scores, rows: map[int][]float64{}}
}

func (s *scoreSimilarity) weights(a int) []float64 {
	if w, ok := s.rows[a]; ok {
		return w
	}
	var w []float64
	sa := s.scores[a]
	for b := range s.d.Datasets {
		if b == a || b == s.t || !s.d.hasHistory[b] {
			continue
		}
		var x, y []float64
		for mi, v := range s.d.norm[b] {
			if !math.IsNaN(v) && !math.IsNaN(sa[mi]) {
				x = append(x, sa[mi])
				y = append(y, v)
			}
		}
		if len(x) < 5 {
			continue
		}
		if w == nil {
			w = make([]float64, len(s.d.Datasets))
		}
		if r := stat.Correlation(x, y, nil); r > 0 {
			w[b] = r * r
		}
	}
	s.rows[a] = w
	return w
}

func (s *scoreSimilarity) history(mi, a int) float64 {
	w := s.weights(a)
	if w == nil {
		return math.NaN()
	}
	return weightedMean(w, func(b int) float64 {
		if b == a || b == s.t {
			return math.NaN()
		}
		return s.d.norm[b][mi]
	})
}

// similarity holds, for one target t, the kernel weights between each row
// dataset and the history datasets other than it and t.
type similarity struct {
	d    *Data
	t    int
	rows map[int]*rowWeights
}

type rowWeights struct {
	rel    []float64   // standardised relative distance per history dataset (NaN: unknown)
	kernel [][]float64 // exp(−rel/k) per kernel width k
}

func newSimilarity(d *Data, t int) *similarity {
	return &similarity{d: d, t: t, rows: map[int]*rowWeights{}}
}

// weights returns the kernel weights of row dataset a (nil when a has no
// known distance to any history dataset). Distances are first corrected
// for hubness — d'(a,b) = d(a,b) − (μ_a + μ_b)/2 with μ the dataset's mean
// distance to all others, since a probe embedding puts some datasets near
// everything — then standardised within the row over the candidates b:
// rel(a,b) = (d'(a,b) − min_b d') / sd_b d'. A raw distance kernel would
// weigh every dataset almost alike.
func (s *similarity) weights(a int) *rowWeights {
	if w, ok := s.rows[a]; ok {
		return w
	}
	d := s.d
	n := len(d.Datasets)
	rel := make([]float64, n)
	var cand []float64
	for b := range n {
		rel[b] = math.NaN()
		if b == a || b == s.t || !d.hasHistory[b] || math.IsNaN(d.dist[a][b]) || math.IsNaN(d.meanDist[b]) {
			continue
		}
		rel[b] = d.dist[a][b] - (d.meanDist[a]+d.meanDist[b])/2
		cand = append(cand, rel[b])
	}
	var w *rowWeights
	if len(cand) > 0 {
		lo := slices.Min(cand)
		var mean, ss float64
		for _, x := range cand {
			mean += x
		}
		mean /= float64(len(cand))
		for _, x := range cand {
			ss += (x - mean) * (x - mean)
		}
		sd := math.Sqrt(ss / float64(len(cand)))
		if sd == 0 {
			sd = 1
		}
		for b := range n {
			if !math.IsNaN(rel[b]) {
				rel[b] = (rel[b] - lo) / sd
			}
		}
		w = &rowWeights{rel: rel, kernel: make([][]float64, len(historyKernels))}
		for k, width := range historyKernels {
			w.kernel[k] = make([]float64, n)
			for b := range n {
				if !math.IsNaN(rel[b]) {
					w.kernel[k][b] = math.Exp(-rel[b] / width)
				}
			}
		}
	}
	s.rows[a] = w
	return w
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
