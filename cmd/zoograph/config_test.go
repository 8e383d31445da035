package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/zoograph/zoograph/pipeline"
)

// TestExperimentFlags checks the binding of run's and ablate's flags into
// the typed config: defaults without --config, the file over the defaults,
// a flag given explicitly over the file.
func TestExperimentFlags(t *testing.T) {
	dir := t.TempDir()
	// A run's config.json: the config wrapped with the zoo's checksum.
	file := pipeline.DefaultConfig()
	file.Seeds, file.Regressor, file.Targets, file.Workers = 2, pipeline.RegressorForest, []string{"dtd", "pets"}, 1
	b, err := json.Marshal(map[string]any{"config": file, "zoo_checksum": "abc"})
	if err != nil {
		t.Fatal(err)
	}
	runConfig := filepath.Join(dir, "config.json")
	if err := os.WriteFile(runConfig, b, 0o644); err != nil {
		t.Fatal(err)
	}
	part := filepath.Join(dir, "part.json")
	if err := os.WriteFile(part, []byte(`{"clean": {"min_dataset_models": 3}, "learner": "none"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	def := pipeline.DefaultConfig()
	tests := []struct {
		name  string
		args  []string
		check func(c pipeline.Config) bool
	}{
		{"defaults", nil, func(c pipeline.Config) bool {
			return c.Seeds == def.Seeds && c.Regressor == def.Regressor && slices.Equal(c.Baselines, def.Baselines) && c.Targets == nil
		}},
		{"flags over defaults", []string{"--seeds", "3", "--regressor", "linear", "--targets", "a, b", "--protocol", "paper", "--baselines", "logme,random", "--seed", "18446744073709551615"},
			func(c pipeline.Config) bool {
				return c.Seeds == 3 && c.Regressor == pipeline.RegressorLinear && slices.Equal(c.Targets, []string{"a", "b"}) &&
					slices.Equal(c.Protocols, []string{"paper"}) && slices.Equal(c.Baselines, []pipeline.Baseline{"logme", "random"}) && c.Seed == 1<<64-1
			}},
		{"empty list", []string{"--baselines", ""}, func(c pipeline.Config) bool { return len(c.Baselines) == 0 }},
		{"file over defaults", []string{"--config", runConfig}, func(c pipeline.Config) bool {
			return c.Seeds == 2 && c.Regressor == pipeline.RegressorForest && slices.Equal(c.Targets, []string{"dtd", "pets"}) && c.Workers == 1
		}},
		{"flag over file", []string{"--config", runConfig, "--seeds", "4", "--targets", "svhn"}, func(c pipeline.Config) bool {
			return c.Seeds == 4 && c.Regressor == pipeline.RegressorForest && slices.Equal(c.Targets, []string{"svhn"})
		}},
		{"flag before --config still wins", []string{"--regressor", "gbdt", "--config", runConfig}, func(c pipeline.Config) bool {
			return c.Regressor == pipeline.RegressorGBDT && c.Seeds == 2
		}},
		{"part of a config", []string{"--config", part}, func(c pipeline.Config) bool {
			return c.Clean.MinDatasetModels == 3 && c.Learner == pipeline.LearnerNone && c.Seeds == def.Seeds &&
				slices.Equal(c.Selection.Learners, def.Selection.Learners)
		}},
		{"explicit learner is not searched", []string{"--config", part, "--learner", "node2vec+"}, func(c pipeline.Config) bool {
			return c.Learner == pipeline.LearnerNode2VecPlus && c.Selection.Learners == nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFlagSet(&env{stderr: &strings.Builder{}}, "run", "", "")
			args := append([]string{"--zoo", "z", "--out", "o"}, tt.args...)
			zoo, out, cfg, err := parseExperiment(fs, args, "out", pipeline.DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			if zoo != "z" || out != "o" || !tt.check(cfg) {
				t.Errorf("zoo %q, out %q, config %+v", zoo, out, cfg)
			}
		})
	}
}

// TestConfigKeepsCommandDefaults checks that a config file's missing fields
// keep the command's own defaults (rank's 3 seeds), not DefaultConfig's.
func TestConfigKeepsCommandDefaults(t *testing.T) {
	part := filepath.Join(t.TempDir(), "part.json")
	if err := os.WriteFile(part, []byte(`{"clean": {"min_dataset_models": 3}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := pipeline.DefaultConfig()
	cfg.Seeds = 3
	fs := newFlagSet(&env{stderr: &strings.Builder{}}, "rank", "", "")
	if err := parseConfigFlags(fs, []string{"--config", part}, &cfg, "", bindModelFlags); err != nil {
		t.Fatal(err)
	}
	if cfg.Seeds != 3 || cfg.Clean.MinDatasetModels != 3 {
		t.Errorf("seeds %d, min_dataset_models %d: want 3 and 3", cfg.Seeds, cfg.Clean.MinDatasetModels)
	}
}

// TestExperimentFlagErrors checks that a bad value is a usage error naming
// the valid values.
func TestExperimentFlagErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--learner", "deepwalk"}, "node2vec, node2vec+, graphsage, gat or none"},
		{[]string{"--regressor", "xgb"}, "linear, rf or gbdt"},
		{[]string{"--features", "metadata"}, "zoograph or paper"},
		{[]string{"--baselines", "logme,oracle"}, `unknown baseline "oracle"`},
		{[]string{"--protocol", "clean,fast"}, `unknown protocol "fast"`},
		{[]string{"--seeds", "0"}, "seeds = 0"},
	} {
		code, _, errs := runCLI(t, append([]string{"run", "--zoo", "z", "--out", filepath.Join(t.TempDir(), "o")}, tt.args...)...)
		if code != exitUsage || !strings.Contains(errs, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, errs, exitUsage, tt.want)
		}
	}
	// A value out of range in a --config file names the file; a flag that
	// overrides it leaves nothing to report.
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"selection": {"metadata_weights": [2]}, "seeds": 0}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCLI(t, "run", "--zoo", "z", "--out", filepath.Join(t.TempDir(), "o"), "--config", bad)
	if code != exitUsage || !strings.Contains(errs, "--config "+bad) || !strings.Contains(errs, "seeds = 0") {
		t.Errorf("out-of-range config file: exit %d, stderr %q; want %d naming the file and the value", code, errs, exitUsage)
	}
	code, _, errs = runCLI(t, "run", "--zoo", "z", "--out", filepath.Join(t.TempDir(), "o"), "--config", bad, "--seeds", "2")
	if code != exitUsage || !strings.Contains(errs, "--config "+bad) || !strings.Contains(errs, "selection.metadata_weights: 2") {
		t.Errorf("out-of-range weight in a config file: exit %d, stderr %q; want %d naming the file and the key", code, errs, exitUsage)
	}
}

// TestLoadConfigPositions checks that a malformed config names the file,
// line and column of the fault, in a plain config and in a run's wrapped
// config.json alike.
func TestLoadConfigPositions(t *testing.T) {
	for _, tt := range []struct {
		name, data, want string
	}{
		{"syntax", "{\n  \"seeds\": 2,,\n}\n", ":2:14: invalid character ','"},
		{"wrong type", "{\n  \"seeds\": \"two\"\n}\n", `:2:16: "seeds": a JSON string where a whole number belongs`},
		{"fraction for a whole number", "{\"selection\": {\"gbdt_trees\": [2.5]}}", `:1:33: "selection.gbdt_trees": a JSON number 2.5 where a whole number belongs`},
		{"truncated", "{\n  \"seeds\": 2,\n  \"gbdt\": {\"trees\": 10", ":3:22: the JSON ends early: unexpected EOF"},
		{"wrapped run config", "{\"zoo_checksum\": \"x\", \"config\": {\n  \"seeds\": 2,\n  \"learner\": 7\n}}\n", `:3:14: "learner": a JSON number where a string belongs`},
		{"unknown field", "{\n  \"bogus\": 1\n}\n", `:2:3: unknown field "bogus"`},
		{"unknown nested field", "{\n  \"seeds\": 2,\n  \"gbdt\": {\"trees\": 10,\n    \"seeds\": 3}\n}\n", `:4:5: unknown field "gbdt.seeds"`},
		{"unknown field in a list", "{\"selection\": {\"mode\": \"fixed\"},\n \"targets\": [\"a\"], \"clean\": {\"min_dataset_models\": 3, \"bogus\": {\"x\": [1]}}}", `:2:55: unknown field "clean.bogus"`},
		{"unknown field of a wrapped run config", "{\"zoo_checksum\": \"x\", \"config\": {\n  \"seeds\": 2,\n    \"sedes\": 7\n}}\n", `:3:5: unknown field "sedes"`},
		// The decoder goes on after an unknown field but stops at a value's
		// own error, which is the one to report, without a position.
		{"bad value before an unknown field", `{"learner": "bogus", "nope": 1}`, `: unknown learner "bogus"`},
		{"bad option before an unknown field", `{"gbdt": {"Trees": 1, "trees": 2}, "nope": 1}`, `: both "Trees" and "trees" given`},
		// A tagged field is read by its tag alone, in any case; the
		// regressors' options also read their fields' Go names, exactly.
		{"Go name of a tagged field", `{"MinTargetModels": 3, "nope": 1}`, `:1:2: unknown field "MinTargetModels"`},
		{"tag in another case", `{"SEEDS": 3, "nope": 1}`, `:1:14: unknown field "nope"`},
		{"Go name of an option", `{"gbdt": {"MaxDepth": 3, "nope": 1}}`, `:1:26: unknown field "gbdt.nope"`},
		{"Go name of an option in another case", `{"gbdt": {"maxDepth": 3}}`, `:1:11: unknown field "gbdt.maxDepth"`},
		// The options' decoder stops at its first unknown key, in sorted
		// order, before the config's first.
		{"unknown option after an unknown field", `{"nope": 1, "gbdt": {"zz": 1, "aa": 1}}`, `:1:31: unknown field "gbdt.aa"`},
		// The options' decoder reads its own input: its offsets are not
		// the file's.
		{"wrong type of an option", "{\"seeds\": 2,\n \"gbdt\": {\"trees\": \"x\"}}", `: "gbdt.trees": a JSON string where a whole number belongs`},
		{"wrong type of the options", "{\"seeds\": 2,\n \"gbdt\": 5}", `: "gbdt": a JSON number where an object belongs`},
		{"escaped quote in a key", `{"seeds": 1, "a\"b": 1}`, `:1:14: unknown field "a\"b"`},
		// A run's config.json: the config alone is read, so a setting beside it
		// would be lost; after the config the file ends.
		{"config field beside the config", "{\"seeds\": 5, \"config\": {\"seeds\": 2}}", `:1:2: "seeds" beside "config"`},
		{"scalar wrapped config", "{\"zoo_checksum\": \"1\", \"config\": 1}", `:1:33: config: want an object of settings, not 1`},
		{"null wrapped config", "{\"zoo_checksum\": \"1\",\n \"config\": null}", `:2:12: config: want an object of settings, not null`},
		{"more after the config", "{\"seeds\": 2} garbage", `:1:14: more JSON after the config`},
		{"more after a run's config", "{\"config\": {\"seeds\": 2}}\n[]", `:2:1: more JSON after the run's config`},
		{"two configs", "{\"seeds\": 2}{\"seeds\": 3}", `:1:13: more JSON after the config`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cfg.json")
			if err := os.WriteFile(path, []byte(tt.data), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := loadConfig(path, pipeline.DefaultConfig())
			if err == nil || !strings.Contains(err.Error(), path+tt.want) {
				t.Errorf("err = %v, want %q", err, path+tt.want)
			}
		})
	}
}

// TestLoadConfigLeavesDefaults checks that loading a file over the
// command's defaults leaves the defaults' lists as they were: the decoder
// appends into a slice's backing array, which a copied config shares.
func TestLoadConfigLeavesDefaults(t *testing.T) {
	file := filepath.Join(t.TempDir(), "c.json")
	if err := os.WriteFile(file, []byte(`{"selection": {"metadata_weights": [1], "blends": [0.3]}, "baselines": ["logme"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	base := pipeline.DefaultConfig()
	loaded, err := loadConfig(file, base)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(loaded.Selection.MetadataWeights, []float64{1}) || !slices.Equal(loaded.Selection.Blends, []float64{0.3}) {
		t.Errorf("loaded %v %v", loaded.Selection.MetadataWeights, loaded.Selection.Blends)
	}
	if !reflect.DeepEqual(base, pipeline.DefaultConfig()) {
		t.Errorf("loading changed the defaults: metadata weights %v, blends %v, baselines %v",
			base.Selection.MetadataWeights, base.Selection.Blends, base.Baselines)
	}
}

// TestDetach checks that a detached copy shares no slice, map or pointer
// with the value it was copied from, however deep.
func TestDetach(t *testing.T) {
	type inner struct{ L []int }
	type cfg struct {
		S []int
		M map[string]int
		P *inner
		A [1][]int
		N []inner
		u []int // unexported: left as it is
	}
	orig := cfg{S: []int{1}, M: map[string]int{"a": 1}, P: &inner{L: []int{2}}, A: [1][]int{{3}}, N: []inner{{L: []int{4}}}, u: []int{5}}
	c := orig
	detach(reflect.ValueOf(&c).Elem())
	c.S[0], c.M["a"], c.P.L[0], c.A[0][0], c.N[0].L[0] = 9, 9, 9, 9, 9
	if orig.S[0] != 1 || orig.M["a"] != 1 || orig.P.L[0] != 2 || orig.A[0][0] != 3 || orig.N[0].L[0] != 4 {
		t.Errorf("the original changed with its detached copy: %+v %+v", orig, *orig.P)
	}
}

// TestConfigErrorSaysConfigOnce checks that a malformed --config file is
// named once, after the flag, without "config" repeated before its path.
func TestConfigErrorSaysConfigOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cfg.json")
	if err := os.WriteFile(path, []byte(`{"seeds": "two"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCLI(t, "rank", "--zoo", "z", "--target", "x", "--config", path)
	want := "zoograph rank: --config: " + path + `:1:15: "seeds": a JSON string where a whole number belongs` + "\n"
	if code != exitUsage || !strings.HasPrefix(errs, want) {
		t.Errorf("exit %d, stderr\n%s\nwant exit %d and\n%s", code, errs, exitUsage, want)
	}
}
