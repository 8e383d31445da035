package pipeline

import (
	"fmt"
	"runtime"
	"slices"
	"strings"

	"github.com/zoograph/zoograph/graphlearn/gnn"
	"github.com/zoograph/zoograph/graphlearn/node2vec"
	"github.com/zoograph/zoograph/graphlearn/regress"
	"github.com/zoograph/zoograph/pipeline/evaluate"
)

// Learner is the graph learner that makes the node embeddings. Like
// slog.Level it is text in JSON and on the command line: UnmarshalText
// accepts the names of Learners and nothing else.
type Learner string

// Learners.
const (
	LearnerNode2Vec     Learner = "node2vec"
	LearnerNode2VecPlus Learner = "node2vec+"
	// LearnerGraphSAGE and LearnerGAT train a graph neural network
	// (graphlearn/gnn) on the graph with the metadata as node features.
	LearnerGraphSAGE Learner = "graphsage"
	LearnerGAT       Learner = "gat"
	LearnerNone      Learner = "none"
)

// Learners lists the valid learners.
func Learners() []Learner {
	return []Learner{LearnerNode2Vec, LearnerNode2VecPlus, LearnerGraphSAGE, LearnerGAT, LearnerNone}
}

func (l Learner) String() string                { return string(l) }
func (l Learner) MarshalText() ([]byte, error)  { return []byte(l), nil }
func (l *Learner) UnmarshalText(b []byte) error { return parseName(l, "learner", b, Learners()) }

// Regressor is the model that predicts fine-tuning accuracy from the
// features.
type Regressor string

// Regressors.
const (
	RegressorLinear Regressor = "linear"
	RegressorForest Regressor = "rf"
	RegressorGBDT   Regressor = "gbdt"
)

// Regressors lists the valid regressors.
func Regressors() []Regressor { return []Regressor{RegressorLinear, RegressorForest, RegressorGBDT} }

func (r Regressor) String() string                { return string(r) }
func (r Regressor) MarshalText() ([]byte, error)  { return []byte(r), nil }
func (r *Regressor) UnmarshalText(b []byte) error { return parseName(r, "regressor", b, Regressors()) }

// FeatureSet names the columns of the feature table.
type FeatureSet string

// Feature sets.
const (
	// FeaturesZoograph is the default set: model and target metadata, the
	// model–dataset embedding affinity (the raw embeddings too with
	// FeatureConfig.RawEmbeddings), the distance between the target and the
	// model's source dataset, the model's fine-tuning history on the other
	// datasets (plain and similarity-weighted) and the transferability
	// scores z-scored within the dataset.
	FeaturesZoograph FeatureSet = "zoograph"
	// FeaturesPaper mirrors the paper's 265 features (research §4.2) minus
	// the leaking fine-tuning runtime: metadata, the two embeddings and the
	// source distance. The count assumes the paper's 128 embedding
	// dimensions; DefaultConfig uses 32.
	FeaturesPaper FeatureSet = "paper"
)

// FeaturesMetadata is the set of the metadata baseline (a regressor on
// model and dataset metadata alone): listed here so that every set is
// named in one place, but not a valid Config.Features — list the
// metadata baseline in Config.Baselines instead.
const FeaturesMetadata FeatureSet = "metadata"

// FeatureSets lists the valid feature sets of Config.Features.
func FeatureSets() []FeatureSet { return []FeatureSet{FeaturesZoograph, FeaturesPaper} }

func (f FeatureSet) String() string               { return string(f) }
func (f FeatureSet) MarshalText() ([]byte, error) { return []byte(f), nil }
func (f *FeatureSet) UnmarshalText(b []byte) error {
	return parseName(f, "feature set", b, FeatureSets())
}

// Baseline names a method evaluated beside zoograph's on the same model
// set. The names are evaluate's (evaluate.AllBaselines and
// evaluate.BaselineMetadata): one list, here typed.
type Baseline string

// Baselines.
const (
	BaselineLogME       Baseline = evaluate.BaselineLogME
	BaselineRegHScore   Baseline = evaluate.BaselineRegHScore
	BaselineDownloads   Baseline = evaluate.BaselineDownloads
	BaselineRandom      Baseline = evaluate.BaselineRandom
	BaselineMetadata    Baseline = evaluate.BaselineMetadata
	BaselineHistoryMean Baseline = evaluate.BaselineHistoryMean
	BaselineProbe       Baseline = evaluate.BaselineProbe
)

// Baselines lists the valid baselines of Config.Baselines, in report
// order: every baseline evaluate computes (evaluate.AllBaselines), and
// metadata, a regressor on metadata features only.
func Baselines() []Baseline {
	return []Baseline{BaselineLogME, BaselineRegHScore, BaselineDownloads, BaselineRandom, BaselineMetadata, BaselineHistoryMean, BaselineProbe}
}

func (b Baseline) String() string                { return string(b) }
func (b Baseline) MarshalText() ([]byte, error)  { return []byte(b), nil }
func (b *Baseline) UnmarshalText(t []byte) error { return parseName(b, "baseline", t, Baselines()) }

// parseName sets *v to text if it is one of valid, or returns an error that
// names the kind of value and lists the valid ones.
func parseName[T ~string](v *T, kind string, text []byte, valid []T) error {
	if i := slices.Index(valid, T(text)); i >= 0 {
		*v = valid[i]
		return nil
	}
	return fmt.Errorf("unknown %s %q (want %s)", kind, text, joinNames(valid))
}

// checkName reports a value of a typed name that is not one of valid (a
// value set in code, not read with UnmarshalText).
func checkName[T ~string](kind string, v T, valid []T) error {
	if slices.Contains(valid, v) {
		return nil
	}
	return fmt.Errorf("config: unknown %s %q (want %s)", kind, v, joinNames(valid))
}

// joinNames lists names as "a, b or c".
func joinNames[T ~string](names []T) string {
	s := make([]string, len(names))
	for i, n := range names {
		s[i] = string(n)
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// Edge weightings of fine-tuning history (GraphConfig.Weighting).
const (
	WeightMinMax   = "minmax"
	WeightQuantile = "quantile"
)

// Config is one experiment, complete: written into the run directory with
// the zoo's checksum, it re-runs the experiment exactly.
type Config struct {
	// Protocols lists the evaluation protocols to report: "clean" (the
	// headline: de-duplicated, one model set for every method) and/or
	// "paper" (the published TransferGraph rules).
	Protocols []string `json:"protocols"`
	// Targets are the held-out datasets. Empty means: the datasets of the
	// zoo's published reference results, else the datasets with
	// transferability scores, else every dataset with at least
	// MinTargetModels fine-tuned models.
	Targets         []string `json:"targets"`
	MinTargetModels int      `json:"min_target_models"`
	// Seeds is the number of repetitions per target; repetition i uses
	// seed Seed+i for every random choice (walks, SGNS, regressor).
	Seeds     int        `json:"seeds"`
	Seed      uint64     `json:"seed"`
	Learner   Learner    `json:"learner"`
	Regressor Regressor  `json:"regressor"`
	Features  FeatureSet `json:"features"`
	// Baselines evaluated on the same model set: logme, reg_h_score,
	// downloads, random, metadata (a regressor on metadata features only),
	// history_mean (a model's mean standardised accuracy on the other
	// datasets) and probe (a model's probe score, e.g. model recycling's
	// mnli_lp). Run leaves out those the zoo has no data for.
	Baselines []Baseline `json:"baselines"`
	// ReferencePredictions is someone else's predictions to evaluate beside
	// zoograph's, under every protocol and on the same model set: a
	// TransferGraph rank directory <target>/<method>/results_*.csv (e.g. the
	// authors' own) or a predictions CSV (evaluate.ReadPredictions). A path,
	// relative to the working directory; empty for none.
	ReferencePredictions string `json:"reference_predictions,omitempty"`
	// Probe is K of warm targets: for every target and seed, K of the
	// target's models drawn with the seed have their accuracy revealed; they
	// may enter the graph and the features, and are left out of the
	// target's evaluation. 0 = cold targets, nothing recorded on the target
	// is used.
	Probe int `json:"probe,omitempty"`

	FeatureOptions FeatureConfig `json:"feature_options"`
	// Blend is the regressor's weight w in the final score
	// w·z(regressor) + (1 − w)·z(history prior), where the prior is the
	// model's similarity-weighted history on the other datasets (feature
	// hist_sim_0.5 of the zoograph set). 1 = the regressor alone.
	Blend float64 `json:"blend"`
	// MetadataWeight stacks the metadata-only regressor (the metadata
	// baseline, with the configured GBDT options) onto the blended score:
	// (1 − v)·z(score) + v·z(metadata regressor). 0 = off.
	MetadataWeight float64 `json:"metadata_weight,omitempty"`
	// Prior is the feature column blended in as the prior (see priorColumn):
	// empty for the similarity-weighted history (hist_sim_0.5, or hist_agree
	// on a zoo without distances); Priors lists the others.
	Prior string      `json:"prior,omitempty"`
	Graph GraphConfig `json:"graph"`
	// Node2Vec, GNN, Forest and GBDT configure the learners and regressors.
	// Each embedding and each fit runs on one worker, whatever their workers
	// field says: the (target, seed) tasks and inner folds run in parallel
	// on Workers instead, and one worker is bit-for-bit reproducible. Their
	// seeds are set per task.
	Node2Vec node2vec.Options `json:"node2vec"`
	// GNN configures the graphsage and gat learners (its arch is set by the
	// learner).
	GNN    gnn.Options           `json:"gnn"`
	Linear regress.LinearOptions `json:"linear"`
	Forest regress.ForestOptions `json:"forest"`
	GBDT   regress.GBDTOptions   `json:"gbdt"`
	Clean  CleanConfig           `json:"clean"`
	// Selection says how the settings above that it names are chosen for
	// each held-out target: fixed as configured, or by nested
	// leave-one-dataset-out over the other datasets.
	Selection SelectionConfig `json:"selection"`
	Workers   int             `json:"workers"`

	// FailureAware predicts the expected accuracy (1 − p)·μ_work + p·ȳ_fail
	// from a failure classifier p and a regressor μ_work trained on the
	// fine-tunes that worked (see failure.go) instead of one regressor on
	// every fine-tune.
	FailureAware bool `json:"failure_aware,omitempty"`

	// members are the candidates whose standardised scores are averaged
	// (selection.combine "level" or "level_all", Selection.apply); nil
	// runs the settings above alone.
	members []Candidate
}

// FeatureConfig tunes the feature table.
type FeatureConfig struct {
	// RawEmbeddings adds the model and dataset embedding vectors (2 × dim
	// columns) to the zoograph feature set; without it the embeddings enter
	// through their affinity (dot product, cosine) only. The paper set
	// always has them.
	RawEmbeddings bool `json:"raw_embeddings"`
	// GroupStandardize z-scores the label and the model-level continuous
	// features within each dataset's rows (the target's rows for the test
	// set), so the pooled regression fits the within-dataset variation that
	// the per-target correlation measures rather than differences between
	// datasets.
	GroupStandardize bool `json:"group_standardize"`
	// MaxRowsPerDataset caps the training rows of each history dataset: a
	// dataset with more fine-tuned models gives the rows of this many,
	// drawn with the task's seed (0 = all). The regressor learns one map
	// shared by every dataset; what limits it is the number of datasets,
	// not of rows per dataset, and its cost grows with the rows.
	MaxRowsPerDataset int `json:"max_rows_per_dataset,omitempty"`
	// NoHistory leaves out the fine-tuning-history features (and with them
	// the prior, which is one of them): the ablation of that part.
	NoHistory bool `json:"no_history,omitempty"`
	// NoLowRank leaves out the low-rank model's features (lowrank.go) on a
	// zoo without distances: the ablation of that part.
	NoLowRank bool `json:"no_low_rank,omitempty"`
	// NoCF leaves out the collaborative filter over the revealed models
	// (cf.go) on a warm run of a zoo without distances: the ablation of
	// that part.
	NoCF bool `json:"no_cf,omitempty"`
	// CrossFitFolds cross-fits the graph features (crossfit.go): the history
	// datasets are split into this many folds, one embedding is learned per
	// fold on the graph without that fold's fine-tuning results, and a
	// training row (model, dataset) reads its affinity features from the
	// embedding that never saw the pair's own result — as a test row never
	// sees the target's. Test rows average the folds. 0 or 1 (the default)
	// learns one embedding on every history result (the paper's way, whose
	// training rows see their own labels through the graph); the paper
	// feature set and raw embeddings always do, since the folds'
	// coordinates differ. Off by default for its cost: two folds double
	// the embedding time and took the image benchmark's run past its 30 s
	// budget, for no measurable gain there (README).
	CrossFitFolds int `json:"cross_fit_folds,omitempty"`
}

// GraphConfig says which relations enter the model–dataset graph.
type GraphConfig struct {
	// PositiveThreshold splits fine-tuning history: a (model, dataset) pair
	// whose accuracy, min-max normalised within the dataset, is above it is
	// an edge weighted by that value; the others are negative pairs for
	// negative sampling (the paper: 0.5).
	PositiveThreshold float64 `json:"positive_threshold"`
	// Weighting says what the threshold and the edge weight read of a
	// result: WeightMinMax (the accuracy min-max normalised within its
	// dataset, the paper's) or WeightQuantile (its rank quantile within the
	// dataset, so edges carry how well a model did relative to the others).
	Weighting string `json:"weighting"`
	// TrainedOn adds model–dataset edges from metadata (source datasets).
	TrainedOn bool `json:"trained_on"`
	// Similarity adds dataset–dataset edges weighted by (d_max − d)/(d_max − d_min).
	Similarity bool `json:"similarity"`
	// SimilarityNeighbours keeps only each dataset's k most similar
	// datasets (0 = all pairs, as the paper).
	SimilarityNeighbours int `json:"similarity_neighbours"`
	// Transfer adds model–dataset edges from LogME scores (z-scored per
	// dataset, positive above 0.5), never on the target.
	Transfer bool `json:"transfer"`
	// Lineage adds model–model edges from base_model metadata.
	Lineage bool `json:"lineage"`
}

// CleanConfig holds the data-cleaning rules applied before any target is
// held out.
type CleanConfig struct {
	// MinDatasetModels drops datasets with fewer fine-tuned models from the
	// history (they cannot be normalised meaningfully).
	MinDatasetModels int `json:"min_dataset_models"`
	// ChanceMargin drops a dataset's history when its median accuracy is
	// at most chance + ChanceMargin·(1 − chance), chance = 1/num_classes
	// (when known): such runs failed rather than measured transferability.
	ChanceMargin float64 `json:"chance_margin"`
	// CollapsedShare drops a dataset's history when more than this share of
	// its models end at exactly the same accuracy (collapsed classifiers).
	CollapsedShare float64 `json:"collapsed_share"`
	// MaxCells bounds the dataset × model matrices the stages keep (the
	// accuracies, their normalisation, the standardised history): on a zoo
	// whose datasets × models exceed it, such as a crawl of the whole Hub,
	// Clean keeps only the working set (see workingSet): the models
	// connected to the fine-tuning records and the datasets they name,
	// whose scores then differ from those of the zoo cleaned whole (the
	// graph loses the edges of the models left out). 0 never prunes. A
	// cost rule: the benchmarks are far below the default.
	MaxCells int `json:"max_cells"`
}

// DefaultMaxCells is CleanConfig.MaxCells of the shipped configuration:
// 2²⁴ cells, 128 MiB a matrix.
const DefaultMaxCells = 1 << 24

// DefaultConfig returns the shipped configuration: node2vec + gbdt with the
// zoograph feature set, 5 seeds, both protocols, every baseline.
func DefaultConfig() Config {
	n2v := node2vec.DefaultOptions()
	// The zoograph feature set uses the embeddings through the model–dataset
	// affinity only, which 32 dimensions and 5 passes capture as well as the
	// paper's 128 and 10 (same Pearson on the image benchmark, a quarter of
	// the time). The raw-embedding feature sets (paper, raw_embeddings) may
	// want the paper's 128: set node2vec.Dim in a --config file.
	n2v.Dim, n2v.Epochs = 32, 5
	gb := regress.DefaultGBDTOptions()
	// Shallower, slower-learning trees than the paper's depth 5 and η 0.1:
	// the training rows come from a dozen datasets, and deep trees learn
	// dataset-specific interactions that do not transfer to a held-out one
	// (chosen on the image benchmark; see README).
	gb.MaxDepth, gb.LearningRate = 3, 0.05
	// Every fit runs on one worker (see Config.Node2Vec): say so.
	n2v.Workers, gb.Workers = 1, 1
	nn, rf := gnn.DefaultOptions(), regress.DefaultForestOptions()
	nn.Workers, rf.Workers = 1, 1
	return Config{
		Protocols:       []string{string(evaluate.ProtocolClean), string(evaluate.ProtocolPaper)},
		MinTargetModels: 20,
		Seeds:           5,
		Seed:            1,
		Learner:         LearnerNode2Vec,
		Regressor:       RegressorGBDT,
		Features:        FeaturesZoograph,
		Baselines:       Baselines(),
		FeatureOptions:  FeatureConfig{GroupStandardize: true, MaxRowsPerDataset: 256},
		Blend:           0.5,
		Graph: GraphConfig{
			PositiveThreshold: 0.5,
			Weighting:         WeightMinMax,
			TrainedOn:         true,
			Similarity:        true,
			Lineage:           true,
		},
		Node2Vec:  n2v,
		GNN:       nn,
		Linear:    regress.LinearOptions{},
		Forest:    rf,
		GBDT:      gb,
		Clean:     CleanConfig{MinDatasetModels: 5, ChanceMargin: 0.02, CollapsedShare: 0.5, MaxCells: DefaultMaxCells},
		Selection: DefaultSelection(),
		Workers:   runtime.GOMAXPROCS(0),
	}
}

// Method is the name zoograph's own predictions carry in metrics: learner
// and regressor, e.g. "node2vec+gbdt", or "zoograph+gbdt" when nested
// selection chooses the learner per target.
func (c *Config) Method() string {
	if c.Selection.Mode == SelectNested {
		switch len(c.Selection.Learners) {
		case 0:
		case 1: // the one learner selection can choose
			return c.Selection.Learners[0].String() + "+" + c.Regressor.String()
		default:
			return "zoograph+" + c.Regressor.String()
		}
	}
	return c.Learner.String() + "+" + c.Regressor.String()
}

// Validate reports the first setting that cannot work.
func (c *Config) Validate() error {
	if len(c.Protocols) == 0 {
		return fmt.Errorf("config: no protocol (want clean and/or paper)")
	}
	for _, p := range c.Protocols {
		if _, err := evaluate.ParseProtocol(p); err != nil {
			return fmt.Errorf("config: %w", err)
		}
	}
	if err := checkName("learner", c.Learner, Learners()); err != nil {
		return err
	}
	if err := checkName("regressor", c.Regressor, Regressors()); err != nil {
		return err
	}
	if err := checkName("feature set", c.Features, FeatureSets()); err != nil {
		return err
	}
	for _, b := range c.Baselines {
		if err := checkName("baseline", b, Baselines()); err != nil {
			return err
		}
	}
	if c.Probe < 0 {
		return fmt.Errorf("config: probe = %d: want 0 (cold) or more revealed models", c.Probe)
	}
	if c.Seeds < 1 {
		return fmt.Errorf("config: seeds = %d: want at least 1", c.Seeds)
	}
	if t := c.Graph.PositiveThreshold; t < 0 || t >= 1 {
		return fmt.Errorf("config: graph.positive_threshold = %g: want a value in [0, 1)", t)
	}
	if w := c.Graph.Weighting; w != "" && w != WeightMinMax && w != WeightQuantile {
		return fmt.Errorf("config: graph.weighting %q: want minmax or quantile", w)
	}
	if c.Learner == LearnerGraphSAGE || c.Learner == LearnerGAT || slices.Contains(c.Selection.Learners, LearnerGraphSAGE) || slices.Contains(c.Selection.Learners, LearnerGAT) {
		if err := c.GNN.Validate(); err != nil {
			return fmt.Errorf("config: %w", err)
		}
	}
	if err := c.Selection.validate(); err != nil {
		return err
	}
	if err := validatePrior("prior", c.Prior); err != nil {
		return err
	}
	if c.FeatureOptions.CrossFitFolds < 0 {
		return fmt.Errorf("config: feature_options.cross_fit_folds = %d: want 0 (off) or a fold count", c.FeatureOptions.CrossFitFolds)
	}
	if c.Blend < 0 || c.Blend > 1 {
		return fmt.Errorf("config: blend = %g: want a weight in [0, 1]", c.Blend)
	}
	if !(c.MetadataWeight >= 0 && c.MetadataWeight <= 1) {
		return fmt.Errorf("config: metadata_weight = %g: want a weight in [0, 1]", c.MetadataWeight)
	}
	if c.Workers < 1 {
		return fmt.Errorf("config: workers = %d: want at least 1", c.Workers)
	}
	return c.validateSections()
}

// validateSections checks the options of the learners and regressors the
// config can run (those it names or selection may choose) and the cleaning
// and target thresholds, so that a bad value is an error before any work,
// not from the first task that reads it.
func (c *Config) validateSections() error {
	if c.MinTargetModels < 0 {
		return fmt.Errorf("config: min_target_models = %d: want 0 or more", c.MinTargetModels)
	}
	if c.Clean.MinDatasetModels < 0 {
		return fmt.Errorf("config: clean.min_dataset_models = %d: want 0 or more", c.Clean.MinDatasetModels)
	}
	if m := c.Clean.ChanceMargin; !(m >= 0 && m <= 1) {
		return fmt.Errorf("config: clean.chance_margin = %g: want a share in [0, 1]", m)
	}
	if s := c.Clean.CollapsedShare; !(s >= 0 && s <= 1) {
		return fmt.Errorf("config: clean.collapsed_share = %g: want a share in [0, 1]", s)
	}
	if c.Clean.MaxCells < 0 {
		return fmt.Errorf("config: clean.max_cells = %d: want 0 (never prune) or more", c.Clean.MaxCells)
	}
	// The metadata baseline and the stacked metadata regressor run the
	// configured regressor too, so its section is checked whatever the
	// learner.
	switch c.Regressor {
	case RegressorGBDT:
		if err := c.GBDT.Validate(); err != nil {
			return fmt.Errorf("config: %w", err)
		}
	case RegressorForest:
		if err := c.Forest.Validate(); err != nil {
			return fmt.Errorf("config: %w", err)
		}
	}
	walks := func(l Learner) bool { return l == LearnerNode2Vec || l == LearnerNode2VecPlus }
	learners := []Learner{c.Learner}
	if c.Selection.Mode == SelectNested && len(c.Selection.Learners) > 0 {
		learners = c.Selection.Learners // selection runs these, not c.Learner
	}
	if slices.ContainsFunc(learners, walks) {
		if err := c.Node2Vec.Validate(); err != nil {
			return fmt.Errorf("config: %w", err)
		}
	}
	return nil
}
