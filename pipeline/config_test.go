package pipeline

import (
	"encoding"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/zoograph/zoograph/pipeline/evaluate"
)

// textValue is one of the typed names of Config.
type textValue interface {
	encoding.TextMarshaler
	encoding.TextUnmarshaler
	String() string
}

// TestTypedNames checks every typed name the way slog.Level is used: each
// valid value survives MarshalText → UnmarshalText, an unknown one is an
// error that lists the valid ones.
func TestTypedNames(t *testing.T) {
	tests := []struct {
		kind  string
		valid []string
		zero  func() textValue
	}{
		{"learner", names(Learners()), func() textValue { return new(Learner) }},
		{"regressor", names(Regressors()), func() textValue { return new(Regressor) }},
		{"feature set", names(FeatureSets()), func() textValue { return new(FeatureSet) }},
		{"baseline", names(Baselines()), func() textValue { return new(Baseline) }},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			for _, name := range tt.valid {
				v := tt.zero()
				if err := v.UnmarshalText([]byte(name)); err != nil {
					t.Fatalf("UnmarshalText(%q): %v", name, err)
				}
				b, err := v.MarshalText()
				if err != nil || string(b) != name || v.String() != name {
					t.Errorf("%q: MarshalText %q (%v), String %q", name, b, err, v.String())
				}
			}
			for _, bad := range []string{"", "no-such", strings.ToUpper(tt.valid[0])} {
				err := tt.zero().UnmarshalText([]byte(bad))
				if err == nil {
					t.Errorf("UnmarshalText(%q) accepted", bad)
					continue
				}
				for _, name := range tt.valid {
					if !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), tt.kind) {
						t.Errorf("UnmarshalText(%q): %q does not name the %s %q", bad, err, tt.kind, name)
					}
				}
			}
		})
	}
}

func names[T ~string](v []T) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = string(x)
	}
	return out
}

// TestBaselinesFromEvaluate checks that the config's baselines are
// evaluate's, and metadata.
func TestBaselinesFromEvaluate(t *testing.T) {
	want := append(evaluate.AllBaselines(), evaluate.BaselineMetadata)
	got := names(Baselines())
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("Baselines() = %v, want evaluate.AllBaselines() and metadata: %v", got, want)
	}
}

// TestConfigJSON checks that config files keep loading: snake_case keys,
// the typed names as strings, and that a file written from a Config reads
// back the same; an unknown name fails the load with the valid ones.
func TestConfigJSON(t *testing.T) {
	old := `{"protocols": ["clean"], "learner": "node2vec+", "regressor": "rf", "features": "paper",
		"baselines": ["logme", "metadata"], "selection": {"mode": "fixed", "learners": ["none", "gat"]}}`
	cfg := DefaultConfig()
	if err := json.Unmarshal([]byte(old), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Learner != LearnerNode2VecPlus || cfg.Regressor != RegressorForest || cfg.Features != FeaturesPaper ||
		!slices.Equal(cfg.Baselines, []Baseline{BaselineLogME, BaselineMetadata}) ||
		!slices.Equal(cfg.Selection.Learners, []Learner{LearnerNone, LearnerGAT}) {
		t.Errorf("loaded %+v", cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"learner":"node2vec+"`) || !strings.Contains(string(b), `"baselines":["logme","metadata"]`) {
		t.Errorf("written as %s", b)
	}
	var back Config
	if err := json.Unmarshal(b, &back); err != nil || back.Learner != cfg.Learner || !slices.Equal(back.Baselines, cfg.Baselines) {
		t.Errorf("read back %+v (%v)", back, err)
	}
	for _, bad := range []string{`{"learner": "deepwalk"}`, `{"baselines": ["logme", "logmee"]}`, `{"features": "metadata"}`} {
		cfg := DefaultConfig()
		if err := json.Unmarshal([]byte(bad), &cfg); err == nil || !strings.Contains(err.Error(), "want") {
			t.Errorf("%s: %v, want an error listing the valid values", bad, err)
		}
	}
}

// TestConfigRerun: a run's config.json, read over the defaults as --config
// reads it, is the run's config, a field set to 0 where the default is
// not (clean.max_cells: never prune) included.
func TestConfigRerun(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Clean.MaxCells = 0
	if back := readBack(t, cfg); !reflect.DeepEqual(back, cfg) {
		t.Errorf("read back over the defaults: clean %+v, want %+v", back.Clean, cfg.Clean)
	}
}

// readBack writes cfg as a run's config.json and reads it back over the
// defaults, as --config reads it.
func readBack(t *testing.T, cfg Config) Config {
	t.Helper()
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	back := DefaultConfig()
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	return back
}

// TestValidateNames checks that Validate rejects a typed name set in code
// to a value outside its list, the metadata baseline's feature set among
// them: every feature set is named in FeatureSets or beside it.
func TestValidateNames(t *testing.T) {
	for _, tt := range []struct {
		name string
		set  func(*Config)
		want string
	}{
		{"learner", func(c *Config) { c.Learner = "deepwalk" }, "learner"},
		{"regressor", func(c *Config) { c.Regressor = "xgb" }, "regressor"},
		{"metadata feature set", func(c *Config) { c.Features = FeaturesMetadata }, "feature set"},
		{"baseline", func(c *Config) { c.Baselines = []Baseline{"oracle"} }, "baseline"},
		{"protocol", func(c *Config) { c.Protocols = []string{"fast"} }, "protocol"},
		// the sections, before any work: not from the first task that reads them
		{"gbdt", func(c *Config) { c.GBDT.LearningRate = -1 }, "gbdt: LearningRate"},
		{"forest", func(c *Config) { c.Regressor, c.Forest.Trees = RegressorForest, 0 }, "forest: Trees"},
		{"node2vec", func(c *Config) { c.Node2Vec.Dim = 0 }, "config: node2vec: invalid options: Dim = 0"},
		{"min_target_models", func(c *Config) { c.MinTargetModels = -1 }, "min_target_models"},
		{"clean.min_dataset_models", func(c *Config) { c.Clean.MinDatasetModels = -3 }, "clean.min_dataset_models"},
		{"clean.collapsed_share", func(c *Config) { c.Clean.CollapsedShare = 5 }, "clean.collapsed_share"},
		{"clean.chance_margin", func(c *Config) { c.Clean.ChanceMargin = math.NaN() }, "clean.chance_margin"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tt.set(&cfg)
			if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate: %v, want an error about the %s", err, tt.want)
			}
		})
	}
	// A node2vec section the config cannot run is not its concern.
	cfg := DefaultConfig()
	cfg.Learner, cfg.Selection.Learners, cfg.Node2Vec.Dim = LearnerNone, []Learner{LearnerNone}, 0
	if err := cfg.Validate(); err != nil {
		t.Errorf("learner none with node2vec.dim 0: %v, want no error", err)
	}
	cfg.Learner = LearnerNode2Vec // the fixed-mode learner, which nested selection does not run
	if err := cfg.Validate(); err != nil {
		t.Errorf("selection.learners [none] with node2vec.dim 0: %v, want no error", err)
	}
	def := DefaultConfig()
	if err := def.Validate(); err != nil {
		t.Errorf("the default config: %v", err)
	}
}
