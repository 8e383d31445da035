package pipeline

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sync/errgroup"
	"gonum.org/v1/gonum/stat"

	"github.com/zoograph/zoograph/graphlearn/gnn"
)

// Selection modes.
const (
	// SelectNested chooses, for every held-out target T, the candidate of
	// the search space with the best mean inner score in a
	// leave-one-dataset-out over the datasets other than T, on data from
	// which everything recorded on T is hidden (Data.Without).
	SelectNested = "nested"
	// SelectFixed runs every target with the configured settings.
	SelectFixed = "fixed"
)

// Inner objectives of nested selection.
const (
	ObjectivePearson  = "pearson"
	ObjectiveSpearman = "spearman"
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
	// Learners are candidates for Config.Learner.
	Learners []Learner `json:"learners"`
	// Weightings are candidates for Config.Graph.Weighting.
	Weightings []string `json:"weightings"`
	// GBDTMaxDepths are candidates for Config.GBDT.MaxDepth (only when the
	// regressor is gbdt).
	GBDTMaxDepths []int `json:"gbdt_max_depths"`
	// Blends are candidates for Config.Blend.
	Blends []float64 `json:"blends"`
	// GNNObjectives are candidates for Config.GNN.Objective ("link",
	// "regression"), tried with the graphsage and gat learners only.
	GNNObjectives []string `json:"gnn_objectives"`
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
// weightings, two tree depths (the paper's 5 and a shallower 3), and the
// prior blend from the regressor alone to the prior alone in quarters.
func DefaultSelection() SelectionConfig {
	return SelectionConfig{
		Mode:          SelectNested,
		Objective:     ObjectivePearson,
		Learners:      []Learner{LearnerNode2Vec, LearnerNone},
		Weightings:    []string{WeightMinMax, WeightQuantile},
		GBDTMaxDepths: []int{3, 5},
		Blends:        []float64{1, 0.75, 0.5, 0.25, 0},
		GNNObjectives: []string{"link", "regression"},
		MaxInnerFolds: 12,
		MaxGraphNodes: 1000,
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
	for _, b := range s.Blends {
		if !(b >= 0 && b <= 1) {
			return fmt.Errorf("config: selection.blends: %g: want a weight in [0, 1]", b)
		}
	}
	for _, o := range s.GNNObjectives {
		var obj gnn.Objective
		if err := obj.UnmarshalText([]byte(o)); err != nil {
			return fmt.Errorf("config: selection.gnn_objectives: %q: want link or regression", o)
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
	Blend        float64 `json:"blend"`
	// GNNObjective is the objective of the graphsage and gat learners.
	GNNObjective string `json:"gnn_objective,omitempty"`
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
	return s + "/blend " + strconv.FormatFloat(c.Blend, 'g', -1, 64)
}

// apply returns cfg with the candidate's settings.
func (c Candidate) apply(cfg Config) Config {
	cfg.Learner, cfg.Graph.Weighting, cfg.Blend = c.Learner, c.Weighting, c.Blend
	if c.GBDTMaxDepth > 0 {
		cfg.GBDT.MaxDepth = c.GBDTMaxDepth
	}
	if c.GNNObjective != "" {
		_ = cfg.GNN.Objective.UnmarshalText([]byte(c.GNNObjective)) // validated with the config
	}
	return cfg
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
}

// CandidateScore is a candidate's mean inner score.
type CandidateScore struct {
	Candidate Candidate `json:"candidate"`
	Score     float64   `json:"score"`
}

// MarshalJSON writes an unscored candidate's score as null.
func (c CandidateScore) MarshalJSON() ([]byte, error) {
	type plain struct {
		Candidate Candidate `json:"candidate"`
		Score     *float64  `json:"score"`
	}
	p := plain{Candidate: c.Candidate}
	if !math.IsNaN(c.Score) {
		p.Score = &c.Score
	}
	return json.Marshal(p)
}

// UnmarshalJSON reads a null score as NaN.
func (c *CandidateScore) UnmarshalJSON(b []byte) error {
	var p struct {
		Candidate Candidate `json:"candidate"`
		Score     *float64  `json:"score"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	c.Candidate, c.Score = p.Candidate, math.NaN()
	if p.Score != nil {
		c.Score = *p.Score
	}
	return nil
}

// space returns the graph variants (learner, weighting and, for a GNN, its
// objective: the settings that need their own embeddings) and, for each, the
// regressor depths and blends of the search space of cfg on a graph of
// nodes nodes.
func (s *SelectionConfig) space(cfg Config, nodes int) (variants []Candidate, depths []int, blends []float64) {
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
	depths = []int{0}
	if cfg.Regressor == RegressorGBDT {
		depths = orDefault(s.GBDTMaxDepths, cfg.GBDT.MaxDepth)
	}
	return variants, depths, orDefault(s.Blends, cfg.Blend)
}

func orDefault[T any](list []T, v T) []T {
	if len(list) == 0 {
		return []T{v}
	}
	return list
}

// fixedSelection is the "selection" of a fixed run: the configured values.
func fixedSelection(cfg Config) Candidate {
	c := Candidate{Learner: cfg.Learner, Weighting: cmp.Or(cfg.Graph.Weighting, WeightMinMax), Blend: cfg.Blend}
	if cfg.Regressor == RegressorGBDT {
		c.GBDTMaxDepth = cfg.GBDT.MaxDepth
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
	sp := selectionSpace{}
	sp.variants, sp.depths, sp.blends = cfg.Selection.space(cfg, graphNodes(d))
	var jobs []selectionJob
	for i, t := range ts {
		out[i] = &Selection{}
		for f, di := range innerFolds(d, t, cfg.Selection.MaxInnerFolds) {
			out[i].InnerFolds = append(out[i].InnerFolds, d.Datasets[di].DatasetID)
			for v := range sp.variants {
				jobs = append(jobs, selectionJob{i, v, f, di})
			}
		}
		if len(out[i].InnerFolds) < 2 {
			return nil, fmt.Errorf("selection for %s: %d inner datasets with history, want at least 2 (or selection.mode fixed)",
				d.Datasets[t].DatasetID, len(out[i].InnerFolds))
		}
	}
	scores, err := runSelection(ctx, d, ts, cfg, sp, out, jobs, tm, step)
	if err != nil {
		return nil, err
	}
	for i := range ts {
		if err := out[i].choose(scores[i], sp); err != nil {
			return nil, fmt.Errorf("selection for %s: %w", d.Datasets[ts[i]].DatasetID, err)
		}
	}
	return out, nil
}

// selectionSpace is nested selection's search space: the candidates that
// need a run of their own (variants), and the GBDT depths and prior blends
// every run scores at once.
type selectionSpace struct {
	variants []Candidate
	depths   []int
	blends   []float64
}

// selectionJob is one inner run: variant of the space, on inner fold number
// fold (dataset index inner) of target number target.
type selectionJob struct{ target, variant, fold, inner int }

// runSelection runs the jobs on cfg.Workers goroutines, each on the view of
// d without its target, calling step after each, and returns
// scores[target][variant][fold]: the fold's inner score of every (depth,
// blend), depth-major. Each job writes its own cell, so nothing depends on
// which job finished first. The first failure stops the launch of further
// jobs and is returned, naming the target and inner fold.
func runSelection(ctx context.Context, d *Data, ts []int, cfg Config, sp selectionSpace, out []*Selection,
	jobs []selectionJob, tm *timings, step func()) ([][][][]float64, error) {
	views := make([]*Data, len(ts))
	scores := make([][][][]float64, len(ts))
	for i, t := range ts {
		views[i] = d.Without(t)
		scores[i] = make([][][]float64, len(sp.variants))
		for v := range sp.variants {
			scores[i][v] = make([][]float64, len(out[i].InnerFolds))
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cfg.Workers)
	for _, j := range jobs {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			c := sp.variants[j.variant].apply(cfg)
			fold, err := innerFold(gctx, views[j.target], j.inner, c, sp.depths, sp.blends, tm)
			if err != nil {
				return fmt.Errorf("selection for %s, inner fold %s: %w", d.Datasets[ts[j.target]].DatasetID, d.Datasets[j.inner].DatasetID, err)
			}
			scores[j.target][j.variant][j.fold] = fold
			step()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return scores, nil
}

// choose scores every candidate of the space — a variant with a depth and
// a blend — by the mean of its inner scores over the folds (summed in fold
// order; NaN folds skipped, NaN when none), appends them to s.Scores in
// search order, and sets s.Chosen to the first best. scores[variant][fold]
// is runSelection's for one target. It fails when no candidate has a score.
func (s *Selection) choose(scores [][][]float64, sp selectionSpace) error {
	best := math.Inf(-1)
	for v, vr := range sp.variants {
		for a, depth := range sp.depths {
			for b, blend := range sp.blends {
				k := a*len(sp.blends) + b
				var sum, n float64
				for _, fold := range scores[v] {
					if !math.IsNaN(fold[k]) {
						sum += fold[k]
						n++
					}
				}
				score := math.NaN()
				if n > 0 {
					score = sum / n
				}
				c := vr
				c.GBDTMaxDepth, c.Blend = depth, blend
				s.Scores = append(s.Scores, CandidateScore{c, score})
				if score > best {
					best, s.Chosen = score, c
				}
			}
		}
	}
	if math.IsInf(best, -1) {
		return errors.New("no candidate could be scored")
	}
	return nil
}

// selectionJobs is the number of inner folds selectSettings runs.
func selectionJobs(d *Data, ts []int, cfg Config) int {
	if cfg.Selection.Mode == SelectFixed {
		return 0
	}
	variants, _, _ := cfg.Selection.space(cfg, graphNodes(d))
	n := 0
	for _, t := range ts {
		n += len(variants) * len(innerFolds(d, t, cfg.Selection.MaxInnerFolds))
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
// first. It reads no accuracy, so d need not hide t.
func innerFolds(d *Data, t, max int) []int {
	var out []int
	for _, di := range d.HistoryDatasets() {
		if di != t && len(d.TargetModels(di)) >= 3 {
			out = append(out, di)
		}
	}
	if max == 0 || len(out) <= max {
		return out
	}
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

// innerFold holds out dataset di of the view d (on which the outer target is
// already hidden), trains with cfg's graph and learner and each regressor
// depth, and returns the inner score of every (depth, blend) pair, depth
// major.
func innerFold(ctx context.Context, d *Data, di int, cfg Config, depths []int, blends []float64, tm *timings) ([]float64, error) {
	tg, err := BuildWarmGraph(d, di, cfg.Graph, cfg.Probe, cfg.Seed)
	if err != nil {
		return nil, fmt.Errorf("graph: %w", err)
	}
	emb, err := embed(ctx, d, di, tg, cfg, cfg.Seed, tm)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	ft, err := Features(d, di, tg, emb, cfg.Features, cfg.Learner, cfg.FeatureOptions, nil)
	if err != nil {
		return nil, err
	}
	tm.add("selection features", time.Since(t0))
	actual := make([]float64, len(ft.TestModels))
	for i, mi := range ft.TestModels {
		actual[i] = d.acc[di][mi]
	}
	out := make([]float64, 0, len(depths)*len(blends))
	for _, depth := range depths {
		c := cfg
		if depth > 0 {
			c.GBDT.MaxDepth = depth
		}
		t0 := time.Now()
		pred, err := fitPredict(ft, c, cfg.Seed)
		if err != nil {
			return nil, fmt.Errorf("regressor: %w", err)
		}
		tm.add("selection train+predict", time.Since(t0))
		for _, w := range blends {
			s := slices.Clone(pred)
			blendPrior(s, ft, w)
			out = append(out, objective(cfg.Selection.Objective, s, actual))
		}
	}
	return out, nil
}

// objective scores predictions against recorded accuracies (NaN when
// undefined, e.g. constant predictions).
func objective(name string, pred, actual []float64) float64 {
	if name == ObjectiveSpearman {
		return stat.Correlation(ranks(pred), ranks(actual), nil)
	}
	return stat.Correlation(pred, actual, nil)
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
