package regress

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestOptionsJSON checks the JSON of the option structs: snake_case keys
// written, and read back; the Go field names that files written before the
// tags hold ("Trees", "MaxDepth", "Ridge") read too.
func TestOptionsJSON(t *testing.T) {
	gb := DefaultGBDTOptions()
	gb.MaxDepth, gb.Seed, gb.EarlyStoppingRounds = 3, 7, 10
	fo := DefaultForestOptions()
	fo.MaxFeatures, fo.MinSamplesLeaf = "0.5", 3
	li := LinearOptions{Ridge: 0.5, ImputeMissing: true}
	snake := regexp.MustCompile(`^[a-z0-9]+(_[a-z0-9]+)*$`)
	for _, v := range []any{&gb, &fo, &li} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var keys map[string]any
		if err := json.Unmarshal(b, &keys); err != nil {
			t.Fatal(err)
		}
		for k := range keys {
			if !snake.MatchString(k) {
				t.Errorf("%T writes key %q, want snake_case", v, k)
			}
		}
	}

	tests := []struct {
		name string
		json string
		into any
		want any
	}{
		{"gbdt, snake_case", `{"trees": 20, "max_depth": 2, "learning_rate": 0.3, "colsample_by_tree": 0.5, "early_stopping_rounds": 4}`,
			&GBDTOptions{}, &GBDTOptions{Trees: 20, MaxDepth: 2, LearningRate: 0.3, ColsampleByTree: 0.5, EarlyStoppingRounds: 4}},
		{"gbdt, old keys", `{"Trees": 20, "MaxDepth": 2, "LearningRate": 0.3, "ColsampleByTree": 0.5, "EarlyStoppingRounds": 4, "Workers": 0, "Seed": 9}`,
			&GBDTOptions{}, &GBDTOptions{Trees: 20, MaxDepth: 2, LearningRate: 0.3, ColsampleByTree: 0.5, EarlyStoppingRounds: 4, Seed: 9}},
		{"forest, old keys", `{"Trees": 5, "MaxDepth": 4, "MinSamplesLeaf": 2, "MaxFeatures": "sqrt", "Bootstrap": true, "MaxBins": 64}`,
			&ForestOptions{}, &ForestOptions{Trees: 5, MaxDepth: 4, MinSamplesLeaf: 2, MaxFeatures: "sqrt", Bootstrap: true, MaxBins: 64}},
		{"linear, old keys", `{"Ridge": 1.5, "Standardize": true, "ImputeMissing": true}`,
			&LinearOptions{}, &LinearOptions{Ridge: 1.5, Standardize: true, ImputeMissing: true}},
		{"linear, snake_case", `{"ridge": 1.5, "impute_missing": true}`,
			&LinearOptions{}, &LinearOptions{Ridge: 1.5, ImputeMissing: true}},
		{"keys absent keep the defaults", `{"max_depth": 2}`,
			&GBDTOptions{Trees: 500, LearningRate: 0.1}, &GBDTOptions{Trees: 500, MaxDepth: 2, LearningRate: 0.1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := json.Unmarshal([]byte(tt.json), tt.into); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, tt.into); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	for _, tt := range []struct{ name, json, want string }{
		{"unknown key", `{"trees": 2, "max_dept": 3}`, `unknown field "max_dept"`},
		{"both spellings", `{"max_depth": 2, "MaxDepth": 3}`, `both "MaxDepth" and "max_depth"`},
		{"wrong type", `{"trees": "many"}`, "trees"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var o GBDTOptions
			err := json.Unmarshal([]byte(tt.json), &o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}
