package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/zoograph/zoograph/crawler"
	"github.com/zoograph/zoograph/crawler/hub"
	"github.com/zoograph/zoograph/crawler/hubtest"
	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/store"
)

// Options configure a demo run.
type Options struct {
	// Out is the demo directory to create, or an empty one (the demo
	// never overwrites). It gets Out/zoo (the crawled and imported zoo) and
	// Out/run (the run directory with the report).
	Out string
	// Seed drives the sample and the pipeline.
	Seed uint64
	// Targets is how many of the sample's evaluation targets to hold out
	// (default 2, at most 6); Seeds the repetitions per target (default 2).
	Targets, Seeds int
	// Sample sizes the generated hub (zero: DefaultSampleOptions with Seed).
	Sample SampleOptions
	// Workers bounds the crawl's and the pipeline's concurrency (0: defaults).
	Workers int
	Logger  *slog.Logger
	// Progress, when set, receives a line per demo step.
	Progress io.Writer
}

// DescribedDataset is the sample dataset the demo keeps out of the hub and
// ranks models for from its description alone.
const DescribedDataset = "fine-aircraft"

// Result tells where the demo wrote its output and what it found.
type Result struct {
	ZooDir, RunDir string
	Crawl          *crawler.Summary
	// History is what the crawled cards' model-index results gave.
	History *pipeline.HistoryReport
	Run     *pipeline.Result
	Models  int
	// DescriptionFile is the YAML description of DescribedDataset the demo
	// wrote; Described the recommendations made from it; HeldOut the
	// accuracies the sample records on it, which the hub never saw.
	DescriptionFile string
	Described       *pipeline.Recommendations
	HeldOut         map[string]float64
	Timings         map[string]time.Duration
}

// Run runs the whole main job offline: generate the sample hub, serve it on
// loopback through the Hub replica, crawl it with the real crawler (cards and
// eval rows included), add the sample's fine-tuning history, run the
// pipeline and write the run directory.
func Run(ctx context.Context, opt Options) (*Result, error) {
	opt, sopt, err := withDefaults(opt)
	if err != nil {
		return nil, err
	}
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	step := func(format string, args ...any) {
		if opt.Progress != nil {
			fmt.Fprintf(opt.Progress, format+"\n", args...)
		}
	}
	res := &Result{ZooDir: filepath.Join(opt.Out, "zoo"), RunDir: filepath.Join(opt.Out, "run"), Timings: map[string]time.Duration{}}

	t0 := time.Now()
	sample := GenerateSample(sopt)
	res.Models = len(sample.Models)
	res.Timings["generate"] = time.Since(t0)
	step("generated a sample hub: %d models, %d datasets, %d fine-tuning runs", len(sample.Models), len(sample.Datasets), len(sample.Finetunes))

	t0 = time.Now()
	if err := crawlSample(ctx, res, sample, opt, log, step); err != nil {
		return nil, err
	}
	res.Timings["crawl"] = time.Since(t0)
	t0 = time.Now()
	tables, manifest, err := importSample(ctx, res, sample, sopt, step)
	if err != nil {
		return nil, err
	}
	res.Timings["import"] = time.Since(t0)

	t0 = time.Now()
	cfg := Config(opt)
	cfg.Targets = sample.Targets[:min(opt.Targets, len(sample.Targets))]
	step("running the pipeline: %s on %d targets × %d seeds (%s selection → graph → learner → %s → evaluation)",
		cfg.Method(), len(cfg.Targets), cfg.Seeds, cfg.Selection.Mode, cfg.Regressor)
	res.Run, err = pipeline.Run(ctx, tables, cfg, pipeline.Options{Logger: log})
	if err != nil {
		return nil, fmt.Errorf("demo: pipeline: %w", err)
	}
	if l := pipeline.ChosenLearners(res.Run.Selection); l != "" {
		step("graph learner chosen per target: %s", l)
	}
	if err := pipeline.WriteRun(res.RunDir, res.Run, tables, res.ZooDir, manifest.Checksum()); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	res.Timings["pipeline"] = time.Since(t0)

	if sample.HeldOut != nil {
		t0 = time.Now()
		if err := describe(ctx, res, sample.HeldOut, tables, opt, step); err != nil {
			return nil, err
		}
		res.Timings["rank"] = time.Since(t0)
	}
	return res, nil
}

// withDefaults checks opt (an output directory that does not exist yet or
// is empty: the demo never overwrites) and returns it with its defaults filled in — 2
// targets, 2 seeds — and the sample's options: DefaultSampleOptions with
// opt's seed unless opt.Sample sets the size, and DescribedDataset held
// out unless another is.
func withDefaults(opt Options) (Options, SampleOptions, error) {
	if opt.Out == "" {
		return opt, SampleOptions{}, errors.New("demo: no output directory")
	}
	switch entries, err := os.ReadDir(opt.Out); {
	case errors.Is(err, fs.ErrNotExist), err == nil && len(entries) == 0:
		// created, or written into
	case err == nil:
		return opt, SampleOptions{}, fmt.Errorf("demo: %s: %w and holds files (the demo never overwrites; an empty directory will do)", opt.Out, fs.ErrExist)
	default:
		if fi, serr := os.Stat(opt.Out); serr == nil && !fi.IsDir() {
			return opt, SampleOptions{}, fmt.Errorf("demo: %s: %w and is not a directory (the demo never overwrites)", opt.Out, fs.ErrExist)
		}
		return opt, SampleOptions{}, fmt.Errorf("demo: %w", err)
	}
	if opt.Targets <= 0 {
		opt.Targets = 2
	}
	if opt.Seeds <= 0 {
		opt.Seeds = 2
	}
	sopt := opt.Sample
	if sopt.BaseModels == 0 {
		sopt = DefaultSampleOptions()
		sopt.Seed = opt.Seed
	}
	if sopt.HoldOut == "" {
		sopt.HoldOut = DescribedDataset
	}
	return opt, sopt, nil
}

// crawlSample serves the sample's models through an in-process Hub replica
// on loopback, crawls it with the real crawler (metadata, cards and their
// model-index results) into res.ZooDir, and reads the history the cards
// hold; the crawl's and the history's summaries go to res. The replica is
// stopped before it returns.
func crawlSample(ctx context.Context, res *Result, sample *Sample, opt Options, log *slog.Logger, step func(string, ...any)) error {
	replica := hubtest.New(hubtest.Options{Seed: opt.Seed})
	for _, m := range sample.Models {
		if err := replica.AddModel(repoOf(&m)); err != nil {
			return fmt.Errorf("demo: replica: %w", err)
		}
	}
	url, stop, err := replica.Start()
	if err != nil {
		return fmt.Errorf("demo: start the Hub replica: %w", err)
	}
	defer stop()
	step("serving it through the in-process Hub replica at %s", url)

	if err := os.MkdirAll(opt.Out, 0o755); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	res.Crawl, err = crawler.Crawl(ctx, crawler.Options{
		Kind: crawler.KindModels, Out: res.ZooDir, Endpoint: url, Quota: hub.Quota{Off: true}, // a local replica: no client-side pacing
		Cards: true, Workers: opt.Workers, Logger: log,
	})
	if err != nil {
		return fmt.Errorf("demo: crawl: %w", err)
	}
	step("crawled it with the real crawler: %d models, %d cards, %d eval rows in %d pages, %d requests (%.2f s)",
		res.Crawl.TableRows, res.Crawl.Cards, res.Crawl.Evals, res.Crawl.Pages, res.Crawl.Requests, res.Crawl.Elapsed.Seconds())
	hist, err := pipeline.ReadHistory(res.ZooDir)
	if err != nil {
		return fmt.Errorf("demo: history from model-index: %w", err)
	}
	res.History = &hist.Report
	step("read fine-tuning history from the cards' model-index results: %d records (%d base models, %d datasets) of %d eval rows; lineage from base_model for %d models",
		hist.Report.Records, hist.Report.BaseModels, hist.Report.Datasets, hist.Report.Evals, hist.Report.Lineage[pipeline.LineageMetadata])
	return nil
}

// importSample merges the sample's datasets, fine-tuning runs, scores and
// distances into the crawled zoo, as an import would, and reads the whole
// zoo back.
func importSample(ctx context.Context, res *Result, sample *Sample, sopt SampleOptions, step func(string, ...any)) (*store.Tables, *store.Manifest, error) {
	_, err := store.MergeZoo(ctx, res.ZooDir, &store.Tables{
		Datasets: sample.Datasets, Finetunes: sample.Finetunes, Scores: sample.Scores, DatasetDistances: sample.Distances,
	}, store.Provenance{Source: "zoograph/sample", Command: "demo", At: time.Now().UTC(),
		Detail: map[string]string{"seed": fmt.Sprint(sopt.Seed), "base_models": fmt.Sprint(sopt.BaseModels)}})
	if err != nil {
		return nil, nil, fmt.Errorf("demo: import the sample's fine-tuning history: %w", err)
	}
	tables, manifest, err := store.ReadZoo(res.ZooDir)
	if err != nil {
		return nil, nil, fmt.Errorf("demo: read back the zoo: %w", err)
	}
	step("imported the sample's fine-tuning history: %d runs, %d transferability scores, %d dataset distances",
		len(tables.Finetunes), len(tables.Scores), len(tables.DatasetDistances))
	return tables, manifest, nil
}

// describe writes a description of the held-out dataset, as a user would,
// and ranks models for it: nothing of it is in the zoo but that file.
func describe(ctx context.Context, res *Result, h *HeldOut, tables *store.Tables, opt Options, step func(string, ...any)) error {
	d := h.Dataset
	yaml := fmt.Sprintf("# A dataset the zoo has never seen, described by its metadata alone.\n"+
		"name: %s\nmodality: image\ntask: image-classification\nnum_classes: %d\nnum_examples: %d\ndomain: finegrained aircraft photos\n",
		d.DatasetID, d.NumClasses, d.NumExamples)
	res.DescriptionFile = filepath.Join(opt.Out, d.DatasetID+".yaml")
	if err := os.WriteFile(res.DescriptionFile, []byte(yaml), 0o644); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	desc, err := pipeline.ParseDescription([]byte(yaml), res.DescriptionFile)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	// The shipped settings, without nested selection, keep the demo fast.
	cfg := Config(opt)
	cfg.Selection.Mode = pipeline.SelectFixed
	step("ranking models for %s, described only by %s (the zoo holds nothing of it)", d.DatasetID, res.DescriptionFile)
	res.Described, err = pipeline.Recommend(ctx, tables, cfg, pipeline.Target{Describe: desc}, pipeline.RecommendOptions{})
	if err != nil {
		return fmt.Errorf("demo: rank %s: %w", d.DatasetID, err)
	}
	sum, n := map[string]float64{}, map[string]float64{}
	for _, f := range h.Finetunes {
		sum[f.ModelID] += f.Accuracy
		n[f.ModelID]++
	}
	res.HeldOut = map[string]float64{}
	for m, s := range sum {
		res.HeldOut[m] = s / n[m]
	}
	return nil
}

// Config is the demo's pipeline configuration: the shipped defaults made
// small enough to run in seconds.
func Config(opt Options) pipeline.Config {
	cfg := pipeline.DefaultConfig()
	cfg.Seeds = max(opt.Seeds, 1)
	cfg.Seed = opt.Seed
	cfg.Protocols = []string{"clean"}
	cfg.Node2Vec.Dim = 64
	cfg.Node2Vec.Epochs = 5
	cfg.GBDT.Trees = 200
	// Nested selection over a smaller space and the 6 datasets nearest to
	// each target: the same procedure, a tenth of the work.
	cfg.Selection.GBDTMaxDepths = []int{3}
	cfg.Selection.Blends = []float64{1, 0.5, 0}
	cfg.Selection.MaxInnerFolds = 6
	if opt.Workers > 0 {
		cfg.Workers = opt.Workers
	}
	return cfg
}

// repoOf turns a sample model into a repository of the replica: its API
// metadata, the parsed front matter as cardData, and its README.
func repoOf(m *SampleModel) hubtest.Repo {
	cardData := map[string]any{
		"license":      m.License,
		"library_name": m.LibraryName,
		"pipeline_tag": m.PipelineTag,
		"tags":         toAny(m.Tags),
		"datasets":     []any{m.SourceDataset},
		"model-index": []any{map[string]any{
			"name": m.ID[len(m.Author)+1:],
			"results": []any{map[string]any{
				"task":    map[string]any{"type": m.PipelineTag},
				"dataset": map[string]any{"name": m.SourceDataset, "type": m.SourceDataset, "split": "validation"},
				"metrics": []any{map[string]any{"type": "accuracy", "value": m.SourceAccuracy, "name": "Accuracy"}},
			}},
		}},
	}
	if m.BaseModel != "" {
		cardData["base_model"] = m.BaseModel
	}
	return hubtest.Repo{
		ID: m.ID, CreatedAt: m.CreatedAt, LastModified: m.LastModified, Gated: m.Gated,
		Downloads: m.Downloads, DownloadsAllTime: m.Downloads * 7, Likes: m.Likes,
		Tags: m.Tags, PipelineTag: m.PipelineTag, LibraryName: m.LibraryName,
		CardData: cardData,
		Config: map[string]any{
			"architectures": toAny(m.Architectures), "model_type": m.ModelType,
		},
		Safetensors: &hubtest.Safetensors{Parameters: map[string]int64{"F32": m.NumParameters}, Total: m.NumParameters},
		Card:        []byte(m.README),
	}
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}
