package card

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func decodeJSON(t *testing.T, s string, useNumber bool) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	if useNumber {
		dec.UseNumber()
	}
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

func TestFlatten(t *testing.T) {
	tests := []struct {
		name      string
		json      string
		useNumber bool
		want      []EvalRow
		wantNil   bool
	}{
		{name: "null", json: `null`, wantNil: true},
		{name: "mapping", json: `{"name": "m", "results": []}`, wantNil: true},
		{name: "string", json: `"model-index"`, wantNil: true},
		{name: "empty list", json: `[]`, want: []EvalRow{}},
		{name: "entry without results", json: `[{"name": "m"}]`, want: []EvalRow{}},
		{name: "results as mapping", json: `[{"name": "m", "results": {"task": {"type": "t"}}}]`, want: []EvalRow{}},
		{name: "metrics as mapping", json: `[{"name": "m", "results": [{"task": {"type": "t"}, "metrics": {"type": "acc"}}]}]`, want: []EvalRow{}},
		{name: "task as string", json: `[{"name": "m", "results": [{"task": "t", "metrics": [{"type": "acc", "value": 1}]}]}]`, want: []EvalRow{}},
		{
			name: "full row with float64",
			json: `[{"name": "m", "results": [{"task": {"type": "text-classification", "name": "TC"},
				"dataset": {"type": "glue", "name": "GLUE", "config": "sst2", "split": "validation", "revision": "r1"},
				"source": {"name": "S", "url": "https://u"},
				"metrics": [{"type": "accuracy", "name": "Accuracy", "config": "c", "value": 0.9105504587155964, "verified": true, "verifyToken": "x"}]}]}]`,
			want: []EvalRow{{ModelName: "m", TaskType: "text-classification", TaskName: "TC", DatasetType: "glue", DatasetName: "GLUE",
				DatasetConfig: "sst2", DatasetSplit: "validation", DatasetRevision: "r1", MetricType: "accuracy", MetricName: "Accuracy",
				MetricConfig: "c", Value: 0.9105504587155964, ValueRaw: "0.9105504587155964", Verified: true, SourceName: "S", SourceURL: "https://u"}},
		},
		{
			name:      "json.Number keeps the text",
			json:      `[{"name": "m", "results": [{"task": {"type": "t"}, "metrics": [{"type": "acc", "value": 0.90}, {"type": "n", "value": 1e-7}]}]}]`,
			useNumber: true,
			want: []EvalRow{
				{ModelName: "m", TaskType: "t", MetricType: "acc", Value: 0.9, ValueRaw: "0.90"},
				{ModelName: "m", TaskType: "t", MetricType: "n", Value: 1e-7, ValueRaw: "1e-7"},
			},
		},
		{
			name: "float64 text as encoding/json writes it",
			json: `[{"results": [{"task": {"type": "t"}, "metrics": [{"type": "a", "value": 1e-7}, {"type": "b", "value": 3}, {"type": "c", "value": 1e21}]}]}]`,
			want: []EvalRow{
				{TaskType: "t", MetricType: "a", Value: 1e-7, ValueRaw: "1e-7"},
				{TaskType: "t", MetricType: "b", Value: 3, ValueRaw: "3"},
				{TaskType: "t", MetricType: "c", Value: 1e21, ValueRaw: "1e+21"},
			},
		},
		{
			name: "odd values",
			json: `[{"name": 7, "results": [{"task": {"type": "t"}, "dataset": "beans", "metrics": [
				{"type": "s", "value": "92.1"}, {"type": "rl", "value": "250.52 +/- 20.12", "verified": "true"},
				{"type": "b", "value": true, "verified": 1}, {"type": "l", "value": [1, 2]}, {"value": null}, "x"]}]}]`,
			want: []EvalRow{
				{ModelName: "7", TaskType: "t", MetricType: "s", Value: 92.1, ValueRaw: "92.1"},
				{ModelName: "7", TaskType: "t", MetricType: "rl", Value: nan, ValueRaw: "250.52 +/- 20.12", Verified: true},
				{ModelName: "7", TaskType: "t", MetricType: "b", Value: nan, ValueRaw: "true"},
				{ModelName: "7", TaskType: "t", MetricType: "l", Value: nan, ValueRaw: ""},
				{ModelName: "7", TaskType: "t", Value: nan, ValueRaw: ""},
			},
		},
	}
	opts := cmp.Options{cmpopts.EquateNaNs()}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Flatten(decodeJSON(t, tt.json, tt.useNumber))
			if tt.wantNil {
				if got != nil {
					t.Errorf("Flatten = %+v, want nil", got)
				}
				return
			}
			if got == nil {
				t.Fatalf("Flatten = nil, want %d rows", len(tt.want))
			}
			if diff := cmp.Diff(tt.want, got, opts); diff != "" {
				t.Errorf("Flatten mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFlattenGoValues feeds values other decoders produce (ints, time.Time,
// []string) and ones none produces.
func TestFlattenGoValues(t *testing.T) {
	mi := []any{map[string]any{
		"name": "m",
		"results": []any{map[string]any{
			"task":    map[string]any{"type": "t"},
			"dataset": map[string]any{"type": "d", "config": int64(2012), "split": time.Date(2023, 5, 1, 0, 0, 0, 0, time.UTC)},
			"metrics": []any{
				map[string]any{"type": "i", "value": 3, "verified": true},
				map[string]any{"type": "u", "value": uint8(4)},
				map[string]any{"type": "f", "value": float32(0.5)},
				map[string]any{"type": "p", "value": struct{}{}},
			},
		}},
	}}
	want := []EvalRow{
		{ModelName: "m", TaskType: "t", DatasetType: "d", DatasetConfig: "2012", DatasetSplit: "2023-05-01", MetricType: "i", Value: 3, ValueRaw: "3", Verified: true},
		{ModelName: "m", TaskType: "t", DatasetType: "d", DatasetConfig: "2012", DatasetSplit: "2023-05-01", MetricType: "u", Value: 4, ValueRaw: "4"},
		{ModelName: "m", TaskType: "t", DatasetType: "d", DatasetConfig: "2012", DatasetSplit: "2023-05-01", MetricType: "f", Value: 0.5, ValueRaw: "0.5"},
		{ModelName: "m", TaskType: "t", DatasetType: "d", DatasetConfig: "2012", DatasetSplit: "2023-05-01", MetricType: "p", Value: nan, ValueRaw: ""},
	}
	if diff := cmp.Diff(want, Flatten(mi), cmpopts.EquateNaNs()); diff != "" {
		t.Errorf("Flatten mismatch (-want +got):\n%s", diff)
	}
}

func TestFromCardData(t *testing.T) {
	tests := []struct {
		name     string
		cardData map[string]any
		want     *Metadata
		wantErr  error
	}{
		{name: "nil", cardData: nil, want: &Metadata{}},
		{
			name: "typical",
			cardData: decodeJSON(t, `{"license": "mit", "language": ["en", "no"], "datasets": "beans", "tags": ["a", "a", "b"],
				"base_model": "x/y", "pipeline_tag": "image-classification", "library_name": "timm",
				"model-index": [{"name": "m", "results": [{"task": {"type": "image-classification"}, "dataset": {"type": "beans", "name": "Beans"},
				"metrics": [{"type": "accuracy", "value": 0.9}]}]}]}`, false).(map[string]any),
			want: &Metadata{
				License: []string{"mit"}, Languages: []string{"en", "no"}, Datasets: []string{"beans"}, Tags: []string{"a", "b"},
				BaseModels: []string{"x/y"}, PipelineTag: "image-classification", LibraryName: "timm",
				ModelIndex: []EvalRow{{ModelName: "m", TaskType: "image-classification", DatasetType: "beans", DatasetName: "Beans", MetricType: "accuracy", Value: 0.9, ValueRaw: "0.9"}},
			},
		},
		{
			name:     "unsupported Go type",
			cardData: map[string]any{"license": "mit", "pipeline_tag": &struct{}{}},
			want:     &Metadata{License: []string{"mit"}, Warnings: []string{"pipeline_tag: expected a string, found a *struct {}"}},
			wantErr:  ErrInvalid,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromCardData(tt.cardData)
			if !errors.Is(err, tt.wantErr) || (err != nil) != (tt.wantErr != nil) {
				t.Fatalf("FromCardData error = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateNaNs()); diff != "" {
				t.Errorf("FromCardData mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
