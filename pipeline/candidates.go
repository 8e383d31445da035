package pipeline

import (
	"fmt"
	"slices"
	"strings"

	"github.com/zoograph/zoograph/store"
)

// ModelKind is what a model is for: its modality and task, and the
// metadata that said so.
type ModelKind struct {
	Modality string `json:"modality,omitempty"`
	Task     string `json:"task,omitempty"` // Hub vocabulary; "" when only the modality is known
	// Evidence names the field that gave the kind: pipeline_tag,
	// architecture, library, model_type, tags, base model, fine-tunes,
	// history.
	Evidence string `json:"evidence,omitempty"`
}

// architectureKinds map a suffix of a transformers architecture name to a
// task; the first match wins.
var architectureKinds = []struct{ suffix, task string }{
	{"ForImageClassification", "image-classification"},
	{"ForImageClassificationWithTeacher", "image-classification"},
	{"ForObjectDetection", "object-detection"},
	{"ForSemanticSegmentation", "image-segmentation"},
	{"ForInstanceSegmentation", "image-segmentation"},
	{"ForUniversalSegmentation", "image-segmentation"},
	{"ForDepthEstimation", "depth-estimation"},
	{"ForMaskedImageModeling", "image-feature-extraction"},
	{"ForVideoClassification", "video-classification"},
	{"ForAudioClassification", "audio-classification"},
	{"ForCTC", "automatic-speech-recognition"},
	{"ForSpeechSeq2Seq", "automatic-speech-recognition"},
	{"ForSequenceClassification", "text-classification"},
	{"ForTokenClassification", "token-classification"},
	{"ForQuestionAnswering", "question-answering"},
	{"ForMultipleChoice", "multiple-choice"},
	{"ForMaskedLM", "fill-mask"},
	{"ForPreTraining", "fill-mask"},
	{"ForCausalLM", "text-generation"},
	{"LMHeadModel", "text-generation"},
}

// libraryModalities are libraries that hold one modality's models.
var libraryModalities = map[string]string{
	"timm": "image", "sentence-transformers": "text", "spacy": "text", "flair": "text", "fasttext": "text",
	"speechbrain": "audio", "espnet": "audio", "pyannote-audio": "audio", "nemo": "audio", "asteroid": "audio",
	"open_clip": "multimodal", "diffusers": "image", "stable-baselines3": "reinforcement-learning", "ml-agents": "reinforcement-learning",
	"sklearn": "tabular", "keras": "", "transformers": "", "pytorch": "",
}

// modelTypeModalities are config model types whose modality is clear.
var modelTypeModalities = map[string]string{
	"vit": "image", "deit": "image", "beit": "image", "swin": "image", "swinv2": "image", "convnext": "image",
	"convnextv2": "image", "resnet": "image", "regnet": "image", "efficientnet": "image", "mobilenet_v1": "image",
	"mobilenet_v2": "image", "mobilevit": "image", "levit": "image", "dinov2": "image", "dinat": "image", "nat": "image",
	"poolformer": "image", "cvt": "image", "bit": "image", "van": "image", "focalnet": "image", "segformer": "image",
	"yolos": "image", "detr": "image", "conditional_detr": "image", "dpt": "image", "vit_mae": "image", "vit_msn": "image",
	"bert": "text", "roberta": "text", "distilbert": "text", "albert": "text", "electra": "text", "deberta": "text",
	"deberta-v2": "text", "xlm-roberta": "text", "camembert": "text", "mpnet": "text", "xlnet": "text", "funnel": "text",
	"longformer": "text", "bigbird": "text", "big_bird": "text", "ernie": "text", "mobilebert": "text", "squeezebert": "text",
	"t5": "text", "mt5": "text", "bart": "text", "mbart": "text", "pegasus": "text", "marian": "text", "gpt2": "text",
	"gpt_neo": "text", "gptj": "text", "opt": "text", "bloom": "text", "llama": "text", "mistral": "text", "qwen2": "text",
	"gemma": "text", "phi": "text", "falcon": "text",
	"wav2vec2": "audio", "hubert": "audio", "wavlm": "audio", "whisper": "audio", "data2vec-audio": "audio",
	"unispeech": "audio", "sew": "audio", "ast": "audio", "speecht5": "audio",
	"videomae": "video", "timesformer": "video", "vivit": "video",
	"clip": "multimodal", "blip": "multimodal", "blip-2": "multimodal", "vilt": "multimodal", "layoutlmv3": "multimodal",
	"donut-swin": "multimodal", "vision-encoder-decoder": "multimodal", "llava": "multimodal",
}

// ownKind is what a model's own metadata says it is for, in order of
// trust: the pipeline tag, the architecture, tags that are tasks, the
// library, the model type.
func ownKind(m *store.Model) ModelKind {
	if _, ok := hubTasks[m.PipelineTag]; ok {
		return kindOfTask(m.PipelineTag, "pipeline_tag")
	}
	for _, a := range m.Architectures {
		for _, k := range architectureKinds {
			if strings.HasSuffix(a, k.suffix) {
				kind := kindOfTask(k.task, "architecture")
				// A sequence classifier of a vision-language or speech
				// family is not a text model.
				if mod := modelTypeModalities[m.ModelType]; mod != "" && mod != kind.Modality {
					return ModelKind{Modality: mod, Evidence: "model_type"}
				}
				return kind
			}
		}
	}
	for _, t := range m.Tags {
		if _, ok := hubTasks[t]; ok {
			return kindOfTask(t, "tags")
		}
	}
	if mod := libraryModalities[m.LibraryName]; mod != "" {
		return ModelKind{Modality: mod, Evidence: "library"}
	}
	if mod := modelTypeModalities[m.ModelType]; mod != "" {
		return ModelKind{Modality: mod, Evidence: "model_type"}
	}
	for _, t := range m.Tags {
		if mod := libraryModalities[t]; mod != "" {
			return ModelKind{Modality: mod, Evidence: "tags"}
		}
	}
	return ModelKind{}
}

func kindOfTask(task, evidence string) ModelKind {
	ti := hubTasks[task]
	mod := ti.modality
	if ti.family == familyVisionLanguage {
		mod = "multimodal"
	}
	return ModelKind{Modality: mod, Task: task, Evidence: evidence}
}

// modelKinds infers every model's kind: its own metadata first; else its
// base model's or its fine-tunes' kind (lineage, to a fixed point); else
// the tasks of the datasets it has fine-tuning history on.
func modelKinds(d *Data, datasetKinds []Description) []ModelKind {
	kinds := make([]ModelKind, len(d.Models))
	for i := range d.Models {
		kinds[i] = ownKind(&d.Models[i])
	}
	children := map[int][]int{}
	for i, m := range d.Models {
		for _, b := range m.BaseModels {
			if bi, ok := d.modelIdx[b]; ok && bi != i {
				children[bi] = append(children[bi], i)
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for i, m := range d.Models {
			if kinds[i].Modality != "" {
				continue
			}
			for _, b := range m.BaseModels {
				if bi, ok := d.modelIdx[b]; ok && kinds[bi].Modality != "" {
					kinds[i] = ModelKind{Modality: kinds[bi].Modality, Task: kinds[bi].Task, Evidence: "base model"}
					changed = true
					break
				}
			}
			if kinds[i].Modality != "" {
				continue
			}
			for _, c := range children[i] {
				if kinds[c].Modality != "" {
					kinds[i] = ModelKind{Modality: kinds[c].Modality, Evidence: "fine-tunes"}
					changed = true
					break
				}
			}
		}
	}
	for mi := range d.Models {
		if kinds[mi].Modality != "" {
			continue
		}
		count := map[string]int{}
		for di := range d.Datasets {
			if !isNaN(d.acc[di][mi]) && datasetKinds[di].Modality != "" {
				count[datasetKinds[di].Modality]++
			}
		}
		best := ""
		for _, mod := range sortedKeys(count) {
			if best == "" || count[mod] > count[best] {
				best = mod
			}
		}
		if best != "" {
			kinds[mi] = ModelKind{Modality: best, Evidence: "history"}
		}
	}
	return kinds
}

// datasetDescriptions describes every dataset of d from its row, then fills
// what the row lacks from history: the task most records carry (model-index
// results), else the kind of the models fine-tuned on it.
func datasetDescriptions(d *Data, tasks map[string]string) []Description {
	out := make([]Description, len(d.Datasets))
	for i, ds := range d.Datasets {
		out[i] = describeDataset(ds)
		if out[i].Task == "" {
			if t, ok := hubTasks[tasks[ds.DatasetID]]; ok {
				out[i].Task = tasks[ds.DatasetID]
				if out[i].Modality == "" {
					out[i].Modality = t.modality
				}
			}
		}
	}
	// The models' own kinds vote for the datasets that still lack one.
	own := make([]ModelKind, len(d.Models))
	for i := range d.Models {
		own[i] = ownKind(&d.Models[i])
	}
	for di := range d.Datasets {
		if out[di].Modality != "" && out[di].Task != "" {
			continue
		}
		var votes kindVotes
		for mi, a := range d.acc[di] {
			if !isNaN(a) {
				votes.add(own[mi].Modality, own[mi].Task)
			}
		}
		votes.fill(&out[di])
	}
	return out
}

// kindVotes counts the modalities and tasks of the datasets or models that
// vote on the kind of a dataset whose row does not say it.
type kindVotes struct{ mods, tasks map[string]int }

// add counts one vote; a vote without a modality does not count.
func (v *kindVotes) add(modality, task string) {
	if modality == "" {
		return
	}
	if v.mods == nil {
		v.mods, v.tasks = map[string]int{}, map[string]int{}
	}
	v.mods[modality]++
	if task != "" {
		v.tasks[task]++
	}
}

// fill gives desc, where it lacks them, the modality of the most votes and
// the task of the most votes when that task is of desc's modality.
func (v *kindVotes) fill(desc *Description) {
	if desc.Modality == "" {
		desc.Modality = argmax(v.mods)
	}
	if desc.Task == "" {
		if t := argmax(v.tasks); t != "" && hubTasks[t].modality == desc.Modality {
			desc.Task = t
		}
	}
}

func argmax(count map[string]int) string {
	best := ""
	for _, k := range sortedKeys(count) {
		if best == "" || count[k] > count[best] {
			best = k
		}
	}
	return best
}

func isNaN(x float64) bool { return x != x }

// FitsTask reports whether a model of kind k fits a dataset of the given
// modality and task, and why not: the modality must be the dataset's (a
// vision-language model fits image and text datasets), and a known task
// must be of the dataset task's family (fill-mask and feature-extraction
// backbones are of the understanding families, so bert-base fits
// text-classification; a text-generation model does not).
func FitsTask(k ModelKind, modality, task string) (bool, string) {
	switch {
	case k.Modality == "":
		return false, "modality unknown (no pipeline tag, architecture, library, lineage or history says)"
	case modality == "":
	case k.Modality == "multimodal" && (modality == "image" || modality == "text"):
	case k.Modality != modality:
		return false, fmt.Sprintf("%s model for %s %s dataset", k.Modality, article(modality), modality)
	}
	if k.Task == "" || task == "" {
		return true, ""
	}
	mt, tt := hubTasks[k.Task], hubTasks[task]
	if mt.family == tt.family || k.Task == "zero-shot-image-classification" && tt.family == familyImageUnderstanding {
		return true, ""
	}
	return false, fmt.Sprintf("task %s (%s) does not fit %s (%s)", k.Task, mt.family, task, tt.family)
}

// FilterReport says which models rank considered and why the others were
// left out.
type FilterReport struct {
	Models    int            `json:"models"`    // models in the zoo
	Kept      int            `json:"kept"`      // candidates ranked
	Inherited int            `json:"inherited"` // of them, ranked through their base model's history
	Excluded  map[string]int `json:"excluded"`  // reason -> models
}

// Lines renders the report for people, largest exclusion first.
func (f *FilterReport) Lines() []string {
	out := []string{fmt.Sprintf("%d of %d models fit the target (%d of them through their base model's history)", f.Kept, f.Models, f.Inherited)}
	reasons := sortedKeys(f.Excluded)
	slices.SortStableFunc(reasons, func(a, b string) int { return f.Excluded[b] - f.Excluded[a] })
	for _, r := range reasons {
		out = append(out, fmt.Sprintf("%d left out: %s", f.Excluded[r], r))
	}
	return out
}

// article is "an" before a vowel, else "a".
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}
