package card

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseTrainer(t *testing.T) {
	tests := []struct {
		name   string
		readme string
		want   Trainer
	}{
		{name: "trainer card", readme: "---\nlicense: mit\n---\n# m\n\nThis model is a fine-tuned version of [distilbert-base-uncased](https://huggingface.co/distilbert-base-uncased) on the emotion dataset.\nIt achieves the following results on the evaluation set:\n- Loss: 0.2\n- Accuracy: 0.9265\n- F1: 0.9262\n\n## Model description\n",
			want: Trainer{BaseModel: "distilbert-base-uncased", Dataset: "emotion", EvalResults: map[string]float64{"loss": 0.2, "accuracy": 0.9265, "f1": 0.9262}}},
		{name: "owner and pretty dataset", readme: "This model is a fine-tuned version of [roberta-base](https://huggingface.co/FacebookAI/roberta-base) on the GLUE RTE dataset.\n",
			want: Trainer{BaseModel: "FacebookAI/roberta-base", Dataset: "GLUE RTE"}},
		{name: "link text is a nickname", readme: "This model is a fine-tuned version of [Bertweet](https://huggingface.co/vinai/bertweet-base). It achieves the following results on the evaluation set:\n- Accuracy: 0.945\n",
			want: Trainer{BaseModel: "vinai/bertweet-base", EvalResults: map[string]float64{"accuracy": 0.945}}},
		{name: "unknown dataset", readme: "This model is a fine-tuned version of [t5-small](https://huggingface.co/t5-small) on an unknown dataset.\n",
			want: Trainer{BaseModel: "t5-small"}},
		{name: "None dataset", readme: "This model is a fine-tuned version of [t5-small](https://huggingface.co/t5-small) on the None dataset.\n",
			want: Trainer{BaseModel: "t5-small"}},
		{name: "empty link", readme: "This model is a fine-tuned version of [](https://huggingface.co/) on the cnn_dailymail dataset.\n",
			want: Trainer{Dataset: "cnn_dailymail"}},
		{name: "trailing slash", readme: "This model is a fine-tuned version of [DialoGPT-medium](https://huggingface.co/microsoft/DialoGPT-medium/) trained on the chats.\n",
			want: Trainer{BaseModel: "microsoft/DialoGPT-medium"}},
		{name: "tree suffix", readme: "This model is a fine-tuned version of [x](https://huggingface.co/org/x/tree/main) on the beans dataset.\n",
			want: Trainer{BaseModel: "org/x", Dataset: "beans"}},
		{name: "dataset link is not a model", readme: "This model is a fine-tuned version of [d](https://huggingface.co/datasets/org/d) on the beans dataset.\n",
			want: Trainer{Dataset: "beans"}},
		{name: "local path", readme: "This model is a fine-tuned version of [/content/out](https://huggingface.co//content/drive/out/ckpt) on the beans dataset.\n",
			want: Trainer{Dataset: "beans"}},
		{name: "several datasets", readme: "This model is a fine-tuned version of [openai/whisper-medium](https://huggingface.co/openai/whisper-medium) on the a, b and c datasets.\n",
			want: Trainer{BaseModel: "openai/whisper-medium"}},
		{name: "result that is not a number", readme: "It achieves the following results on the evaluation set:\n- Accuracy: {'accuracy': 0.9}\n- F1: 0.5\nmore text\n- Recall: 0.1\n",
			want: Trainer{EvalResults: map[string]float64{"f1": 0.5}}},
		{name: "no sentences", readme: "---\nbase_model: a/b\n---\n# nothing here\n", want: Trainer{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseTrainer([]byte(tt.readme))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseTrainer mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseTrainerRealCards reads the Trainer sentence of the real sample:
// 267 cards have it, 3 of them with an empty link; where the card lists
// evaluation-set results, they are the model-index values rounded to the
// Trainer's 4 decimals (a few cards were edited after training).
func TestParseTrainerRealCards(t *testing.T) {
	dir, idx := loadSampleIndex(t)
	var sentences, bases, withResults, agree, disagree int
	for _, f := range idx.Files {
		readme, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.File)))
		if err != nil {
			t.Fatal(err)
		}
		has := strings.Contains(string(readme), "This model is a fine-tuned version of")
		tr := ParseTrainer(readme)
		if !has {
			if tr.BaseModel != "" {
				t.Errorf("%s: base model %q without the sentence", f.File, tr.BaseModel)
			}
			continue
		}
		sentences++
		if tr.BaseModel != "" {
			bases++
			if !modelIDRe.MatchString(tr.BaseModel) {
				t.Errorf("%s: base model %q is not a model id", f.File, tr.BaseModel)
			}
		}
		if tr.EvalResults == nil {
			continue
		}
		withResults++
		md, err := Parse(readme, DefaultOptions())
		if err != nil {
			continue
		}
		for _, r := range md.ModelIndex {
			key := strings.ReplaceAll(strings.ToLower(r.MetricName), " ", "_")
			if v, ok := tr.EvalResults[key]; ok && !math.IsNaN(r.Value) {
				if math.Abs(math.Round(r.Value*1e4)/1e4-v) < 1e-9 {
					agree++
				} else {
					disagree++
				}
			}
		}
	}
	if sentences != 267 || bases != 264 {
		t.Errorf("%d cards with the sentence, %d with a base model; want 267 and 264", sentences, bases)
	}
	if withResults < 200 || agree < 10*disagree {
		t.Errorf("%d cards with evaluation-set results; %d agree with model-index, %d do not", withResults, agree, disagree)
	}
	t.Logf("%d sentences, %d base models, %d evaluation-set lists: %d values agree with model-index, %d differ",
		sentences, bases, withResults, agree, disagree)
}

func FuzzParseTrainer(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte("This model is a fine-tuned version of [a](https://huggingface.co/a/b) on the c dataset.\nIt achieves the following results on the evaluation set:\n- Loss: 1\n"))
	f.Fuzz(func(t *testing.T, readme []byte) {
		tr := ParseTrainer(readme)
		if tr.BaseModel != "" && !modelIDRe.MatchString(tr.BaseModel) {
			t.Errorf("base model %q is not a model id", tr.BaseModel)
		}
		if tr.EvalResults != nil && len(tr.EvalResults) == 0 {
			t.Error("empty non-nil EvalResults")
		}
	})
}
