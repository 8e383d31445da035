package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/zoograph/zoograph/store"
)

// SampleOptions size the generated hub.
type SampleOptions struct {
	// BaseModels is the number of pre-trained base models; each gets
	// fine-tuned variants (lineage), so the hub holds about 2.5× as many
	// models.
	BaseModels int
	// Seed drives every random choice.
	Seed uint64
	// HoldOut names a downstream dataset kept out of the hub: its records,
	// scores, distances and datasets row go to Sample.HeldOut instead, and
	// the models fine-tuned on it are left out (their cards would report
	// it). The rest of the sample is what it would be without HoldOut.
	HoldOut string
}

// DefaultSampleOptions returns the demo's default size: about 250 models
// and 30 datasets.
func DefaultSampleOptions() SampleOptions { return SampleOptions{BaseModels: 100, Seed: 7} }

// SampleModel is one generated model repository: its Hub metadata and its
// README.
type SampleModel struct {
	ID, Author       string
	Family           string
	ModelType        string
	Architectures    []string
	NumParameters    int64
	InputSize        int64
	PipelineTag      string
	LibraryName      string
	Tags             []string
	License          string
	Downloads, Likes int64
	CreatedAt        time.Time
	LastModified     time.Time
	BaseModel        string // "" for a base model
	SourceDataset    string // the dataset it was (pre-)trained on
	SourceAccuracy   float64
	Gated            string // "", "auto" or "manual"
	README           string
}

// Sample is a generated hub with a planted latent structure: every model
// and dataset has a latent vector, and a model's fine-tuning accuracy on a
// dataset is a noisy function of their affinity, the model's quality and
// its lineage. Transferability scores (LogME-like) and downloads see that
// structure only faintly, so a method that learns it beats them.
type Sample struct {
	Models    []SampleModel
	Datasets  []store.Dataset
	Finetunes []store.Finetune
	Scores    []store.Score
	Distances []store.DatasetDistance
	// Targets are the datasets with transferability scores: the demo's
	// evaluation targets, in order of interest.
	Targets []string
	// HeldOut is what SampleOptions.HoldOut kept out of the hub.
	HeldOut *HeldOut
}

// HeldOut is a dataset kept out of the sample hub, with what the hub would
// have recorded on it: the ground truth for a recommendation made from its
// description alone.
type HeldOut struct {
	Dataset   store.Dataset
	Finetunes []store.Finetune
}

type family struct {
	name, modelType, arch, owner, modality string
	sizes                                  []string
	params                                 []int64
	inputs                                 []int64
}

var families = []family{
	{"vit", "vit", "ViTForImageClassification", "google", "image", []string{"small", "base", "large"}, []int64{22e6, 86e6, 304e6}, []int64{224, 224, 384}},
	{"swin", "swin", "SwinForImageClassification", "microsoft", "image", []string{"tiny", "small", "base"}, []int64{28e6, 50e6, 88e6}, []int64{224, 224, 384}},
	{"convnext", "convnext", "ConvNextForImageClassification", "facebook", "image", []string{"tiny", "base", "large"}, []int64{28e6, 89e6, 198e6}, []int64{224, 224, 384}},
	{"resnet", "resnet", "ResNetForImageClassification", "microsoft", "image", []string{"18", "50", "101"}, []int64{11e6, 25e6, 44e6}, []int64{224, 224, 224}},
	{"beit", "beit", "BeitForImageClassification", "microsoft", "image", []string{"base", "large"}, []int64{86e6, 304e6}, []int64{224, 384}},
	{"deit", "deit", "DeiTForImageClassification", "facebook", "image", []string{"tiny", "small", "base"}, []int64{5e6, 22e6, 86e6}, []int64{224, 224, 224}},
	{"bert", "bert", "BertForSequenceClassification", "google-bert", "text", []string{"small", "base", "large"}, []int64{29e6, 110e6, 340e6}, []int64{512, 512, 512}},
	{"roberta", "roberta", "RobertaForSequenceClassification", "FacebookAI", "text", []string{"base", "large"}, []int64{125e6, 355e6}, []int64{512, 512}},
	{"distilbert", "distilbert", "DistilBertForSequenceClassification", "distilbert", "text", []string{"base"}, []int64{66e6}, []int64{512}},
	{"deberta", "deberta-v2", "DebertaV2ForSequenceClassification", "microsoft", "text", []string{"base", "large"}, []int64{184e6, 435e6}, []int64{512, 512}},
}

type domain struct {
	name, modality string
	datasets       []string
	classes        []int64
	examples       []int64
}

var domains = []domain{
	{"natural", "image", []string{"natural-objects-10", "natural-objects-100", "natural-scenes"}, []int64{10, 100, 67}, []int64{50000, 50000, 15620}},
	{"finegrained", "image", []string{"fine-birds", "fine-cars", "fine-flowers", "fine-pets", "fine-aircraft"}, []int64{200, 196, 102, 37, 100}, []int64{5994, 8144, 2040, 3680, 6667}},
	{"medical", "image", []string{"medical-xray", "medical-retina", "medical-skin"}, []int64{2, 5, 7}, []int64{5216, 35126, 10015}},
	{"remote", "image", []string{"remote-landuse", "remote-aerial"}, []int64{10, 21}, []int64{27000, 2100}},
	{"synthetic", "image", []string{"digits-street", "digits-hand", "shapes-elevation"}, []int64{10, 10, 9}, []int64{73257, 60000, 24300}},
	{"texture", "image", []string{"texture-describable", "texture-materials"}, []int64{47, 23}, []int64{3760, 4752}},
	{"sentiment", "text", []string{"reviews-movies", "reviews-products", "tweets-sentiment"}, []int64{2, 5, 3}, []int64{8530, 65000, 45615}},
	{"topic", "text", []string{"news-topics", "questions-topics"}, []int64{4, 10}, []int64{120000, 140000}},
	{"inference", "text", []string{"nli-pairs", "paraphrase-pairs"}, []int64{3, 2}, []int64{392702, 363846}},
	{"social", "text", []string{"tweets-irony", "tweets-offensive", "tweets-emotion"}, []int64{2, 2, 4}, []int64{2862, 11916, 3257}},
}

// pretraining corpora a base model may come from, per modality, with the
// domain each favours.
var corpora = map[string][]struct{ name, favours string }{
	"image": {{"imagenet-1k", "natural"}, {"imagenet-21k", "finegrained"}, {"laion-subset", "natural"}},
	"text":  {{"wikipedia-books", "topic"}, {"web-crawl", "social"}},
}

const latentDim = 6

// GenerateSample builds the sample hub. The same options give the same
// sample, byte for byte.
func GenerateSample(opt SampleOptions) *Sample {
	if opt.BaseModels <= 0 {
		opt.BaseModels = DefaultSampleOptions().BaseModels
	}
	g := &sampler{rng: rand.New(rand.NewPCG(opt.Seed, 0x5eed)), s: &Sample{},
		dsVec: map[string][]float64{}, domVec: map[string][]float64{}, dsDomain: map[string]string{},
		dsMeta: map[string]dsInfo{}, lat: map[string]latent{}, truth: map[[2]string]float64{}}
	g.datasets()
	g.distances()
	g.finetunedModels(g.baseModels(opt.BaseModels))
	s := g.s
	sort.Slice(s.Models, func(i, j int) bool { return s.Models[i].ID < s.Models[j].ID })
	g.history()
	g.scores()
	if opt.HoldOut != "" {
		holdOut(s, opt.HoldOut)
	}
	for i := range s.Models {
		s.Models[i].README = readme(&s.Models[i])
	}
	return s
}

// sampler is the state of one GenerateSample: its random source, drawn from
// in a fixed order (the steps below run in sequence, each drawing in a fixed
// order), the sample being built, and the planted structure — latent vectors
// of domains, datasets and models, and the true affinity of every
// fine-tuned pair.
type sampler struct {
	rng      *rand.Rand
	s        *Sample
	dsVec    map[string][]float64 // dataset -> latent vector
	domVec   map[string][]float64 // domain -> latent direction
	dsDomain map[string]string
	dsMeta   map[string]dsInfo
	dsNames  []string // downstream datasets, then pretraining corpora
	lat      map[string]latent
	truth    map[[2]string]float64 // (model, dataset) -> the accuracy logit without run noise
}

// dsInfo is a downstream dataset's accuracy range and modality.
type dsInfo struct {
	floor, ceil float64
	modality    string
}

// latent is a model's planted vector and quality.
type latent struct {
	z       []float64
	quality float64
}

// sampleUsers own the fine-tuned models and later base-model variants.
var sampleUsers = []string{"alice-ml", "bob-vision", "carol-nlp", "dave-lab", "eve-research", "frank-ai", "grace-models", "heidi-ft"}

// vec draws a latent vector with independent N(0, scale²) coordinates.
func (g *sampler) vec(scale float64) []float64 {
	v := make([]float64, latentDim)
	for i := range v {
		v[i] = scale * g.rng.NormFloat64()
	}
	return v
}

// addScaled returns a + s·b.
func addScaled(a, b []float64, s float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] + s*b[i]
	}
	return out
}

// dot returns the dot product of a and b.
func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// datasets adds the datasets, sorted by id: each domain has a latent
// direction and its downstream datasets scatter around it, with an accuracy
// range; the pretraining corpora are dataset nodes too (distances,
// trained-on), near the domain they favour.
func (g *sampler) datasets() {
	s := g.s
	for _, dom := range domains {
		g.domVec[dom.name] = g.vec(1)
		for i, name := range dom.datasets {
			g.dsVec[name] = addScaled(g.domVec[dom.name], g.vec(1), 0.45)
			g.dsDomain[name] = dom.name
			floor := 0.15 + 0.35*g.rng.Float64()
			g.dsMeta[name] = dsInfo{floor: floor, ceil: math.Min(0.995, floor+0.35+0.3*g.rng.Float64()), modality: dom.modality}
			g.dsNames = append(g.dsNames, name)
			task := "image-classification"
			if dom.modality == "text" {
				task = "text-classification"
			}
			s.Datasets = append(s.Datasets, store.Dataset{
				DatasetID: name, Author: "zoograph-sample", Tags: []string{"task_categories:" + task, "domain:" + dom.name},
				TaskCategories: []string{task}, NumExamples: dom.examples[i], NumClasses: dom.classes[i],
				License: "cc-by-4.0", Source: "zoograph/sample",
			})
		}
	}
	for _, mod := range []string{"image", "text"} {
		for _, c := range corpora[mod] {
			g.dsVec[c.name] = addScaled(g.domVec[c.favours], g.vec(1), 0.6)
			g.dsDomain[c.name] = c.favours
			g.dsNames = append(g.dsNames, c.name)
			s.Datasets = append(s.Datasets, store.Dataset{DatasetID: c.name, Author: "zoograph-sample",
				Tags: []string{"pretraining"}, Source: "zoograph/sample"})
		}
	}
	sort.Slice(s.Datasets, func(i, j int) bool { return s.Datasets[i].DatasetID < s.Datasets[j].DatasetID })
}

// distances adds the distance of every ordered pair of datasets: the
// Euclidean distance between their vectors, scaled to the range of a real
// probe-embedding distance matrix (4 + 2·d). It draws nothing.
func (g *sampler) distances() {
	for _, a := range g.dsNames {
		for _, b := range g.dsNames {
			if a == b {
				continue
			}
			var d2 float64
			for i := range latentDim {
				x := g.dsVec[a][i] - g.dsVec[b][i]
				d2 += x * x
			}
			g.s.Distances = append(g.s.Distances, store.DatasetDistance{DatasetA: a, DatasetB: b,
				Distance: 4 + 2*math.Sqrt(d2), Method: "domain_similarity:sample-probe", Source: "zoograph/sample"})
		}
	}
}

// baseModels adds n base models, cycling through the families and their
// sizes (later rounds are users' variants), each pretrained on a corpus of
// its modality, and returns their indexes in s.Models. A model's vector
// mixes its family's, its corpus's domain and noise; its quality grows with
// its size.
func (g *sampler) baseModels(n int) []int {
	famVec := map[string][]float64{}
	for _, f := range families {
		famVec[f.name] = g.vec(0.6)
	}
	rng := g.rng
	var bases []int
	for i := 0; len(bases) < n; i++ {
		f := families[i%len(families)]
		k := (i / len(families)) % len(f.sizes)
		variant := i / (len(families) * len(f.sizes))
		cs := corpora[f.modality]
		corpus := cs[rng.IntN(len(cs))]
		id := fmt.Sprintf("%s/%s-%s-%s", f.owner, f.name, f.sizes[k], strings.TrimSuffix(corpus.name, "-1k"))
		if variant > 0 {
			id = fmt.Sprintf("%s/%s-%s-%s-v%d", sampleUsers[rng.IntN(len(sampleUsers))], f.name, f.sizes[k], strings.TrimSuffix(corpus.name, "-1k"), variant+1)
		}
		if _, dup := g.lat[id]; dup {
			continue
		}
		sizeBonus := 0.35 * math.Log(float64(f.params[k])/50e6)
		z := addScaled(addScaled(famVec[f.name], g.domVec[corpus.favours], 0.3), g.vec(1), 0.7)
		q := 0.7*rng.NormFloat64() + sizeBonus
		g.lat[id] = latent{z: z, quality: q}
		created := sampleEpoch.Add(time.Duration(rng.IntN(900*24)) * time.Hour)
		m := SampleModel{
			ID: id, Author: strings.Split(id, "/")[0], Family: f.name, ModelType: f.modelType,
			Architectures: []string{f.arch}, NumParameters: f.params[k], InputSize: f.inputs[k],
			PipelineTag: pipelineTag(f.modality), LibraryName: "transformers",
			Tags:      []string{"transformers", "pytorch", f.modelType, pipelineTag(f.modality)},
			License:   []string{"apache-2.0", "mit", "cc-by-4.0"}[rng.IntN(3)],
			Downloads: downloads(rng, q, 2.0), Likes: int64(rng.ExpFloat64() * 20),
			CreatedAt: created, LastModified: created.Add(time.Duration(rng.IntN(300*24)) * time.Hour),
			SourceDataset: corpus.name, SourceAccuracy: round4(0.6 + 0.3/(1+math.Exp(-(0.5*q+rng.NormFloat64())))),
		}
		bases = append(bases, len(g.s.Models))
		g.s.Models = append(g.s.Models, m)
	}
	return bases
}

// sampleEpoch is the earliest creation time of a sample model.
var sampleEpoch = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)

// finetunedModels adds one to three fine-tuned children of every base
// model, each trained on a dataset of its parent's modality: a child
// inherits its parent's vector, gains on the domain of the dataset it was
// trained on, and its quality varies a little around its parent's.
func (g *sampler) finetunedModels(bases []int) {
	rng := g.rng
	for _, bi := range bases {
		parent := g.s.Models[bi]
		for c := range 1 + rng.IntN(3) {
			var pool []string
			for _, d := range g.dsNames {
				if g.dsMeta[d].modality == modalityOf(parent.PipelineTag) {
					pool = append(pool, d)
				}
			}
			src := pool[rng.IntN(len(pool))]
			user := sampleUsers[rng.IntN(len(sampleUsers))]
			name := strings.SplitN(parent.ID, "/", 2)[1]
			id := fmt.Sprintf("%s/%s-finetuned-%s", user, name, src)
			if c > 0 {
				id = fmt.Sprintf("%s-%d", id, c+1)
			}
			if _, dup := g.lat[id]; dup {
				continue
			}
			pl := g.lat[parent.ID]
			z := addScaled(addScaled(pl.z, g.domVec[g.dsDomain[src]], 0.3), g.vec(1), 0.15)
			q := pl.quality + 0.15*rng.NormFloat64()
			g.lat[id] = latent{z: z, quality: q}
			created := parent.LastModified.Add(time.Duration(1+rng.IntN(200*24)) * time.Hour)
			m := parent
			m.ID, m.Author, m.BaseModel, m.SourceDataset = id, user, parent.ID, src
			m.Tags = append(append([]string{}, parent.Tags...), "generated_from_trainer")
			m.Downloads, m.Likes = downloads(rng, q, 2.5)/10, int64(rng.ExpFloat64()*3)
			m.CreatedAt, m.LastModified = created, created.Add(time.Duration(rng.IntN(30*24))*time.Hour)
			info := g.dsMeta[src]
			m.SourceAccuracy = round4(info.floor + (info.ceil-info.floor)/(1+math.Exp(-(q+0.4*dot(z, g.dsVec[src])))))
			if rng.IntN(25) == 0 {
				m.Gated = "auto"
			}
			g.s.Models = append(g.s.Models, m)
		}
	}
}

// history adds the fine-tuning history: each model on about 70% of the
// downstream datasets of its modality, one pair in 20 run twice; the
// accuracy is the dataset's range squashing the planted affinity (quality
// + 0.3·z·dataset vector, + 0.8 on the model's own source dataset) plus run
// noise. The affinities are kept in g.truth.
func (g *sampler) history() {
	rng := g.rng
	for _, m := range g.s.Models {
		l := g.lat[m.ID]
		for _, dom := range domains {
			if dom.modality != modalityOf(m.PipelineTag) {
				continue
			}
			for _, d := range dom.datasets {
				if rng.Float64() > 0.7 {
					continue
				}
				info := g.dsMeta[d]
				logit := l.quality + 0.3*dot(l.z, g.dsVec[d])
				if m.SourceDataset == d {
					logit += 0.8
				}
				g.truth[[2]string{m.ID, d}] = logit
				runs := 1
				if rng.IntN(20) == 0 {
					runs = 2
				}
				for r := range runs {
					acc := info.floor + (info.ceil-info.floor)/(1+math.Exp(-(logit+0.35*rng.NormFloat64())))
					g.s.Finetunes = append(g.s.Finetunes, store.Finetune{
						ModelID: m.ID, DatasetID: d, Run: int64(r), Accuracy: round4(acc), Method: "full",
						Epochs: 10, BatchSize: 32, LearningRate: 5e-5,
						TrainSeconds: math.Round(float64(m.NumParameters)/1e6*(1+rng.Float64())) + 30,
						Seed:         int64(42 + r), Source: "zoograph/sample",
					})
				}
			}
		}
	}
}

// scores sets the evaluation targets and adds LogME-like and
// Reg-H-Score-like scores of every fine-tuned pair on them: a faint view of
// the truth, dominated by model size and noise.
func (g *sampler) scores() {
	s, rng := g.s, g.rng
	s.Targets = []string{"fine-cars", "medical-retina", "texture-describable", "natural-objects-100", "reviews-movies", "tweets-offensive"}
	for _, t := range s.Targets {
		for _, m := range s.Models {
			logit, ok := g.truth[[2]string{m.ID, t}]
			if !ok {
				continue
			}
			size := math.Log(float64(m.NumParameters) / 50e6)
			s.Scores = append(s.Scores,
				store.Score{ModelID: m.ID, DatasetID: t, Method: "logme", Score: round4(0.25*logit + 0.3*size + 1.1*rng.NormFloat64()), RuntimeSeconds: round4(5 + 20*rng.Float64()), Source: "zoograph/sample"},
				store.Score{ModelID: m.ID, DatasetID: t, Method: "reg_h_score", Score: round4(5*(0.35*logit+0.3*size+1.0*rng.NormFloat64()) + 20), RuntimeSeconds: round4(5 + 20*rng.Float64()), Source: "zoograph/sample"})
		}
	}
}

// holdOut moves dataset id out of the sample (see SampleOptions.HoldOut).
func holdOut(s *Sample, id string) {
	h := &HeldOut{}
	for _, d := range s.Datasets {
		if d.DatasetID == id {
			h.Dataset = d
		}
	}
	if h.Dataset.DatasetID == "" {
		return
	}
	trainedOn := map[string]bool{}
	s.Models = slices.DeleteFunc(s.Models, func(m SampleModel) bool {
		trainedOn[m.ID] = m.SourceDataset == id
		return trainedOn[m.ID]
	})
	s.Finetunes = slices.DeleteFunc(s.Finetunes, func(f store.Finetune) bool {
		if f.DatasetID == id && !trainedOn[f.ModelID] {
			h.Finetunes = append(h.Finetunes, f)
		}
		return f.DatasetID == id || trainedOn[f.ModelID]
	})
	s.Scores = slices.DeleteFunc(s.Scores, func(x store.Score) bool { return x.DatasetID == id || trainedOn[x.ModelID] })
	s.Distances = slices.DeleteFunc(s.Distances, func(x store.DatasetDistance) bool { return x.DatasetA == id || x.DatasetB == id })
	s.Datasets = slices.DeleteFunc(s.Datasets, func(d store.Dataset) bool { return d.DatasetID == id })
	s.Targets = slices.DeleteFunc(s.Targets, func(t string) bool { return t == id })
	s.HeldOut = h
}

func downloads(rng *rand.Rand, quality, spread float64) int64 {
	return int64(math.Exp(6 + 0.4*quality + spread*rng.NormFloat64()))
}

func pipelineTag(modality string) string {
	if modality == "text" {
		return "text-classification"
	}
	return "image-classification"
}

func modalityOf(tag string) string {
	if tag == "text-classification" {
		return "text"
	}
	return "image"
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// readme renders a model card: YAML front matter with license, datasets,
// base_model lineage and a model-index with the source accuracy, then a
// short body.
func readme(m *SampleModel) string {
	var b strings.Builder
	b.WriteString("---\n")
	fmt.Fprintf(&b, "license: %s\nlibrary_name: %s\npipeline_tag: %s\n", m.License, m.LibraryName, m.PipelineTag)
	b.WriteString("tags:\n")
	for _, t := range m.Tags {
		fmt.Fprintf(&b, "- %s\n", t)
	}
	fmt.Fprintf(&b, "datasets:\n- %s\n", m.SourceDataset)
	if m.BaseModel != "" {
		fmt.Fprintf(&b, "base_model: %s\n", m.BaseModel)
	}
	task := "Image Classification"
	if m.PipelineTag == "text-classification" {
		task = "Text Classification"
	}
	fmt.Fprintf(&b, "model-index:\n- name: %s\n  results:\n  - task:\n      type: %s\n      name: %s\n", strings.Split(m.ID, "/")[1], m.PipelineTag, task)
	fmt.Fprintf(&b, "    dataset:\n      name: %s\n      type: %s\n      split: validation\n", m.SourceDataset, m.SourceDataset)
	fmt.Fprintf(&b, "    metrics:\n    - type: accuracy\n      value: %.4f\n      name: Accuracy\n", m.SourceAccuracy)
	b.WriteString("---\n\n")
	fmt.Fprintf(&b, "# %s\n\n", m.ID)
	if m.BaseModel != "" {
		fmt.Fprintf(&b, "This model is a fine-tuned version of [%s](https://huggingface.co/%s) on the %s dataset.\n\n", m.BaseModel, m.BaseModel, m.SourceDataset)
	} else {
		fmt.Fprintf(&b, "A %s model pre-trained on %s.\n\n", m.ModelType, m.SourceDataset)
	}
	fmt.Fprintf(&b, "It achieves an accuracy of %.4f on the evaluation set.\n\n(Generated sample card: zoograph demo data.)\n", m.SourceAccuracy)
	return b.String()
}
