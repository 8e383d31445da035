package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/store"
)

const rankDescription = `
Recommends models to fine-tune for a dataset: trains zoograph's regressor on
every other dataset's fine-tuning history (recorded runs and the model-index
results of crawled cards) and ranks the models that fit the dataset's
modality and task by their predicted accuracy. Models without history of
their own are ranked through their base model's, and flagged.

The dataset is either a dataset of the zoo (--target: a benchmark dataset,
a crawled Hub dataset, a dataset of the history), or one described by its
metadata alone (--describe FILE, YAML):

	name: my-reviews            # how the dataset is called in the output
	modality: text              # text, image, audio, video, tabular, time-series, multimodal
	task: text-classification   # the Hub's task vocabulary
	subtask: sentiment-classification   # optional: the finer task (the Hub's task_ids)
	num_classes: 2
	num_examples: 12000
	language: en                # any case: EN, pt-br read as en, pt-BR
	domain: product reviews
	tags: [sentiment, retail]   # optional: like the Hub's tags
	distances: {imdb: 3.1}      # optional: known distances to zoo datasets, on the scale of those the zoo records
	scores: {logme: {google-bert/bert-base-uncased: 1.92}}   # optional: logme or reg_h_score of zoo models
	finetuned: {google-bert/bert-base-uncased: 0.91}        # optional: accuracies (0–1) of zoo models you fine-tuned on it

Distances the zoo does not record come from metadata (modality, task,
classes, size, language, domain words). The predicted accuracy is
calibrated on training datasets held out in turn, with an interval holding
--coverage of their recorded accuracies. Accuracies recorded on a --target,
if any, are shown but never used. Accuracies a description gives under
finetuned make it a warm target: they are used as a warm run's revealed
accuracies (run --probe), those models are not ranked, and with 5 or more
the predicted accuracies take their level.`

func runRank(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "rank", "--zoo ZOO (--target DATASET | --describe FILE) [--top K] [--json]", rankDescription)
	zoo := fs.String("zoo", "", "zoo directory (required)")
	target := fs.String("target", "", "dataset id of the zoo")
	describe := fs.String("describe", "", "YAML file describing a dataset the zoo does not hold")
	top := fs.Int("top", 10, "number of models to show (0 = all)")
	calibration := fs.Int("calibration", pipeline.DefaultCalibration, "training datasets held out to calibrate the predicted accuracy (-1 = none)")
	coverage := fs.Float64("coverage", 0.8, "share of recorded accuracies the interval should hold")
	asJSON := fs.Bool("json", false, "print the recommendations as one JSON document")
	cfg := pipeline.DefaultConfig()
	cfg.Seeds = 3
	if err := parseConfigFlags(fs, args, &cfg, "JSON experiment config (a run's config.json, or a part of one such as {\"clean\": {\"min_dataset_models\": 3}}); flags given explicitly override it", bindModelFlags); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	switch {
	case *zoo == "":
		return usagef("--zoo is required")
	case (*target == "") == (*describe == ""):
		return usagef("give exactly one of --target DATASET and --describe FILE")
	case *top < 0:
		return usagef("--top %d: want 0 (all) or more", *top)
	case *coverage <= 0 || *coverage >= 1:
		return usagef("--coverage %g: want a share in (0, 1)", *coverage)
	case *calibration == 0 || *calibration < -1:
		return usagef("--calibration %d: give a number of datasets, or -1 for none", *calibration)
	}
	if err := cfg.Validate(); err != nil {
		return usagef("%v", err)
	}
	t := pipeline.Target{ID: *target}
	if *describe != "" {
		data, err := readInputFile(*describe)
		if err != nil {
			return usagef("--describe: %v", err)
		}
		if t.Describe, err = pipeline.ParseDescription(data, *describe); err != nil {
			return usagef("%v", err)
		}
	}
	tables, _, err := store.ReadZoo(*zoo)
	if err != nil {
		return err
	}
	recs, err := pipeline.Recommend(ctx, tables, cfg, t, pipeline.RecommendOptions{Calibration: *calibration, Coverage: *coverage})
	if errors.Is(err, pipeline.ErrDescription) {
		return usagef("%v", err) // it names the file, line and field
	}
	if err != nil {
		return err
	}
	if *top > 0 && len(recs.Models) > *top {
		recs.Models = recs.Models[:*top]
	}
	if *asJSON {
		return writeRankJSON(e.stdout, recs)
	}
	return writeRankText(e.stdout, recs)
}

// rankJSON is the --json document: the target, how it was seen, and the
// models with their evidence.
type rankJSON struct {
	*pipeline.Recommendations
	Models []rankModelJSON `json:"models"`
}

type rankModelJSON struct {
	pipeline.Recommendation
	Recorded *float64 `json:"recorded_accuracy,omitempty"`
}

func writeRankJSON(w io.Writer, r *pipeline.Recommendations) error {
	doc := rankJSON{Recommendations: r, Models: []rankModelJSON{}}
	for _, m := range r.Models {
		jm := rankModelJSON{Recommendation: m}
		if !math.IsNaN(m.Recorded) {
			v := m.Recorded
			jm.Recorded = &v
		}
		doc.Models = append(doc.Models, jm)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func writeRankText(w io.Writer, r *pipeline.Recommendations) error {
	d := r.Description
	what := strings.Trim(strings.Join([]string{d.Modality, d.Task}, ", "), ", ")
	if r.Described {
		what += "; described"
	}
	method := r.Method
	if len(r.Members) > 1 {
		method += fmt.Sprintf(" averaged over the %d settings level with the best (selection.combine)", len(r.Members))
	}
	fmt.Fprintf(w, "Models to fine-tune for %s (%s) — %s, %s\n\n", termSafe(r.Target), termSafe(what), method, overSeeds(r.Seeds))
	nn := r.Nearest // sorted by distance: a tie when the first and last are level, from one source
	if len(nn) > 1 && nn[0].Distance == nn[len(nn)-1].Distance &&
		!slices.ContainsFunc(nn, func(n pipeline.Neighbour) bool { return n.Source != nn[0].Source }) {
		// Listed as nearest, they would look chosen; the name order chose them.
		var near []string
		for _, n := range nn {
			near = append(near, termSafe(n.Dataset))
		}
		fmt.Fprintf(w, "Nearest known datasets: a tie at %.3g (%s), shown by name: %s\n",
			nn[0].Distance, nn[0].Source, strings.Join(near, ", "))
	} else if len(nn) > 0 {
		var near []string
		for _, n := range nn {
			near = append(near, fmt.Sprintf("%s (%.3g, %s)", termSafe(n.Dataset), n.Distance, n.Source))
		}
		fmt.Fprintf(w, "Nearest known datasets: %s\n", strings.Join(near, ", "))
	}
	if r.DistancesFromMetadata > 0 {
		fmt.Fprintf(w, "Dataset distances from metadata: %d pairs without a recorded distance\n", r.DistancesFromMetadata)
	}
	if h := r.History; h != nil {
		fmt.Fprintf(w, "History from model-index results: %d records on %d datasets from %d evals\n", h.Records, h.Datasets, h.Evals)
	}
	lines := r.Filter.Lines()
	fmt.Fprintf(w, "Candidates: %s\n", lines[0])
	for _, l := range lines[1:] {
		fmt.Fprintf(w, "  %s\n", l)
	}
	if r.Revealed > 0 {
		fmt.Fprintf(w, "Warm: fine-tuned accuracies given by the description: %d; like a warm run's revealed ones (run --probe), they enter the graph, the features and the choice of settings, and those models are not ranked\n", r.Revealed)
	}
	c := r.Calibration
	level := "level"
	if c.GivenLevel {
		level = "level of the given accuracies"
	}
	if len(c.Datasets) > 0 {
		fmt.Fprintf(w, "Predicted accuracy: calibrated on %d held-out datasets (slope %.2f, %s %.3f ± %.3f); %.0f%% interval\n",
			len(c.Datasets), c.Slope, level, c.Mean, c.SD, 100*c.Coverage)
	} else {
		fmt.Fprintf(w, "Predicted accuracy: the training datasets' level %.3f ± %.3f (no calibration datasets); %.0f%% interval\n",
			c.Mean, c.SD, 100*c.Coverage)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "rank\tmodel\tpredicted\tinterval\trecorded\thistory\tevidence")
	for _, m := range r.Models {
		rec := "-"
		if !math.IsNaN(m.Recorded) {
			rec = fmt.Sprintf("%.3f", m.Recorded)
		}
		var ev []string
		if m.Via != "" {
			ev = append(ev, "via base "+termSafe(m.Via))
		} else if len(m.Lineage) > 0 {
			ev = append(ev, "base "+termSafe(m.Lineage[0]))
		}
		for _, a := range m.Evidence {
			ev = append(ev, fmt.Sprintf("%s %.3f", termSafe(a.Dataset), a.Accuracy))
		}
		fmt.Fprintf(tw, "%d\t%s\t%.3f\t[%.3f, %.3f]\t%s\t%d\t%s\n", m.Rank, termSafe(m.ModelID), m.Predicted, m.Low, m.High, rec, m.History, strings.Join(ev, "; "))
	}
	return tw.Flush()
}
