package pipeline

import (
	"testing"

	"github.com/zoograph/zoograph/store"
)

func TestOwnKind(t *testing.T) {
	tests := []struct {
		name  string
		model store.Model
		want  ModelKind
	}{
		{"pipeline tag", store.Model{PipelineTag: "fill-mask", Architectures: []string{"ViTForImageClassification"}},
			ModelKind{"text", "fill-mask", "pipeline_tag"}},
		{"architecture", store.Model{Architectures: []string{"SwinForImageClassification"}}, ModelKind{"image", "image-classification", "architecture"}},
		{"sequence classifier", store.Model{Architectures: []string{"DebertaV2ForSequenceClassification"}}, ModelKind{"text", "text-classification", "architecture"}},
		{"speech sequence classifier", store.Model{Architectures: []string{"Wav2Vec2ForSequenceClassification"}, ModelType: "wav2vec2"},
			ModelKind{Modality: "audio", Evidence: "model_type"}},
		{"task tag", store.Model{Tags: []string{"pytorch", "audio-classification"}}, ModelKind{"audio", "audio-classification", "tags"}},
		{"library", store.Model{LibraryName: "timm"}, ModelKind{Modality: "image", Evidence: "library"}},
		{"model type", store.Model{ModelType: "roberta"}, ModelKind{Modality: "text", Evidence: "model_type"}},
		{"vision-language", store.Model{PipelineTag: "image-to-text"}, ModelKind{"multimodal", "image-to-text", "pipeline_tag"}},
		{"nothing", store.Model{ModelID: "lstm"}, ModelKind{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ownKind(&tt.model); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestFitsTask(t *testing.T) {
	tests := []struct {
		name           string
		kind           ModelKind
		modality, task string
		want           bool
	}{
		{"backbone for classification", ModelKind{Modality: "text", Task: "fill-mask"}, "text", "text-classification", true},
		{"NER model for classification", ModelKind{Modality: "text", Task: "token-classification"}, "text", "text-classification", true},
		{"generator for classification", ModelKind{Modality: "text", Task: "text-generation"}, "text", "text-classification", false},
		{"image model for text", ModelKind{Modality: "image", Task: "image-classification"}, "text", "text-classification", false},
		{"text model for images", ModelKind{Modality: "text", Task: "fill-mask"}, "image", "image-classification", false},
		{"CLIP for images", ModelKind{Modality: "image", Task: "zero-shot-image-classification"}, "image", "image-classification", true},
		{"captioner for images", ModelKind{Modality: "multimodal", Task: "image-to-text"}, "image", "image-classification", false},
		{"modality only", ModelKind{Modality: "image"}, "image", "image-classification", true},
		{"unknown model", ModelKind{}, "image", "image-classification", false},
		{"audio model for audio", ModelKind{Modality: "audio", Task: "automatic-speech-recognition"}, "audio", "audio-classification", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := FitsTask(tt.kind, tt.modality, tt.task)
			if got != tt.want || (got == (why != "")) {
				t.Errorf("FitsTask = %v (%q), want %v", got, why, tt.want)
			}
		})
	}
}

func TestSizeCategoryMiddle(t *testing.T) {
	for s, want := range map[string]int64{"1K<n<10K": 3162, "n<1K": 316, "10M<n<100M": 31622776, "n>1T": 1e13, "other": 0} {
		if got := sizeCategoryMiddle(s); got != want {
			t.Errorf("%s: got %d, want %d", s, got, want)
		}
	}
}
