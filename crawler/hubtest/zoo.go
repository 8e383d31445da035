package hubtest

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v4"
)

// Zoo is a synthetic Hub of any size: Models model repositories and
// Datasets dataset repositories, each generated on demand from its index
// and Seed. Nothing is stored, so a replica serving a million models costs
// only its sort indexes (4 bytes per repo per sort key in use).
//
// The zoo imitates the shape of the real Hub: a few real well-known
// datasets first (uoft-cs/cifar10, ...), then generated repos with a
// heavy-tailed author distribution, real pipeline tags, libraries and
// architectures, heavy-tailed downloads and likes, creation dates from
// 2022 (many at the March 2022 migration date, as on the Hub) to 2025,
// fine-tunes with base_model lineage (to earlier models, which may be
// fine-tunes themselves), model-index evaluation results on some cards
// (incl. the string values of RL cards), cards without front matter or
// without a README, and a few private, gated and disabled repos.
type Zoo struct {
	Models   int
	Datasets int
	Seed     uint64
}

// rnd is a splitmix64 stream: cheap, allocation-free and fully determined
// by (seed, stream, kind, index).
type rnd struct{ s uint64 }

func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Streams: independent random sequences per aspect of a repo, so that the
// cheap metadata (sort keys, access state) can be drawn without building
// the rest.
const (
	streamMeta = iota + 1
	streamName
	streamBody
	streamCard
	streamAuthor
	streamFamily
)

func newRnd(seed uint64, stream int, k repoKind, i int) rnd {
	return rnd{s: mix64(seed ^ mix64(uint64(stream)<<8|uint64(k)) ^ mix64(uint64(i)+0x632be59bd9b4e019))}
}

func (r *rnd) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix64(r.s)
}

func (r *rnd) float() float64 { return float64(r.next()>>11) / (1 << 53) }
func (r *rnd) intn(n int) int {
	if n <= 0 {
		return 0
	}
	return int(r.next() % uint64(n))
}
func (r *rnd) chance(p float64) bool { return r.float() < p }

// pick returns an index drawn by weights.
func (r *rnd) pick(weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.intn(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// Time range of generated repos.
var (
	zooEnd   = time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	zooStart = legacyCreated
)

// meta is the cheap part of a generated repo: what sorting, visibility
// and access checks need.
type meta struct {
	created, modified time.Time
	downloads, all    int64
	likes             int64
	trending          float64
	hasTrending       bool
	private, disabled bool
	gated             string
	approved          bool
	family            int // models: index into families; datasets: task index
	oid               [12]byte
}

func (z Zoo) meta(k repoKind, i int) meta {
	r := newRnd(z.Seed, streamMeta, k, i)
	var m meta
	// Creation: a sixth of the repos predate the March 2022 migration and
	// share its timestamp (ties on createdAt, broken by _id).
	if r.chance(1.0 / 6) {
		m.created = legacyCreated.Add(-time.Duration(r.intn(2)) * time.Second)
	} else {
		span := zooEnd.Sub(zooStart)
		// More repos recently: u^0.6 leans toward the end.
		m.created = zooStart.Add(time.Duration(math.Pow(r.float(), 0.6) * float64(span))).Truncate(time.Second)
	}
	rest := zooEnd.Sub(m.created)
	m.modified = m.created.Add(time.Duration(r.float() * float64(rest))).Truncate(time.Millisecond)
	// Downloads (30 days): a third never downloaded, the rest Pareto.
	if !r.chance(0.33) {
		m.downloads = int64(math.Min(math.Floor(1/math.Pow(1-r.float(), 1/0.55)), 5e8))
	}
	m.all = m.downloads * int64(1+r.intn(24))
	m.likes = int64(math.Floor(math.Sqrt(float64(m.downloads)) * r.float() / 4))
	switch {
	case r.chance(0.05): // no score yet: null, sorts last
	case r.chance(0.7):
		m.hasTrending = true
	default:
		m.hasTrending, m.trending = true, math.Round(r.float()*r.float()*400)
	}
	m.private = r.chance(0.005)
	if r.chance(0.012) {
		m.gated = "manual"
		if r.chance(0.4) {
			m.gated = "auto"
		}
		m.approved = r.chance(0.5)
	}
	m.disabled = r.chance(0.001)
	m.family = z.family(k, i)
	// ObjectId: creation time, 5 bytes of hash, a 3-byte counter (the
	// index), so ids are unique for up to 2^24 repos per kind.
	h := mix64(z.Seed ^ uint64(i)*0x9e3779b97f4a7c15 ^ uint64(k)<<60)
	binary.BigEndian.PutUint32(m.oid[:4], uint32(m.created.Unix()))
	m.oid[4], m.oid[5], m.oid[6], m.oid[7], m.oid[8] = byte(h>>32), byte(h>>24), byte(h>>16), byte(h>>8), byte(h)
	m.oid[9], m.oid[10], m.oid[11] = byte(i>>16), byte(i>>8), byte(i)
	if k == kindDataset && i < len(knownDatasets) {
		m.private, m.disabled, m.gated = false, false, ""
		m.downloads = 50_000 + int64(len(knownDatasets)-i)*10_000
		m.all = m.downloads * 30
	}
	return m
}

// repo is the part of repo id that its meta decides, with a SHA drawn
// from r.
func (m *meta) repo(id string, r *rnd) Repo {
	repo := Repo{
		ID:               id,
		OID:              m.oidHex(),
		CreatedAt:        m.created,
		LastModified:     m.modified,
		Private:          m.private,
		Gated:            m.gated,
		Approved:         m.approved,
		Disabled:         m.disabled,
		Downloads:        m.downloads,
		DownloadsAllTime: m.all,
		Likes:            m.likes,
	}
	if m.hasTrending {
		t := m.trending
		repo.TrendingScore = &t
	}
	var sha [24]byte
	for j := 0; j < len(sha); j += 8 {
		binary.LittleEndian.PutUint64(sha[j:], r.next())
	}
	repo.SHA = hexString(sha[:20])
	return repo
}

func (m *meta) oidHex() string { return hexString(m.oid[:]) }

// hexString encodes b, at most 20 bytes, with one allocation.
func hexString(b []byte) string {
	var buf [40]byte
	n := hex.Encode(buf[:], b)
	return string(buf[:n])
}

// family is a kind of model: task, library, architecture and the stems
// of its names with their parameter counts.
type family struct {
	weight                             int
	pipeline, library, modelType, arch string
	metric                             string // "": its cards report no model-index
	stems                              []string
	params                             []int64 // per stem; nil: no safetensors
}

// task is the dataset task category the family trains on.
func (f *family) task() string {
	if f.pipeline == "text2text-generation" {
		return "summarization"
	}
	return f.pipeline
}

var families = []family{
	{14, "image-classification", "transformers", "vit", "ViTForImageClassification", "accuracy", []string{"vit-base-patch16-224", "vit-small-patch16-224", "vit-large-patch16-224"}, []int64{86567656, 22050664, 304351208}},
	{6, "image-classification", "transformers", "convnext", "ConvNextForImageClassification", "accuracy", []string{"convnext-tiny-224", "convnext-base-224"}, []int64{28589128, 88591464}},
	{5, "image-classification", "transformers", "resnet", "ResNetForImageClassification", "accuracy", []string{"resnet-50", "resnet-18"}, []int64{25557032, 11689512}},
	{4, "image-classification", "transformers", "swin", "SwinForImageClassification", "accuracy", []string{"swin-tiny-patch4-window7-224"}, []int64{28288354}},
	{12, "text-classification", "transformers", "bert", "BertForSequenceClassification", "accuracy", []string{"bert-base-uncased", "bert-base-cased", "bert-large-uncased"}, []int64{109483778, 108311810, 335143938}},
	{8, "text-classification", "transformers", "distilbert", "DistilBertForSequenceClassification", "accuracy", []string{"distilbert-base-uncased"}, []int64{66955010}},
	{6, "text-classification", "transformers", "roberta", "RobertaForSequenceClassification", "f1", []string{"roberta-base", "roberta-large"}, []int64{124647170, 355361794}},
	{4, "token-classification", "transformers", "bert", "BertForTokenClassification", "f1", []string{"bert-base-cased-ner"}, []int64{107726601}},
	{3, "question-answering", "transformers", "roberta", "RobertaForQuestionAnswering", "exact_match", []string{"roberta-base-squad2"}, []int64{124056578}},
	{3, "fill-mask", "transformers", "bert", "BertForMaskedLM", "", []string{"bert-mini", "bert-small"}, []int64{11170560, 28763648}},
	{12, "text-generation", "transformers", "llama", "LlamaForCausalLM", "", []string{"llama-3.2-1b", "llama-3.2-3b", "llama-3.1-8b"}, []int64{1235814400, 3212749824, 8030261248}},
	{6, "text-generation", "transformers", "qwen2", "Qwen2ForCausalLM", "", []string{"qwen2.5-0.5b", "qwen2.5-1.5b", "qwen2.5-7b"}, []int64{494032768, 1543714304, 7615616512}},
	{3, "text-generation", "transformers", "gpt2", "GPT2LMHeadModel", "", []string{"gpt2", "distilgpt2"}, []int64{137022720, 88203264}},
	{3, "text2text-generation", "transformers", "t5", "T5ForConditionalGeneration", "rouge1", []string{"t5-small", "flan-t5-base"}, []int64{60506624, 247577856}},
	{2, "translation", "transformers", "marian", "MarianMTModel", "bleu", []string{"opus-mt-en-de", "opus-mt-en-fr"}, []int64{73886208, 74619904}},
	{4, "automatic-speech-recognition", "transformers", "wav2vec2", "Wav2Vec2ForCTC", "wer", []string{"wav2vec2-base-960h", "wav2vec2-large-xlsr-53"}, []int64{94396320, 315472545}},
	{5, "sentence-similarity", "sentence-transformers", "bert", "BertModel", "", []string{"all-MiniLM-L6-v2", "bge-small-en"}, []int64{22713216, 33360000}},
	{4, "text-to-image", "diffusers", "", "", "", []string{"stable-diffusion-v1-5", "sdxl-base-1.0"}, nil},
	{2, "object-detection", "transformers", "detr", "DetrForObjectDetection", "map", []string{"detr-resnet-50"}, []int64{41631008}},
	{3, "reinforcement-learning", "stable-baselines3", "", "", "mean_reward", []string{"ppo-LunarLander-v2", "dqn-SpaceInvadersNoFrameskip-v4"}, nil},
}

var familyWeights = func() []int {
	w := make([]int, len(families))
	for i, f := range families {
		w[i] = f.weight
	}
	return w
}()

// knownDataset is a real well-known dataset.
type knownDataset struct {
	id   string
	task int // index into datasetTasks
}

// datasetTasks: task category, modality, and the families that train on it.
var datasetTasks = []struct{ category, modality string }{
	{"image-classification", "image"},
	{"text-classification", "text"},
	{"token-classification", "text"},
	{"question-answering", "text"},
	{"text-generation", "text"},
	{"summarization", "text"},
	{"translation", "text"},
	{"automatic-speech-recognition", "audio"},
	{"object-detection", "image"},
	{"sentence-similarity", "text"},
	{"text-to-image", "image"},
	{"reinforcement-learning", "tabular"},
}

func taskIndex(category string) int {
	for i, t := range datasetTasks {
		if t.category == category {
			return i
		}
	}
	return -1
}

var knownDatasets = []knownDataset{
	{"uoft-cs/cifar10", taskIndex("image-classification")},
	{"uoft-cs/cifar100", taskIndex("image-classification")},
	{"ILSVRC/imagenet-1k", taskIndex("image-classification")},
	{"ylecun/mnist", taskIndex("image-classification")},
	{"ethz/food101", taskIndex("image-classification")},
	{"tanganke/stanford_cars", taskIndex("image-classification")},
	{"nelorth/oxford-flowers", taskIndex("image-classification")},
	{"nyu-mll/glue", taskIndex("text-classification")},
	{"stanfordnlp/imdb", taskIndex("text-classification")},
	{"stanfordnlp/sst2", taskIndex("text-classification")},
	{"eriktks/conll2003", taskIndex("token-classification")},
	{"rajpurkar/squad_v2", taskIndex("question-answering")},
	{"Salesforce/wikitext", taskIndex("text-generation")},
	{"abisee/cnn_dailymail", taskIndex("summarization")},
	{"wmt/wmt16", taskIndex("translation")},
	{"openslr/librispeech_asr", taskIndex("automatic-speech-recognition")},
	{"detection-datasets/coco", taskIndex("object-detection")},
	{"sentence-transformers/all-nli", taskIndex("sentence-similarity")},
}

// author returns the name of author a.
func (z Zoo) author(a int) string {
	r := newRnd(z.Seed, streamAuthor, kindModel, a)
	return []string{"ka", "mi", "ra", "lu", "vi", "ko", "ze", "el"}[r.intn(8)] + strconv.FormatUint(uint64(a), 36) +
		[]string{"", "ai", "lab", "-ml", "_dev", "-hf"}[r.intn(6)]
}

// pickAuthor draws an author index from a pool of a quarter as many
// authors as repos (at least 32), with a heavy tail so a few authors own
// many repos.
func (z Zoo) pickAuthor(r *rnd) int {
	return int(math.Pow(r.float(), 2.5) * float64(max(32, (z.Models+z.Datasets)/4)))
}

// family returns the family of model i or the task of dataset i: a
// separate cheap draw, so sorting and dataset choices need not build meta.
func (z Zoo) family(k repoKind, i int) int {
	if k == kindModel {
		fam, _ := z.lineage(i)
		return fam
	}
	if i < len(knownDatasets) {
		return knownDatasets[i].task
	}
	r := newRnd(z.Seed, streamFamily, k, i)
	return r.intn(len(datasetTasks))
}

// lineage returns the family of model i and the earlier model it is a
// fine-tune of (-1: none). A fine-tune is of its base's family, so chains
// of fine-tunes stay within one family.
func (z Zoo) lineage(i int) (fam, base int) {
	r := newRnd(z.Seed, streamFamily, kindModel, i)
	if i > 0 && r.chance(0.45) {
		base = r.intn(i)
		fam, _ = z.lineage(base)
		return fam, base
	}
	return r.pick(familyWeights), -1
}

// modelNames are the name-stream draws of a model.
type modelNames struct {
	id   string
	stem int // index into the family's stems
	ds   int // dataset trained on, or -1
}

func (z Zoo) names(i int) modelNames {
	fam := z.family(kindModel, i)
	r := newRnd(z.Seed, streamName, kindModel, i)
	f := &families[fam]
	n := modelNames{stem: r.intn(len(f.stems)), ds: -1}
	author := z.author(z.pickAuthor(&r))
	var suffix string
	if n.ds = z.modelDataset(&r, fam); n.ds >= 0 && r.chance(0.6) {
		suffix = "-finetuned-" + shortName(z.DatasetID(n.ds))
	} else {
		suffix = []string{"-v1", "-exp", "-test", "-ft", "-custom", "-demo"}[r.intn(6)]
	}
	n.id = author + "/" + f.stems[n.stem] + suffix + "-" + strconv.FormatUint(uint64(i), 36)
	return n
}

// ModelID returns the id of model i (valid for 0 <= i < z.Models).
func (z Zoo) ModelID(i int) string { return z.names(i).id }

// modelDataset draws the dataset a model of family fam trains on, or -1.
func (z Zoo) modelDataset(r *rnd, fam int) int {
	t := taskIndex(families[fam].task())
	if t < 0 {
		return -1
	}
	// Prefer the well-known datasets of the task; with a dataset zoo, one
	// in four models uses a generated dataset of the same task.
	var cands []int
	for j, d := range knownDatasets {
		if d.task == t && j < z.Datasets {
			cands = append(cands, j)
		}
	}
	if z.Datasets > len(knownDatasets) && (len(cands) == 0 || r.chance(0.25)) {
		for try := 0; try < 8; try++ {
			j := len(knownDatasets) + r.intn(z.Datasets-len(knownDatasets))
			if z.family(kindDataset, j) == t {
				return j
			}
		}
	}
	if len(cands) == 0 {
		return -1
	}
	return cands[r.intn(len(cands))]
}

func shortName(id string) string {
	if _, name, ok := strings.Cut(id, "/"); ok {
		return name
	}
	return id
}

// parseIndex recovers the index from a generated id's base-36 suffix.
func parseIndex(id string) (int, bool) {
	dash := strings.LastIndexByte(id, '-')
	if dash < 0 {
		return 0, false
	}
	n, err := strconv.ParseUint(id[dash+1:], 36, 31)
	if err != nil {
		return 0, false
	}
	return int(n), true
}

// DatasetID returns the id of dataset i.
func (z Zoo) DatasetID(i int) string {
	if i < len(knownDatasets) {
		return knownDatasets[i].id
	}
	task := z.family(kindDataset, i)
	r := newRnd(z.Seed, streamName, kindDataset, i)
	topics := []string{"reviews", "news", "tweets", "medical", "legal", "faces", "plants", "cars", "birds", "receipts", "speech", "chat", "code", "math", "satellite"}
	author := z.author(z.pickAuthor(&r))
	topic := topics[r.intn(len(topics))]
	category := strings.ReplaceAll(datasetTasks[task].category, "automatic-speech-recognition", "asr")
	return author + "/" + topic + "-" + category + "-" + strconv.FormatUint(uint64(i), 36)
}

// id is the id of repo i of kind k.
func (z Zoo) id(k repoKind, i int) string {
	if k == kindDataset {
		return z.DatasetID(i)
	}
	return z.ModelID(i)
}

// lookup returns i if id is repo i of kind k: a known repo, or a generated
// one by the base-36 index its id ends with.
func (z Zoo) lookup(k repoKind, id string) (int, bool) {
	n, known := z.Models, 0
	if k == kindDataset {
		n, known = z.Datasets, len(knownDatasets)
	}
	for i := 0; i < min(n, known); i++ {
		if z.id(k, i) == id {
			return i, true
		}
	}
	i, ok := parseIndex(id)
	if !ok || i < known || i >= n || z.id(k, i) != id {
		return 0, false
	}
	return i, true
}

// Model materialises model i, README included.
func (z Zoo) Model(i int) Repo { return z.model(i, partAll) }

// Dataset materialises dataset i, README included.
func (z Zoo) Dataset(i int) Repo { return z.dataset(i, partAll) }

// parts selects the costly parts of a generated repo; a listing builds
// only what its fields need.
type parts uint8

const (
	partCard     parts = 1 << iota // README text and its blob id
	partCardData                   // cardData (and model-index)
	partSiblings
	partAll = partCard | partCardData | partSiblings
)

var licenses = []string{"apache-2.0", "mit", "cc-by-4.0", "openrail", "llama3.2", "other", "cc-by-nc-4.0", "bsd-3-clause"}
var languages = []string{"en", "de", "fr", "es", "zh", "ja", "multilingual"}

// model builds the parts p of model i.
func (z Zoo) model(i int, p parts) Repo {
	m := z.meta(kindModel, i)
	f := &families[m.family]
	nm := z.names(i)
	id, stem, ds := nm.id, nm.stem, nm.ds
	r := newRnd(z.Seed, streamBody, kindModel, i)

	repo := m.repo(id, &r)
	repo.PipelineTag, repo.LibraryName = f.pipeline, f.library

	base := ""
	if _, b := z.lineage(i); b >= 0 {
		base = z.ModelID(b)
	}
	license := licenses[r.intn(len(licenses))]
	lang := ""
	if t := taskIndex(f.task()); t >= 0 && datasetTasks[t].modality == "text" {
		lang = languages[r.intn(len(languages))]
		if r.chance(0.6) {
			lang = "en"
		}
	}

	// Tags as the Hub computes them.
	tags := []string{f.library}
	if f.library == "transformers" || f.library == "sentence-transformers" {
		tags = append(tags, "pytorch")
	}
	hasST := f.params != nil && r.chance(0.75)
	if hasST {
		tags = append(tags, "safetensors")
	}
	if f.modelType != "" {
		tags = append(tags, f.modelType)
	}
	tags = append(tags, f.pipeline)
	if ds >= 0 {
		tags = append(tags, "dataset:"+z.DatasetID(ds))
	}
	if base != "" {
		tags = append(tags, "base_model:"+base, "base_model:finetune:"+base)
	}
	if lang != "" {
		tags = append(tags, lang)
	}
	tags = append(tags, "license:"+license)
	if f.library == "transformers" {
		tags = append(tags, "autotrain_compatible", "endpoints_compatible")
	}
	repo.Tags = append(tags, "region:us")

	switch {
	case f.arch != "":
		repo.Config = map[string]any{"architectures": []any{f.arch}, "model_type": f.modelType}
	case f.library == "diffusers":
		repo.Config = map[string]any{"diffusers": map[string]any{"_class_name": "StableDiffusionPipeline"}}
	}
	if hasST {
		n := f.params[min(stem, len(f.params)-1)]
		repo.Safetensors = &Safetensors{Parameters: map[string]int64{"F32": n}, Total: n}
		repo.UsedStorage = n * 4
	}

	// The card: most have front matter; some have none; some no README.
	cardKind := r.float()
	if cardKind >= 0.05 {
		// cardData is the last draw of the body stream, so skipping it
		// changes nothing else.
		if cardKind >= 0.08 && p&(partCardData|partCard) != 0 {
			repo.CardData = z.modelCardData(&r, f, id, base, ds, license, lang)
		}
		if p&partCard != 0 {
			repo.Card = modelCard(&repo, f, base, ds, z)
		} else {
			repo.Card = []byte{} // present, not built
		}
	}
	if p&partSiblings != 0 {
		repo.Siblings = genSiblings(&repo)
	}
	return repo
}

func (z Zoo) modelCardData(r *rnd, f *family, id, base string, ds int, license, lang string) map[string]any {
	cd := map[string]any{"license": license, "library_name": f.library}
	if lang != "" {
		cd["language"] = lang
	}
	if base != "" {
		cd["base_model"] = base
	}
	cd["tags"] = []any{"generated_from_trainer"}
	if f.library != "transformers" {
		cd["tags"] = []any{f.library}
	}
	if ds >= 0 {
		dsID := z.DatasetID(ds)
		// datasets is a list usually and a bare string sometimes (#2642).
		if r.chance(0.15) {
			cd["datasets"] = dsID
		} else {
			cd["datasets"] = []any{dsID}
		}
		if f.metric != "" && r.chance(0.55) {
			cd["metrics"] = []any{f.metric}
			cd["model-index"] = modelIndex(r, f, id, dsID)
		}
	}
	return cd
}

// modelIndex builds a one-result model-index with a plausible score.
func modelIndex(r *rnd, f *family, id, dsID string) []any {
	var value any
	switch f.metric {
	case "mean_reward":
		value = fmt.Sprintf("%.2f +/- %.2f", 50+r.float()*250, 1+r.float()*40)
	case "wer":
		value = math.Round((0.05+r.float()*0.4)*1e4) / 1e4
	case "bleu", "rouge1", "exact_match", "map":
		value = math.Round((15+r.float()*50)*1e4) / 1e4
	default:
		value = math.Round((0.55+0.44*math.Sqrt(r.float()))*1e6) / 1e6
	}
	metric := map[string]any{"type": f.metric, "value": value, "name": strings.ToUpper(f.metric[:1]) + f.metric[1:]}
	dataset := map[string]any{"name": shortName(dsID), "type": dsID}
	if r.chance(0.7) {
		dataset["split"] = []string{"test", "validation", "train"}[r.intn(3)]
	}
	if r.chance(0.3) {
		dataset["config"] = "default"
	}
	result := map[string]any{
		"task":    map[string]any{"type": f.pipeline, "name": f.pipeline},
		"dataset": dataset,
		"metrics": []any{metric},
	}
	return []any{map[string]any{"name": shortName(id), "results": []any{result}}}
}

// genSiblings lists a generated repo's files: .gitattributes, the README,
// config.json and one weights (or data) file.
func genSiblings(repo *Repo) []Sibling {
	s := []Sibling{{RFilename: ".gitattributes"}}
	if repo.Card != nil {
		s = append(s, Sibling{RFilename: "README.md"})
	}
	if repo.Config != nil {
		s = append(s, Sibling{RFilename: "config.json"})
	}
	name := "pytorch_model.bin"
	switch {
	case repo.Safetensors != nil:
		name = "model.safetensors"
	case repo.UsedStorage > 0:
		name = "data/train-00000-of-00001.parquet"
	}
	return append(s, Sibling{RFilename: name})
}

// modelCard writes README.md: YAML front matter (exactly CardData) and a
// Markdown body in the style of Trainer-generated cards.
func modelCard(repo *Repo, f *family, base string, ds int, z Zoo) []byte {
	var b strings.Builder
	if repo.CardData != nil {
		b.WriteString(frontMatter(repo.CardData))
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "# %s\n\n", shortName(repo.ID))
	switch {
	case base != "" && ds >= 0:
		fmt.Fprintf(&b, "This model is a fine-tuned version of [%s](https://huggingface.co/%s) on the %s dataset.\n", base, base, z.DatasetID(ds))
	case base != "":
		fmt.Fprintf(&b, "This model is a fine-tuned version of [%s](https://huggingface.co/%s).\n", base, base)
	default:
		fmt.Fprintf(&b, "A %s model (%s) for %s.\n", f.modelType, f.library, f.pipeline)
	}
	if mi, ok := repo.CardData["model-index"].([]any); ok {
		b.WriteString("It achieves the following results on the evaluation set:\n")
		for _, rr := range mi[0].(map[string]any)["results"].([]any) {
			for _, mt := range rr.(map[string]any)["metrics"].([]any) {
				m := mt.(map[string]any)
				fmt.Fprintf(&b, "- %s: %v\n", m["name"], m["value"])
			}
		}
	}
	b.WriteString("\n## Training procedure\n\n### Training hyperparameters\n\n")
	b.WriteString("- learning_rate: 5e-05\n- train_batch_size: 32\n- seed: 42\n- optimizer: Adam with betas=(0.9,0.999) and epsilon=1e-08\n- num_epochs: 3\n")
	return []byte(b.String())
}

// dataset builds dataset i.
func (z Zoo) dataset(i int, p parts) Repo {
	m := z.meta(kindDataset, i)
	t := datasetTasks[m.family]
	r := newRnd(z.Seed, streamBody, kindDataset, i)
	id := z.DatasetID(i)
	repo := m.repo(id, &r)
	size := []string{"n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M"}[r.intn(4)]
	lang := ""
	if t.modality == "text" || t.modality == "audio" {
		lang = "en"
	}
	license := licenses[r.intn(len(licenses))]
	repo.Tags = []string{"task_categories:" + t.category, "size_categories:" + size}
	if lang != "" {
		repo.Tags = append(repo.Tags, "language:"+lang)
	}
	repo.Tags = append(repo.Tags, "license:"+license, "format:parquet", "modality:"+t.modality, "library:datasets", "region:us")
	name := shortName(id)
	repo.Description = fmt.Sprintf("%s: a %s dataset (%s examples).", name, t.category, size)
	repo.UsedStorage = int64(1_000 + r.intn(500_000_000))
	if r.float() >= 0.04 {
		cd := map[string]any{
			"license":         license,
			"task_categories": []any{t.category},
			"size_categories": []any{size},
			"pretty_name":     name,
		}
		if lang != "" {
			cd["language"] = []any{lang}
		}
		repo.CardData = cd
		repo.Card = []byte{}
		if p&partCard != 0 {
			repo.Card = fmt.Appendf(nil, "%s\n# Dataset Card for %s\n\n%s\n", frontMatter(cd), name, repo.Description)
		}
	}
	repo.Siblings = genSiblings(&repo)
	return repo
}

// frontMatter is the YAML front matter of a card whose parse is exactly
// cardData.
func frontMatter(cardData map[string]any) string {
	y, err := yaml.Dump(cardData)
	if err != nil {
		panic(err) // generated cardData holds maps, lists and scalars only
	}
	return "---\n" + string(y) + "---\n"
}
