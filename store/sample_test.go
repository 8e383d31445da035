package store

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Deterministic sample rows for tests and benchmarks. Every generator mixes
// nulls (zero values), NaN, empty and long lists, unicode and timestamps in
// several time zones, so a round trip exercises every null convention.

var sampleWords = []string{
	"pytorch", "vit", "image-classification", "en", "fr", "日本語", "emoji 🦒", "",
	"a,b;c", `quote"d`, "tab\tand\nnewline", "transformers", "license:mit", "Ünïcödé",
}

var sampleZones = []*time.Location{time.UTC, time.FixedZone("CET", 3600), time.FixedZone("minus", -7*3600-30*60)}

type sampler struct{ r *rand.Rand }

func newSampler(seed uint64) *sampler { return &sampler{rand.New(rand.NewPCG(seed, 1))} }

func (s *sampler) word() string { return sampleWords[s.r.IntN(len(sampleWords))] }

// maybe returns "" (null) one time in four.
func (s *sampler) maybe(v string) string {
	if s.r.IntN(4) == 0 {
		return ""
	}
	return v
}

func (s *sampler) id(prefix string, n int) string {
	return fmt.Sprintf("%s-%d/%s", prefix, s.r.IntN(n), s.word())
}

// list returns nil, an empty list or up to 6 words.
func (s *sampler) list() []string {
	switch n := s.r.IntN(8); n {
	case 0:
		return nil
	case 1:
		return []string{}
	default:
		out := make([]string, n-1)
		for i := range out {
			out[i] = s.word()
		}
		return out
	}
}

// time returns the zero time (null) one time in five, else a time with
// microsecond precision in some zone.
func (s *sampler) time() time.Time {
	if s.r.IntN(5) == 0 {
		return time.Time{}
	}
	us := 1_500_000_000_000_000 + s.r.Int64N(400_000_000_000_000)
	return time.UnixMicro(us).In(sampleZones[s.r.IntN(len(sampleZones))])
}

// float returns NaN (null) one time in five.
func (s *sampler) float() float64 {
	if s.r.IntN(5) == 0 {
		return math.NaN()
	}
	return s.r.NormFloat64()
}

// count returns 0 (null where the column treats it so) one time in four.
func (s *sampler) count() int64 {
	if s.r.IntN(4) == 0 {
		return 0
	}
	return s.r.Int64N(1 << 40)
}

// sampleRows returns n rows made by row from one sampler seeded with seed,
// in order, so the same seed gives the same rows.
func sampleRows[T any](n int, seed uint64, row func(s *sampler, i int) T) []T {
	s := newSampler(seed)
	rows := make([]T, n)
	for i := range rows {
		rows[i] = row(s, i)
	}
	return rows
}

func sampleModels(n int, seed uint64) []Model {
	return sampleRows(n, seed, func(s *sampler, i int) Model {
		return Model{
			ModelID: fmt.Sprintf("owner-%d/model-%d", i%97, i), HubOID: s.maybe(fmt.Sprintf("%024x", s.r.Uint64())),
			Author: s.maybe(s.word()), SHA: s.maybe(fmt.Sprintf("%040x", s.r.Uint64())),
			CreatedAt: s.time(), LastModified: s.time(), PipelineTag: s.maybe("image-classification"),
			LibraryName: s.maybe("transformers"), Tags: s.list(), Downloads: s.r.Int64N(1e6),
			DownloadsAllTime: s.r.Int64N(1e9), Likes: s.r.Int64N(1000), Gated: s.maybe("manual"),
			Architectures: s.list(), ModelType: s.maybe("vit"), NumParameters: s.count(), InputSize: s.count(),
			OutputSize: s.count(), NumLabels: s.count(), SourceDatasets: s.list(), PretrainDataset: s.maybe(s.word()),
			ReportedAccuracy: s.float(), BaseModels: s.list(), License: s.maybe("apache-2.0"), Languages: s.list(),
			Source: "hub", CrawledAt: s.time(),
		}
	})
}

func sampleDatasets(n int, seed uint64) []Dataset {
	return sampleRows(n, seed, func(s *sampler, i int) Dataset {
		return Dataset{
			DatasetID: fmt.Sprintf("ds-%d/%s", i, s.word()), HubOID: s.maybe("65a1b2"), Author: s.maybe(s.word()),
			CreatedAt: s.time(), LastModified: s.time(), Tags: s.list(), TaskCategories: s.list(),
			SizeCategories: s.list(), NumExamples: s.count(), NumClasses: s.count(), Languages: s.list(),
			License: s.maybe("cc-by-4.0"), Downloads: s.r.Int64N(1e6), Likes: s.r.Int64N(100), Source: s.word(),
			CrawledAt: s.time(),
		}
	})
}

func sampleCards(n int, seed uint64) []Card {
	return sampleRows(n, seed, func(s *sampler, i int) Card {
		t := s.time()
		if t.IsZero() {
			t = time.Date(2024, 2, 29, 23, 59, 59, 999999000, time.UTC)
		}
		return Card{
			RepoType: []string{"model", "dataset"}[i%2], RepoID: s.id("repo", 50), Revision: s.maybe("main"),
			ETag: s.maybe(`W/"abc"`), Text: "---\nlicense: mit\n---\n# " + s.word() + "\n\n" + s.word(), FetchedAt: t,
		}
	})
}

func sampleEvals(n int, seed uint64) []Eval {
	return sampleRows(n, seed, func(s *sampler, i int) Eval {
		return Eval{
			ModelID: s.id("m", 100), ModelName: s.maybe(s.word()), TaskType: s.maybe("image-classification"),
			DatasetType: s.maybe("cifar10"), DatasetName: s.maybe("CIFAR-10"), DatasetConfig: s.maybe("plain_text"),
			DatasetSplit: s.maybe("test"), MetricType: s.maybe("accuracy"), MetricName: s.maybe("Accuracy"),
			Value: s.float(), ValueRaw: s.maybe("0.98"), Verified: s.r.IntN(2) == 0, Source: "card",
		}
	})
}

func sampleFinetunes(n int, seed uint64) []Finetune {
	methods := []string{"full", "lora"}
	return sampleRows(n, seed, func(s *sampler, i int) Finetune {
		return Finetune{
			ModelID: fmt.Sprintf("owner-%d/model-%d", i%211, i%5003), DatasetID: fmt.Sprintf("dataset-%d", i%97),
			Run: int64(i % 3), Accuracy: s.float(), Method: methods[i%2], Epochs: s.float(),
			BatchSize: s.count() % 512, LearningRate: s.float(), TrainSeconds: s.float(), Seed: s.count() % 100,
			Source: "transfergraph/image_classification",
		}
	})
}

func sampleScores(n int, seed uint64) []Score {
	return sampleRows(n, seed, func(s *sampler, i int) Score {
		score := s.r.NormFloat64()
		switch i % 7 {
		case 3:
			score = math.Inf(1)
		case 4:
			score = math.Inf(-1)
		case 5:
			score = math.NaN()
		}
		return Score{ModelID: s.id("m", 100), DatasetID: s.id("d", 20), Method: "logme", Score: score, RuntimeSeconds: s.float(), Source: "transfergraph/image_classification"}
	})
}

func sampleDistances(n int, seed uint64) []DatasetDistance {
	return sampleRows(n, seed, func(s *sampler, i int) DatasetDistance {
		return DatasetDistance{DatasetA: s.id("d", 20), DatasetB: s.id("d", 20), Distance: s.r.Float64(), Method: "domain_similarity:google/vit", Source: "transfergraph/image_classification"}
	})
}

func sampleReferences(n int, seed uint64) []ReferenceResult {
	return sampleRows(n, seed, func(s *sampler, i int) ReferenceResult {
		return ReferenceResult{Source: "transfergraph/image_classification", Method: s.word(), Metric: "pearson", Target: s.id("d", 20), Value: s.r.Float64()*2 - 1}
	})
}

func samplePredictions(n int, seed uint64) []Prediction {
	return sampleRows(n, seed, func(s *sampler, i int) Prediction {
		return Prediction{Target: s.id("d", 20), ModelID: s.id("m", 100), Method: "gbdt", Seed: int64(i % 5), Predicted: s.r.Float64(), Actual: s.float()}
	})
}

func sampleMetrics(n int, seed uint64) []Metric {
	return sampleRows(n, seed, func(s *sampler, i int) Metric {
		var sd *int64
		if i%3 != 0 {
			v := int64(i % 4) // includes 0, a real seed
			sd = &v
		}
		return Metric{Protocol: "paper", Method: s.word(), Target: s.id("d", 20), Metric: "pearson", Seed: sd, Value: s.float()}
	})
}

// sampleZoo returns a Tables with n rows in every table.
func sampleZoo(n int, seed uint64) *Tables {
	return &Tables{
		Models: sampleModels(n, seed), Datasets: sampleDatasets(n, seed+1), Cards: sampleCards(n, seed+2),
		Evals: sampleEvals(n, seed+3), Finetunes: sampleFinetunes(n, seed+4), Scores: sampleScores(n, seed+5),
		DatasetDistances: sampleDistances(n, seed+6), ReferenceResults: sampleReferences(n, seed+7),
	}
}
