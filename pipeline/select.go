package pipeline

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/zoograph/zoograph/graphlearn/gnn"
)

// Selection modes.
const (
	// SelectNested chooses, for every held-out target T, the candidate of
	// the search space with the best mean inner score (or, with
	// SelectionConfig.Tiebreak, the best by it among those level with the
	// best) in a leave-one-dataset-out over the datasets other than T, on
	// data from which everything recorded on T is hidden (Data.Without).
	SelectNested = "nested"
	// SelectFixed runs every target with the configured settings.
	SelectFixed = "fixed"
)

// Inner objectives of nested selection.
const (
	ObjectivePearson  = "pearson"
	ObjectiveSpearman = "spearman"
)

// How nested selection turns the candidates' inner scores into the method
// run on the target (SelectionConfig.Combine).
const (
	// CombineBest runs the chosen candidate alone.
	CombineBest = "best"
	// CombineLevel averages, with equal weights, the standardised scores
	// of the candidates level with the best — within one paired standard
	// error of its mean inner score — that share the chosen candidate's
	// fit (learner, weighting, GNN objective, depth, failure model: they
	// differ in tree count, prior, blend and metadata weight, all read off
	// one staged fit), so it costs no fit (Selection.Members).
	CombineLevel = "level"
	// CombineLevelAll averages every candidate level with the best, each
	// fitted on its own (one fit per learner, weighting and depth among
	// them).
	CombineLevelAll = "level_all"
)

// Tie-breaks of nested selection (SelectionConfig.Tiebreak).
const (
	// TiebreakNone chooses the candidate of the best mean inner score.
	TiebreakNone = ""
	// TiebreakRegret chooses, among the candidates level with the best on
	// the mean inner score — within one paired standard error of it — the
	// one of the lowest mean inner regret@1 (Selection.pick).
	TiebreakRegret = "regret"
)

// SelectionConfig declares how the tuned settings are chosen and the search
// space of nested selection. An empty list keeps the configured value of its
// setting; the space is the product of the lists. Candidates are tried in
// the declared order and the first of equal inner scores wins, so list the
// simpler or default value first.
type SelectionConfig struct {
	Mode string `json:"mode"`
	// Objective is the inner score averaged over the inner folds: pearson
	// (the headline metric) or spearman.
	Objective string `json:"objective"`
	// Tiebreak is how the choice accounts for the top of the ranking: ""
	// (none: the best mean inner score wins) or "regret" (among the
	// candidates whose mean inner score is level with the best's within
	// one standard error, the lowest mean inner regret@1 wins). A user
	// fine-tunes the first recommendation, and the inner objective, a
	// correlation over every model, barely sees which model comes first.
	Tiebreak string `json:"tiebreak,omitempty"`
	// Combine is what runs on the target: "best" (the chosen candidate),
	// "level" (the equal average of the standardised scores of the
	// candidates the inner folds cannot tell from the best — those within
	// one paired standard error of its mean inner score — that share the
	// chosen candidate's fit) or "level_all" (of every such candidate,
	// at a fit per learner, weighting and depth among them). Picking one
	// of many candidates that a dozen inner folds score alike picks their
	// noise; averaging them keeps what they share (the forecast
	// combination puzzle: equal weights rarely lose to estimated ones).
	Combine string `json:"combine"`
	// Learners are candidates for Config.Learner.
	Learners []Learner `json:"learners"`
	// Weightings are candidates for Config.Graph.Weighting.
	Weightings []string `json:"weightings"`
	// GBDTMaxDepths are candidates for Config.GBDT.MaxDepth (only when the
	// regressor is gbdt).
	GBDTMaxDepths []int `json:"gbdt_max_depths"`
	// GBDTTrees are candidates for Config.GBDT.Trees, the number of
	// boosting rounds (only when the regressor is gbdt). A plain GBDT costs
	// one fit for all of them: the inner folds fit the largest count and
	// read the others' predictions off its first trees
	// (regress.GBDT.PredictStaged); the failure-aware model fits each.
	GBDTTrees []int `json:"gbdt_trees"`
	// Blends are candidates for Config.Blend.
	Blends []float64 `json:"blends"`
	// MetadataWeights are candidates for Config.MetadataWeight, the weight
	// of the metadata-only regressor stacked onto the score. Every inner
	// fold fits that regressor once, whatever the other settings.
	MetadataWeights []float64 `json:"metadata_weights"`
	// Priors are candidates for Config.Prior; on a zoo with dataset
	// distances only the default ("") is tried (the others are no columns
	// there).
	Priors []string `json:"priors,omitempty"`
	// GNNObjectives are candidates for Config.GNN.Objective ("link",
	// "regression"), tried with the graphsage and gat learners only.
	GNNObjectives []string `json:"gnn_objectives"`
	// FailureAware are candidates for Config.FailureAware, e.g.
	// [false, true]. The first is searched with everything else; the other,
	// if any, is tried at the learner, weighting and depth that won with
	// the first, with every blend (a second stage: it costs one more fit
	// per inner fold instead of one per inner fold, variant and depth).
	// The default space leaves the failure model out: on the image
	// benchmark its inner scores were below those without it for every
	// target (see README).
	FailureAware []bool `json:"failure_aware,omitempty"`
	// MaxInnerFolds caps the inner folds per target (0 = every other
	// history dataset): the datasets nearest to the target by distance are
	// kept (distances are measured without fine-tuning, so honest for the
	// target), then the others in id order.
	MaxInnerFolds int `json:"max_inner_folds"`
	// MaxGraphNodes drops the learners other than none from the
	// candidates when the graph has more nodes (0 = never): an embedding
	// per inner fold and variant on a large graph costs more than the rest
	// of the run.
	MaxGraphNodes int `json:"max_graph_nodes,omitempty"`
}

// DefaultSelection is the shipped search space, declared before looking at
// any evaluation target: with and without the graph learner, both edge
// weightings, two tree depths (the paper's 5 and a shallower 3), 500
// boosting rounds (the default Config.GBDT.Trees), half and a quarter of
// them (at the configured learning rate: a small fixed step with the
// number of rounds chosen by validation, as Friedman (2001) advises), and
// the prior blend from the regressor alone to the prior alone in quarters,
// and the score alone or averaged with the metadata-only regressor's (equal
// weights: the simple average of two forecasts, which estimated weights
// rarely beat).
// Like the depths, the round counts are absolute: under nested selection
// they replace Config.GBDT.Trees (an empty list keeps it).
func DefaultSelection() SelectionConfig {
	return SelectionConfig{
		Mode:            SelectNested,
		Objective:       ObjectivePearson,
		Combine:         CombineBest,
		Learners:        []Learner{LearnerNode2Vec, LearnerNone},
		Weightings:      []string{WeightMinMax, WeightQuantile},
		GBDTMaxDepths:   []int{3, 5},
		GBDTTrees:       []int{500, 250, 125},
		Blends:          []float64{1, 0.75, 0.5, 0.25, 0},
		MetadataWeights: []float64{0, 0.5},
		Priors:          []string{"", PriorHistoryMean, PriorLowRank, PriorCF},
		GNNObjectives:   []string{"link", "regression"},
		MaxInnerFolds:   12,
		MaxGraphNodes:   1000,
	}
}

func (s *SelectionConfig) validate() error {
	switch s.Mode {
	case SelectNested, SelectFixed:
	default:
		return fmt.Errorf("config: selection.mode %q: want nested or fixed", s.Mode)
	}
	if s.Objective != ObjectivePearson && s.Objective != ObjectiveSpearman {
		return fmt.Errorf("config: selection.objective %q: want pearson or spearman", s.Objective)
	}
	if s.Tiebreak != TiebreakNone && s.Tiebreak != TiebreakRegret {
		return fmt.Errorf("config: selection.tiebreak %q: want empty (none) or regret", s.Tiebreak)
	}
	if s.Combine != CombineBest && s.Combine != CombineLevel && s.Combine != CombineLevelAll {
		return fmt.Errorf("config: selection.combine %q: want best, level or level_all", s.Combine)
	}
	for _, l := range s.Learners {
		if err := checkName("selection.learners: learner", l, Learners()); err != nil {
			return err
		}
	}
	for _, w := range s.Weightings {
		if w != WeightMinMax && w != WeightQuantile {
			return fmt.Errorf("config: selection.weightings: %q: want minmax or quantile", w)
		}
	}
	for _, d := range s.GBDTMaxDepths {
		if d < 1 {
			return fmt.Errorf("config: selection.gbdt_max_depths: %d: want at least 1", d)
		}
	}
	for _, n := range s.GBDTTrees {
		if n < 1 {
			return fmt.Errorf("config: selection.gbdt_trees: %d: want at least 1", n)
		}
	}
	for _, b := range s.Blends {
		if !(b >= 0 && b <= 1) {
			return fmt.Errorf("config: selection.blends: %g: want a weight in [0, 1]", b)
		}
	}
	for _, v := range s.MetadataWeights {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("config: selection.metadata_weights: %g: want a weight in [0, 1]", v)
		}
	}
	for _, o := range s.GNNObjectives {
		var obj gnn.Objective
		if err := obj.UnmarshalText([]byte(o)); err != nil {
			return fmt.Errorf("config: selection.gnn_objectives: %q: want link or regression", o)
		}
	}
	for _, p := range s.Priors {
		if err := validatePrior("selection.priors:", p); err != nil {
			return err
		}
	}
	if s.MaxInnerFolds < 0 {
		return fmt.Errorf("config: selection.max_inner_folds = %d: want 0 (all) or more", s.MaxInnerFolds)
	}
	if s.MaxGraphNodes < 0 {
		return fmt.Errorf("config: selection.max_graph_nodes = %d: want 0 (no limit) or more", s.MaxGraphNodes)
	}
	return nil
}

// Candidate is one point of the search space.
type Candidate struct {
	Learner      Learner `json:"learner"`
	Weighting    string  `json:"weighting"`
	GBDTMaxDepth int     `json:"gbdt_max_depth,omitempty"`
	// GBDTTrees is the number of boosting rounds (Config.GBDT.Trees).
	GBDTTrees int     `json:"gbdt_trees,omitempty"`
	Blend     float64 `json:"blend"`
	// GNNObjective is the objective of the graphsage and gat learners.
	GNNObjective string `json:"gnn_objective,omitempty"`
	// FailureAware is Config.FailureAware.
	FailureAware bool `json:"failure_aware,omitempty"`
	// Prior is the blended prior (Config.Prior).
	Prior string `json:"prior,omitempty"`
	// MetadataWeight is Config.MetadataWeight.
	MetadataWeight float64 `json:"metadata_weight,omitempty"`
}

func (c Candidate) String() string {
	s := c.Learner.String()
	if c.Learner != LearnerNone {
		s += "/" + c.Weighting
	}
	if c.GNNObjective != "" {
		s += "/" + c.GNNObjective
	}
	if c.GBDTMaxDepth > 0 {
		s += "/depth " + strconv.Itoa(c.GBDTMaxDepth)
	}
	if c.GBDTTrees > 0 {
		s += "/" + strconv.Itoa(c.GBDTTrees) + " trees"
	}
	s += "/blend " + strconv.FormatFloat(c.Blend, 'g', -1, 64)
	if c.Prior != "" && c.Blend < 1 {
		s += "/prior " + c.Prior
	}
	if c.FailureAware {
		s += "/failure-aware"
	}
	if c.MetadataWeight > 0 {
		s += "/metadata " + strconv.FormatFloat(c.MetadataWeight, 'g', -1, 64)
	}
	return s
}

// apply returns cfg with the candidate's settings.
func (c Candidate) apply(cfg Config) Config {
	cfg.Learner, cfg.Graph.Weighting, cfg.Blend, cfg.Prior = c.Learner, c.Weighting, c.Blend, c.Prior
	cfg.FailureAware, cfg.MetadataWeight = c.FailureAware, c.MetadataWeight
	if c.GBDTMaxDepth > 0 {
		cfg.GBDT.MaxDepth = c.GBDTMaxDepth
	}
	if c.GBDTTrees > 0 {
		cfg.GBDT.Trees = c.GBDTTrees
	}
	if c.GNNObjective != "" {
		_ = cfg.GNN.Objective.UnmarshalText([]byte(c.GNNObjective)) // validated with the config
	}
	return cfg
}

// ChosenLearners says which graph learner ran for the targets of sel: each
// distinct chosen learner with its count of targets, most frequent first
// (ties by name), e.g. "none ×8" or "none ×7, node2vec ×1". It is empty when
// sel is.
func ChosenLearners(sel map[string]*Selection) string {
	count := map[string]int{}
	for _, s := range sel {
		if s != nil {
			count[s.Chosen.Learner.String()]++
		}
	}
	names := sortedKeys(count)
	slices.SortStableFunc(names, func(a, b string) int { return cmp.Compare(count[b], count[a]) })
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s ×%d", n, count[n])
	}
	return strings.Join(parts, ", ")
}

// Selection is what nested selection chose for one held-out target, with
// the inner score of every candidate.
type Selection struct {
	Chosen Candidate `json:"chosen"`
	// InnerFolds are the datasets held out in turn.
	InnerFolds []string `json:"inner_folds"`
	// Scores lists the candidates in search order with their mean inner
	// score (NaN when no inner fold could score them).
	Scores []CandidateScore `json:"scores"`
	// Members are, under selection.combine "level" or "level_all", the
	// candidates whose standardised scores are averaged on the target:
	// those level with the best (under "level" only those that share the
	// chosen candidate's fit; Chosen among them), in search order. Empty
	// otherwise.
	Members []Candidate `json:"members,omitempty"`
}

// apply returns cfg with the chosen settings and, when s averages
// several candidates, them as the config's members (Config.members).
func (s *Selection) apply(cfg Config) Config {
	cfg = s.Chosen.apply(cfg)
	if len(s.Members) > 1 {
		cfg.members = s.Members
	}
	return cfg
}

// gather sets s.Members under combine "level" or "level_all": every
// scored candidate level with the one of the best mean inner score (see
// level), in search order; under "level" only those that share the chosen
// candidate's fit (the same fitKey).
func (s *Selection) gather(combine string) {
	s.Members = nil
	if combine != CombineLevel && combine != CombineLevelAll {
		return
	}
	for _, i := range s.levelSet() {
		if c := s.Scores[i].Candidate; combine == CombineLevelAll || fitKey(c) == fitKey(s.Chosen) {
			s.Members = append(s.Members, c)
		}
	}
}

// fitKey is what candidate c's regressor fit reads: c without its tree
// count, prior, blend and metadata weight, which are read off the fit.
func fitKey(c Candidate) Candidate {
	c.GBDTTrees, c.Blend, c.Prior, c.MetadataWeight = 0, 0, "", 0
	return c
}

// CandidateScore is a candidate's mean inner score and mean inner
// regret@1.
type CandidateScore struct {
	Candidate Candidate `json:"candidate"`
	Score     float64   `json:"score"`
	// Regret is the mean over the same inner folds of the best recorded
	// accuracy minus the recorded accuracy of the model predicted first.
	Regret float64 `json:"regret"`
	// folds are the inner scores, one per inner fold (NaN where the fold
	// scores no candidate), for the paired comparison of Selection.pick.
	folds []float64
}

// MarshalJSON writes an unscored candidate's score and regret as null.
func (c CandidateScore) MarshalJSON() ([]byte, error) {
	type plain struct {
		Candidate Candidate `json:"candidate"`
		Score     *float64  `json:"score"`
		Regret    *float64  `json:"regret"`
	}
	p := plain{Candidate: c.Candidate}
	if !math.IsNaN(c.Score) {
		p.Score = &c.Score
	}
	if !math.IsNaN(c.Regret) {
		p.Regret = &c.Regret
	}
	return json.Marshal(p)
}

// UnmarshalJSON reads a null score or regret as NaN.
func (c *CandidateScore) UnmarshalJSON(b []byte) error {
	var p struct {
		Candidate Candidate `json:"candidate"`
		Score     *float64  `json:"score"`
		Regret    *float64  `json:"regret"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	c.Candidate, c.Score, c.Regret = p.Candidate, math.NaN(), math.NaN()
	if p.Score != nil {
		c.Score = *p.Score
	}
	if p.Regret != nil {
		c.Regret = *p.Regret
	}
	return nil
}

// space returns the search space of cfg on a graph of nodes nodes: the
// graph variants (learner, weighting and, for a GNN, its objective: the
// settings that need their own embeddings) and, for each, the regressor
// depths, tree counts and blends. Its priors, failure settings and pairing
// are left to the caller.
func (s *SelectionConfig) space(cfg Config, nodes int) selectionSpace {
	var variants []Candidate
	ls := orDefault(s.Learners, cfg.Learner)
	if s.MaxGraphNodes > 0 && nodes > s.MaxGraphNodes && slices.Contains(ls, LearnerNone) {
		ls = []Learner{LearnerNone}
	}
	ws := orDefault(s.Weightings, cmp.Or(cfg.Graph.Weighting, WeightMinMax))
	objectives := orDefault(s.GNNObjectives, cfg.GNN.Objective.String())
	for _, l := range ls {
		if l == LearnerNone { // no embeddings: the weighting is moot
			variants = append(variants, Candidate{Learner: l, Weighting: ws[0]})
			continue
		}
		for _, w := range ws {
			if l != LearnerGraphSAGE && l != LearnerGAT {
				variants = append(variants, Candidate{Learner: l, Weighting: w})
				continue
			}
			for _, o := range objectives {
				variants = append(variants, Candidate{Learner: l, Weighting: w, GNNObjective: o})
			}
		}
	}
	sp := selectionSpace{variants: variants, depths: []int{0}, trees: []int{0}, blends: orDefault(s.Blends, cfg.Blend),
		metaWeights: orDefault(s.MetadataWeights, cfg.MetadataWeight)}
	if cfg.Regressor == RegressorGBDT {
		sp.depths = orDefault(s.GBDTMaxDepths, cfg.GBDT.MaxDepth)
		sp.trees = orDefault(s.GBDTTrees, cfg.GBDT.Trees)
	}
	return sp
}

func orDefault[T any](list []T, v T) []T {
	if len(list) == 0 {
		return []T{v}
	}
	return list
}

// fixedSelection is the "selection" of a fixed run: the configured values.
func fixedSelection(cfg Config) Candidate {
	c := Candidate{Learner: cfg.Learner, Weighting: cmp.Or(cfg.Graph.Weighting, WeightMinMax), Blend: cfg.Blend,
		FailureAware: cfg.FailureAware, Prior: cfg.Prior, MetadataWeight: cfg.MetadataWeight}
	if cfg.Regressor == RegressorGBDT {
		c.GBDTMaxDepth, c.GBDTTrees = cfg.GBDT.MaxDepth, cfg.GBDT.Trees
	}
	if c.Learner == LearnerGraphSAGE || c.Learner == LearnerGAT {
		c.GNNObjective = cfg.GNN.Objective.String()
	}
	return c
}

// selectSettings runs nested selection for every target of ts (dataset
// indices of d) and returns the chosen candidate per target. Inner fold
// (t, D) trains on every history dataset but t and D and scores the
// predictions for D; the inner runs use the first seed only.
func selectSettings(ctx context.Context, d *Data, ts []int, cfg Config, tm *timings, step func()) ([]*Selection, error) {
	out := make([]*Selection, len(ts))
	if cfg.Selection.Mode == SelectFixed {
		for i := range ts {
			out[i] = &Selection{Chosen: fixedSelection(cfg)}
		}
		return out, nil
	}
	sp := cfg.Selection.space(cfg, graphNodes(d))
	sp.failure, sp.pair = failureValues(cfg), pairInnerFolds // warm too: shared only what is equal bit for bit
	sp.priors = priorsFor(d, orDefault(cfg.Selection.Priors, cfg.Prior), cfg)
	folds := make([][]int, len(ts))
	for i, t := range ts {
		out[i] = &Selection{}
		folds[i] = innerFolds(d, t, cfg.Selection.MaxInnerFolds, cfg.Seed)
		for _, di := range folds[i] {
			out[i].InnerFolds = append(out[i].InnerFolds, d.Datasets[di].DatasetID)
		}
		if len(folds[i]) < 2 {
			return nil, fmt.Errorf("selection for %s: %d inner datasets with history, want at least 2 (or fixed settings: selection.mode fixed, --selection fixed)",
				d.Datasets[t].DatasetID, len(folds[i]))
		}
	}
	all := make([]int, len(sp.variants))
	for v := range all {
		all[v] = v
	}
	jobs := selectionPlan(ts, folds, func(int) []int { return all }, func(int, int) bool { return sp.pair })
	in := innerData{views: make([]*Data, len(ts)), folds: folds}
	for i, t := range ts {
		in.views[i] = d.Without(t)
	}
	var err error
	if in.metas, err = selectionMetadata(ctx, d, ts, in, jobs, sp, cfg, tm, step); err != nil {
		return nil, err
	}
	scores, err := runSelection(ctx, d, ts, cfg, sp, in, jobs, func(j selectionJob) (Config, []int, []int) {
		c := sp.variants[j.variant].apply(cfg)
		c.FailureAware = sp.failure[0]
		return c, sp.depths, sp.trees
	}, tm, step)
	if err != nil {
		return nil, err
	}
	for i := range ts {
		if err := out[i].choose(scores[i], sp, cfg.Selection.Tiebreak); err != nil {
			return nil, fmt.Errorf("selection for %s: %w", d.Datasets[ts[i]].DatasetID, err)
		}
	}
	if len(sp.failure) > 1 {
		if err := selectFailure(ctx, d, ts, cfg, sp, in, out, tm, step); err != nil {
			return nil, err
		}
	}
	for _, s := range out {
		s.gather(cfg.Selection.Combine)
	}
	return out, nil
}

// selectionSpace is nested selection's search space: the candidates that
// need a run of their own (variants), the GBDT depths, tree counts, priors
// and prior blends every run scores at once (depths and trees are {0} for
// other regressors), and the failure-model settings (the second, if any,
// tried by selectFailure), and the weights of the stacked metadata-only
// regressor. pair says whether inner folds may pair up
// (selectionPlan).
type selectionSpace struct {
	variants []Candidate
	depths   []int
	trees    []int
	blends   []float64
	priors   []string
	// metaWeights are the weights of the metadata-only regressor stacked
	// onto each candidate's score (innermost in the score layout).
	metaWeights []float64
	failure     []bool
	pair        bool
}

// selectFailure is the second stage of nested selection: the second
// failure-model setting at each target's chosen variant and depth, with
// every blend, on the same inner folds; the choice is then made again
// among the candidates of both stages (Selection.pick).
func selectFailure(ctx context.Context, d *Data, ts []int, cfg Config, sp selectionSpace, in innerData,
	out []*Selection, tm *timings, step func()) error {
	won := make([]int, len(ts))
	for i := range ts {
		c := out[i].Chosen
		won[i] = slices.IndexFunc(sp.variants, func(v Candidate) bool {
			return v.Learner == c.Learner && v.Weighting == c.Weighting && v.GNNObjective == c.GNNObjective
		})
	}
	same := func(i, i2 int) bool {
		a, b := out[i].Chosen, out[i2].Chosen
		return sp.pair && won[i] == won[i2] && a.GBDTMaxDepth == b.GBDTMaxDepth && a.GBDTTrees == b.GBDTTrees
	}
	jobs := selectionPlan(ts, in.folds, func(i int) []int { return won[i : i+1] }, same)
	scores, err := runSelection(ctx, d, ts, cfg, sp, in, jobs, func(j selectionJob) (Config, []int, []int) {
		c := sp.variants[j.variant].apply(cfg)
		c.FailureAware = sp.failure[1]
		chosen := out[j.cells[0].target].Chosen
		return c, []int{chosen.GBDTMaxDepth}, []int{chosen.GBDTTrees}
	}, tm, step)
	if err != nil {
		return err
	}
	for i := range ts {
		chosen := out[i].Chosen
		for p, prior := range sp.priors {
			for b, blend := range sp.blends {
				if blend >= 1 && p > 0 { // the regressor alone: the prior is moot
					continue
				}
				for m, mw := range sp.metaWeights {
					c := sp.variants[won[i]]
					c.GBDTMaxDepth, c.GBDTTrees = chosen.GBDTMaxDepth, chosen.GBDTTrees
					c.Blend, c.FailureAware, c.Prior, c.MetadataWeight = blend, sp.failure[1], prior, mw
					out[i].add(c, scores[i][won[i]], (p*len(sp.blends)+b)*len(sp.metaWeights)+m)
				}
			}
		}
		out[i].pick(cfg.Selection.Tiebreak)
	}
	return nil
}

// runSelection runs the jobs on cfg.Workers goroutines, each side on the
// view of d without its target (in) with the config, depths and tree counts
// setup gives its job and every prior, blend and metadata weight of sp
// (with the fold's metadata-only predictions), calling step after each cell, and returns
// scores[target][variant][fold]: the fold's inner score and regret of every
// (depth, trees, prior, blend, metadata weight), depth-major,
// metadata-weight-minor (nil for the cells no job ran). Each job writes its
// own cells, so nothing depends on which job finished first. The first
// failure stops the launch of further jobs and is returned, naming the
// target and inner fold.
func runSelection(ctx context.Context, d *Data, ts []int, cfg Config, sp selectionSpace, in innerData, jobs []selectionJob,
	setup func(selectionJob) (Config, []int, []int), tm *timings, step func()) ([][][][]innerScore, error) {
	variants := len(sp.variants)
	scores := make([][][][]innerScore, len(ts))
	for i := range ts {
		scores[i] = make([][][]innerScore, variants)
		for v := range variants {
			scores[i][v] = make([][]innerScore, len(in.folds[i]))
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cfg.Workers)
	for _, j := range jobs {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			c, depths, trees := setup(j)
			sides := make([]innerSide, len(j.cells))
			for k, cell := range j.cells {
				sides[k] = in.side(cell)
			}
			res, err := innerFoldGroup(gctx, sides, c, regressorGrid{depths, trees}, sp.scoring(), tm)
			if err != nil {
				cell := j.cells[0]
				return fmt.Errorf("selection for %s, inner fold %s: %w", d.Datasets[ts[cell.target]].DatasetID,
					d.Datasets[in.folds[cell.target][cell.fold]].DatasetID, err)
			}
			for k, cell := range j.cells {
				scores[cell.target][j.variant][cell.fold] = res[k]
				step()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return scores, nil
}

// choose scores every candidate of the space — a variant with a depth, a
// tree count, a prior, a blend and a metadata weight, with the first failure-model setting —
// by the mean of its inner scores and regrets over the folds, appends them
// to s.Scores in search order, and sets s.Chosen by pick with tiebreak.
// scores[variant][fold] is runSelection's for one target. It fails when no
// candidate has a score.
func (s *Selection) choose(scores [][][]innerScore, sp selectionSpace, tiebreak string) error {
	for v, vr := range sp.variants {
		for a, depth := range sp.depths {
			for n, trees := range sp.trees {
				for p, prior := range sp.priors {
					for b, blend := range sp.blends {
						if blend >= 1 && p > 0 { // the regressor alone: the prior is moot
							continue
						}
						for m, mw := range sp.metaWeights {
							c := vr
							c.GBDTMaxDepth, c.GBDTTrees, c.Blend, c.FailureAware, c.Prior = depth, trees, blend, sp.failure[0], prior
							c.MetadataWeight = mw
							k := (((a*len(sp.trees)+n)*len(sp.priors)+p)*len(sp.blends)+b)*len(sp.metaWeights) + m
							s.add(c, scores[v], k)
						}
					}
				}
			}
		}
	}
	if !s.pick(tiebreak) {
		return errors.New("no candidate could be scored")
	}
	return nil
}

// add appends candidate c to s.Scores with its mean inner score and mean
// inner regret — the means of folds[f][k] over the folds f (summed in fold
// order; a fold whose accuracies are constant scores no candidate and is
// skipped, as is a fold's undefined regret; NaN when none).
func (s *Selection) add(c Candidate, folds [][]innerScore, k int) {
	var sum, regret, n, nr float64
	per := make([]float64, len(folds))
	for f, fold := range folds {
		per[f] = fold[k].fit
		if math.IsNaN(fold[k].fit) {
			continue
		}
		sum += fold[k].fit
		n++
		if !math.IsNaN(fold[k].regret) {
			regret += fold[k].regret
			nr++
		}
	}
	score, mean := math.NaN(), math.NaN()
	if n > 0 {
		score = sum / n
	}
	if nr > 0 {
		mean = regret / nr
	}
	s.Scores = append(s.Scores, CandidateScore{Candidate: c, Score: score, Regret: mean, folds: per})
}

// pick sets s.Chosen from s.Scores and reports whether some candidate has
// a score. The best is the first candidate of the highest mean inner
// score. With TiebreakNone it is the choice. With TiebreakRegret the
// choice is, among the candidates level with the best, the one of the
// lowest mean inner regret@1, then of the highest score, then the first. A
// candidate c is level with the best b when its mean shortfall over the
// inner folds F that score both is at most one standard error,
//
//	mean_F(b_f − c_f) ≤ sd_F(b_f − c_f) / √|F|
//
// the one-standard-error rule (Breiman et al., Classification and
// Regression Trees, 1984) on the paired differences: the candidates are
// scored on the same folds, so their differences are far less noisy than
// either score.
func (s *Selection) pick(tiebreak string) bool {
	chosen := s.best()
	if chosen < 0 {
		return false
	}
	if tiebreak == TiebreakRegret {
		for _, i := range s.levelSet() {
			cs, ch := s.Scores[i], s.Scores[chosen]
			r, rc := orInf(cs.Regret), orInf(ch.Regret) // an undefined regret loses
			if r < rc || (r == rc && cs.Score > ch.Score) {
				chosen = i
			}
		}
	}
	s.Chosen = s.Scores[chosen].Candidate
	return true
}

// best returns the index in s.Scores of the first candidate of the highest
// mean inner score, or -1 when no candidate has a score.
func (s *Selection) best() int {
	best := -1
	for i, cs := range s.Scores {
		if !math.IsNaN(cs.Score) && (best < 0 || cs.Score > s.Scores[best].Score) {
			best = i
		}
	}
	return best
}

// levelSet returns the indices in s.Scores of the scored candidates level
// with the best (see level), the best among them, in search order; none
// when no candidate has a score.
func (s *Selection) levelSet() []int {
	best := s.best()
	if best < 0 {
		return nil
	}
	var out []int
	for i, cs := range s.Scores {
		if !math.IsNaN(cs.Score) && level(s.Scores[best].folds, cs.folds) {
			out = append(out, i)
		}
	}
	return out
}

// orInf returns v, or +Inf for NaN.
func orInf(v float64) float64 {
	if math.IsNaN(v) {
		return math.Inf(1)
	}
	return v
}

// level reports whether inner scores c are level with the best's, b:
// whether the mean of the differences b_f − c_f over the folds where both
// are defined is at most its standard error (the sample standard deviation
// over √n; with fewer than two such folds, whether it is at most 0).
func level(b, c []float64) bool {
	var diffs []float64
	for f := range b {
		if !math.IsNaN(b[f]) && !math.IsNaN(c[f]) {
			diffs = append(diffs, b[f]-c[f])
		}
	}
	if len(diffs) == 0 {
		return false
	}
	mean := stat.Mean(diffs, nil)
	if len(diffs) < 2 {
		return mean <= 0
	}
	return mean <= stat.StdDev(diffs, nil)/math.Sqrt(float64(len(diffs)))
}

// failureValues returns the failure-model settings that nested selection
// tries, in order, without repeats.
func failureValues(cfg Config) []bool {
	var out []bool
	for _, v := range orDefault(cfg.Selection.FailureAware, cfg.FailureAware) {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// selectionJobs is the number of inner folds selectSettings runs.
func selectionJobs(d *Data, ts []int, cfg Config) int {
	if cfg.Selection.Mode == SelectFixed {
		return 0
	}
	sp := cfg.Selection.space(cfg, graphNodes(d))
	per := len(sp.variants)
	if len(failureValues(cfg)) > 1 {
		per++ // the second stage
	}
	if stacks(sp.metaWeights) {
		per++ // the metadata regressor of each inner fold
	}
	n := 0
	for _, t := range ts {
		n += per * len(innerFolds(d, t, cfg.Selection.MaxInnerFolds, cfg.Seed))
	}
	return n
}

// graphNodes is the number of nodes of d's graphs: its models, datasets and
// the base models that are no model of the zoo.
func graphNodes(d *Data) int {
	n := len(d.Models) + len(d.Datasets)
	extra := map[string]bool{}
	for _, m := range d.Models {
		for _, b := range m.BaseModels {
			if _, ok := d.modelIdx[b]; !ok && b != "" {
				extra[b] = true
			}
		}
	}
	return n + len(extra)
}

// innerFolds returns the datasets that an inner leave-one-dataset-out for
// target t holds out in turn: the history datasets other than t with at
// least 3 recorded models, at most max of them (0 = all), nearest to t
// first. Datasets at the same distance from t — all of them on a zoo
// without distances — are taken in a random order drawn from seed and t's
// id, not by index (alphabetically), which would leave the same datasets
// out of every target's folds. It reads no accuracy, so d need not hide t.
func innerFolds(d *Data, t, max int, seed uint64) []int {
	var out []int
	for _, di := range d.HistoryDatasets() {
		if di != t && len(d.TargetModels(di)) >= 3 {
			out = append(out, di)
		}
	}
	if max == 0 || len(out) <= max {
		return out
	}
	h := fnv.New64a()
	h.Write([]byte("inner folds of " + d.Datasets[t].DatasetID))
	r := rand.New(rand.NewPCG(seed, h.Sum64()))
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	dist := func(di int) float64 {
		if v := d.dist[t][di]; !math.IsNaN(v) {
			return v
		}
		return math.Inf(1)
	}
	slices.SortStableFunc(out, func(a, b int) int { return cmp.Compare(dist(a), dist(b)) })
	out = out[:max]
	slices.Sort(out)
	return out
}

// selectionCell is inner fold fold of the selection for target target (an
// index into the targets being selected for).
type selectionCell struct{ target, fold int }

// selectionJob is one unit of nested selection's work: one graph variant
// on one or two cells.
type selectionJob struct {
	variant int
	cells   []selectionCell
}

// pairInnerFolds lets selectionPlan pair cells; tests turn it off to check
// that pairing changes no score.
var pairInnerFolds = true

// selectionPlan lists the jobs of nested selection: a job per variant of
// variantsOf(target) and cell, in target, fold, variant order, except that
// the two cells (T, D) and (D, T) of targets T and D that are each other's
// inner folds make one job when pairable says so (their variants must then
// be the same). Both cells train on every history dataset but T and D, so
// innerFoldGroup can share their graph, embedding and regressor fits —
// when, and only when, they are bit for bit the same.
func selectionPlan(ts []int, folds [][]int, variantsOf func(target int) []int, pairable func(a, b int) bool) []selectionJob {
	pos := map[int]int{} // dataset index → index into ts
	for i, t := range ts {
		pos[t] = i
	}
	partner := func(i, f int) (selectionCell, bool) {
		i2, ok := pos[folds[i][f]]
		if !ok || !pairable(i, i2) {
			return selectionCell{}, false
		}
		f2 := slices.Index(folds[i2], ts[i])
		return selectionCell{i2, f2}, f2 >= 0
	}
	var jobs []selectionJob
	for i := range ts {
		for f := range folds[i] {
			cells := []selectionCell{{i, f}}
			if p, ok := partner(i, f); ok {
				if p.target < i {
					continue // the pair's job was listed with its first target
				}
				cells = append(cells, p)
			}
			for _, v := range variantsOf(i) {
				jobs = append(jobs, selectionJob{variant: v, cells: cells})
			}
		}
	}
	return jobs
}

// innerSide is an inner fold: dataset held held out of view, on which the
// outer target is already hidden, with the metadata-only regressor's
// predictions for it (selectionMetadata; empty when the space stacks no
// metadata).
type innerSide struct {
	view *Data
	held int
	meta innerMeta
}

// innerMeta is the metadata-only regressor's prediction pred of each test
// model of an inner fold (models: indices into the fold's data).
type innerMeta struct {
	pred   []float64
	models []int
}

// stacks reports whether some weight of ws stacks the metadata regressor.
func stacks(ws []float64) bool {
	return slices.ContainsFunc(ws, func(v float64) bool { return v > 0 })
}

// innerData are the inner folds of nested selection for each target i of
// ts: the view of d without it (views[i]), the datasets held out of it in
// turn (folds[i]) and, when the space stacks the metadata regressor, each
// fold's metadata-only predictions (metas[i][fold]; nil otherwise).
type innerData struct {
	views []*Data
	folds [][]int
	metas [][]innerMeta
}

// side is inner fold cell as innerFoldGroup runs it.
func (in innerData) side(cell selectionCell) innerSide {
	s := innerSide{view: in.views[cell.target], held: in.folds[cell.target][cell.fold]}
	if in.metas != nil {
		s.meta = in.metas[cell.target][cell.fold]
	}
	return s
}

// selectionMetadata returns the metadata-only regressor's predictions for
// every inner fold of the jobs, metas[target][fold] (nil when sp stacks no
// metadata), for both stages of selection: the regressor reads no graph,
// learner or tuned setting, only the configured GBDT options (the metadata
// baseline's), so each fold needs one fit whatever its variants, and the
// two cells of a paired job share one when their training tables are equal
// bit for bit. The predictions are those of metadataPredict on each fold
// alone. It runs on cfg.Workers goroutines before the jobs, calling step
// after each fold.
func selectionMetadata(ctx context.Context, d *Data, ts []int, in innerData, jobs []selectionJob, sp selectionSpace,
	cfg Config, tm *timings, step func()) ([][]innerMeta, error) {
	if !stacks(sp.metaWeights) {
		return nil, nil
	}
	metas := make([][]innerMeta, len(ts))
	for i := range ts {
		metas[i] = make([]innerMeta, len(in.folds[i]))
	}
	c := cfg
	c.FailureAware = false
	seen := map[selectionCell]bool{}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cfg.Workers)
	for _, j := range jobs {
		if seen[j.cells[0]] {
			continue // another variant of the same cells
		}
		seen[j.cells[0]] = true
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			t0 := time.Now()
			defer func() { tm.add("selection metadata regressor", time.Since(t0)) }()
			preds, fts, err := metadataGroup(in, j.cells, c)
			if err != nil {
				cell := j.cells[0]
				return fmt.Errorf("selection for %s, inner fold %s: metadata regressor: %w", d.Datasets[ts[cell.target]].DatasetID,
					d.Datasets[in.folds[cell.target][cell.fold]].DatasetID, err)
			}
			for k, cell := range j.cells {
				metas[cell.target][cell.fold] = innerMeta{pred: preds[k], models: fts[k].TestModels}
				step()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return metas, nil
}

// metadataGroup fits the metadata-only regressor (cfg, plain) for the
// cells of one job and returns each cell's predictions and feature table:
// one fit for both cells of a pair whose training tables are equal bit for
// bit, else one each.
func metadataGroup(in innerData, cells []selectionCell, cfg Config) ([][]float64, []*FeatureTable, error) {
	fts := make([]*FeatureTable, len(cells))
	for k, cell := range cells {
		s := in.side(cell)
		tg := featureTarget(s.view, s.held, cfg.Probe, cfg.Seed)
		var err error
		if fts[k], err = Features(s.view, s.held, tg, nil, FeaturesMetadata, LearnerNone, cfg.FeatureOptions, nil); err != nil {
			return nil, nil, err
		}
	}
	if len(fts) > 1 && sameTraining(fts[0], fts[1]) {
		preds, err := fitTable(fts[0], []*mat.Dense{fts[0].Test, fts[1].Test}, cfg, cfg.Seed)
		return preds, fts, err
	}
	preds := make([][]float64, len(fts))
	for k, ft := range fts {
		var err error
		if preds[k], err = fitPredict(ft, cfg, cfg.Seed); err != nil {
			return nil, nil, err
		}
	}
	return preds, fts, nil
}

// scoring is the part of the space that an inner fold scores from one fit.
func (sp selectionSpace) scoring() scoringGrid {
	return scoringGrid{priors: sp.priors, blends: sp.blends, metaWeights: sp.metaWeights}
}

// scoringGrid lists the priors, blends and metadata weights that every fit
// of an inner fold is scored with, in that order (weights innermost).
type scoringGrid struct {
	priors      []string
	blends      []float64
	metaWeights []float64
}

// regressorGrid is the regressor part of the search space: GBDT depths and
// tree counts ({0}: the configured value, and for other regressors).
type regressorGrid struct{ depths, trees []int }

// innerFoldGroup holds out each side's dataset of its view, trains with
// cfg's graph and learner and each regressor depth and tree count of grid,
// and returns, per side, the inner score and regret of every (depth, trees,
// prior, blend, metadata weight) of grid and sc, depth major, metadata
// weight minor. What two sides
// have bit for bit in common is computed once: a node2vec embedding when
// their graphs are equal (the walks and the skip-gram read nothing but the
// graph, the options and the seed), a regressor fit when their training
// rows, labels and failures are equal (a prediction reads nothing but the
// fitted model and its row). The scores are those of each side run alone.
func innerFoldGroup(ctx context.Context, sides []innerSide, cfg Config, grid regressorGrid, sc scoringGrid,
	tm *timings) ([][]innerScore, error) {
	fts := make([]*FeatureTable, len(sides))
	var (
		firstGraph *TargetGraph
		firstEmb   Embedding
	)
	for k, s := range sides {
		tg, err := graphFor(s.view, s.held, cfg.Graph, cfg.Learner, cfg.Probe, cfg.Seed)
		if err != nil {
			return nil, fmt.Errorf("graph: %w", err)
		}
		var emb Embedding
		shareable := cfg.Learner == LearnerNode2Vec || cfg.Learner == LearnerNode2VecPlus
		if k > 0 && shareable && reflect.DeepEqual(firstGraph.Graph, tg.Graph) {
			emb = firstEmb
		} else if emb, err = embed(ctx, s.view, s.held, tg, cfg, cfg.Seed, tm); err != nil {
			return nil, err
		}
		if k == 0 {
			firstGraph, firstEmb = tg, emb
		}
		t0 := time.Now()
		if fts[k], err = Features(s.view, s.held, tg, emb, cfg.Features, cfg.Learner, cfg.FeatureOptions, nil); err != nil {
			return nil, err
		}
		tm.add("selection features", time.Since(t0))
		if stacks(sc.metaWeights) && !slices.Equal(s.meta.models, fts[k].TestModels) {
			return nil, errors.New("metadata regressor: test models differ from the method's")
		}
	}
	// fitGroups[k] lists the sides whose training table is side k's, when
	// k is the first of them; nil otherwise.
	fitGroups := make([][]int, len(sides))
	for k := range sides {
		first := slices.IndexFunc(fts[:k], func(ft *FeatureTable) bool { return sameTraining(ft, fts[k]) })
		if first < 0 {
			first = k
		}
		fitGroups[first] = append(fitGroups[first], k)
	}
	out := make([][]innerScore, len(sides))
	for _, depth := range grid.depths {
		c := cfg
		if depth > 0 {
			c.GBDT.MaxDepth = depth
		}
		for k, group := range fitGroups {
			if group == nil {
				continue
			}
			tests := make([]*mat.Dense, len(group))
			for g, side := range group {
				tests[g] = fts[side].Test
			}
			t0 := time.Now()
			preds, err := fitTableStaged(fts[k], tests, c, cfg.Seed, grid.trees)
			if err != nil {
				return nil, fmt.Errorf("regressor: %w", err)
			}
			tm.add("selection train+predict", time.Since(t0))
			for g, side := range group {
				for n := range grid.trees {
					out[side] = append(out[side], scoreSide(sides[side], fts[side], preds[n][g], sc, cfg.Selection.Objective)...)
				}
			}
		}
	}
	return out, nil
}

// scoreSide scores one fit's predictions pred for side s (feature table
// ft) with every prior, blend and metadata weight of sc, in that order
// (weights innermost); the cells of blend 1 with a prior other than the
// first, which are the first prior's, are NaN. Each score is that of
// blendPrior and stackMetadata applied to pred, bit for bit; the z-scores
// they share (of pred, of each prior, of the metadata predictions and of
// each blend) are computed once.
func scoreSide(s innerSide, ft *FeatureTable, pred []float64, sc scoringGrid, obj string) []innerScore {
	actual := make([]float64, len(ft.TestModels))
	for i, mi := range ft.TestModels {
		actual[i] = s.view.acc[s.held][mi]
	}
	zs := zscore(pred)
	var zm []float64
	if s.meta.pred != nil {
		zm = zscore(s.meta.pred)
	}
	blended, stacked := make([]float64, len(pred)), make([]float64, len(pred))
	out := make([]innerScore, 0, len(sc.priors)*len(sc.blends)*len(sc.metaWeights))
	for p, prior := range sc.priors {
		col := priorColumn(ft, prior)
		var zp []float64
		if col >= 0 {
			zp = zscore(testColumn(ft, col))
		}
		for _, w := range sc.blends {
			if w >= 1 && p > 0 { // the regressor alone, scored with the first prior: no candidate reads this cell
				for range sc.metaWeights {
					out = append(out, innerScore{math.NaN(), math.NaN()})
				}
				continue
			}
			copy(blended, pred)
			if w < 1 && col >= 0 { // blendPrior
				mixZ(blended, zs, zp, w, 1-w)
			}
			var zb []float64
			for _, v := range sc.metaWeights {
				copy(stacked, blended)
				if v > 0 && zm != nil { // stackMetadata
					if zb == nil {
						zb = zscore(blended)
					}
					mixZ(stacked, zb, zm, 1-v, v)
				}
				out = append(out, innerScore{objective(obj, stacked, actual), regretAt1(stacked, actual)})
			}
		}
	}
	return out
}

// sameTraining reports whether two feature tables have the same columns,
// training rows, labels and failures, bit for bit (NaN equal to NaN).
func sameTraining(a, b *FeatureTable) bool {
	same := func(x, y []float64) bool {
		return slices.EqualFunc(x, y, func(u, v float64) bool { return math.Float64bits(u) == math.Float64bits(v) })
	}
	ra, ca := a.Train.Dims()
	rb, cb := b.Train.Dims()
	if ra != rb || ca != cb || !slices.Equal(a.Names, b.Names) || !same(a.Label, b.Label) || !slices.Equal(a.TrainFailed, b.TrainFailed) {
		return false
	}
	for i := range ra {
		if !same(a.Train.RawRowView(i), b.Train.RawRowView(i)) {
			return false
		}
	}
	return true
}

// innerScore is what an inner fold says of a candidate: its objective (fit)
// and its regret@1.
type innerScore struct{ fit, regret float64 }

// regretAt1 is the best recorded accuracy minus the recorded accuracy of
// the model of the highest prediction (the first of equal ones; models
// without a prediction or an accuracy are not first, and NaN accuracies
// are skipped; NaN when no model is left to be first).
func regretAt1(pred, actual []float64) float64 {
	top, best := -1, math.Inf(-1)
	for i, p := range pred {
		if math.IsNaN(actual[i]) {
			continue
		}
		best = max(best, actual[i])
		if !math.IsNaN(p) && (top < 0 || p > pred[top]) {
			top = i
		}
	}
	if top < 0 {
		return math.NaN()
	}
	return best - actual[top]
}

// objective scores predictions against recorded accuracies. Constant
// predictions carry no ranking and score 0, so a candidate that predicts a
// constant on a hard inner fold is charged for it rather than averaged
// without that fold. The score is NaN only when the accuracies themselves
// do not vary: the fold then scores no candidate, and every candidate's
// mean leaves it out alike.
func objective(name string, pred, actual []float64) float64 {
	if name == ObjectiveSpearman {
		pred, actual = ranks(pred), ranks(actual)
	}
	r := stat.Correlation(pred, actual, nil)
	if math.IsNaN(r) && !constant(actual) {
		return 0
	}
	return r
}

// constant reports whether v has fewer than two distinct values.
func constant(v []float64) bool {
	for _, x := range v {
		if x != v[0] {
			return false
		}
	}
	return true
}

// ranks returns the average 1-based ranks of the finite values of v (NaN
// stays NaN).
func ranks(v []float64) []float64 {
	q := quantiles(v)
	n := 0
	for _, x := range v {
		if !math.IsNaN(x) {
			n++
		}
	}
	for i := range q {
		q[i] = q[i]*float64(n) + 0.5
	}
	return q
}
