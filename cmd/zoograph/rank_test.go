package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/pipeline/demo"
	"github.com/zoograph/zoograph/store"
)

// fixedConfig writes a partial config that turns nested selection off, to
// keep the rank tests fast.
func fixedConfig(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fixed.json")
	if err := os.WriteFile(path, []byte(`{"selection": {"mode": "fixed"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRankDescribe(t *testing.T) {
	zoo, _ := sampleZoo(t)
	cfg := fixedConfig(t)
	textModel := map[string]bool{}
	for _, m := range demo.GenerateSample(demo.SampleOptions{BaseModels: 30, Seed: 5}).Models {
		textModel[m.ID] = m.PipelineTag == "text-classification"
	}
	desc := writeFile(t, "reviews.yaml", "name: my-reviews\nmodality: text\ntask: text-classification\nnum_classes: 2\n"+
		"num_examples: 12000\nlanguage: en\ndomain: product reviews\n")

	code, out, errs := runCLI(t, "rank", "--zoo", zoo, "--describe", desc, "--config", cfg, "--seeds", "1", "--top", "5", "--calibration", "2")
	if code != exitOK {
		t.Fatalf("rank --describe: exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"my-reviews (text, text-classification; described)", "Nearest known datasets:", "metadata",
		"Candidates:", "left out: image model for a text dataset", "Predicted accuracy: calibrated on 2 held-out datasets", "interval"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	code, out, errs = runCLI(t, "rank", "--zoo", zoo, "--describe", desc, "--config", cfg, "--seeds", "1", "--top", "0", "--json", "--calibration", "2")
	if code != exitOK {
		t.Fatalf("rank --json: exit %d\n%s", code, errs)
	}
	var doc struct {
		Target      string `json:"target"`
		Described   bool   `json:"described"`
		Calibration struct {
			Datasets []string `json:"datasets"`
		} `json:"calibration"`
		Nearest []struct {
			Dataset, Source string
		} `json:"nearest"`
		Models []struct {
			Rank      int     `json:"rank"`
			ModelID   string  `json:"model_id"`
			Predicted float64 `json:"predicted_accuracy"`
			Low       float64 `json:"low"`
			High      float64 `json:"high"`
			History   int     `json:"history"`
			Evidence  []struct {
				Dataset  string  `json:"dataset"`
				Accuracy float64 `json:"accuracy"`
			} `json:"evidence"`
			Basis string `json:"basis"`
		} `json:"models"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	if doc.Target != "my-reviews" || !doc.Described || len(doc.Calibration.Datasets) != 2 || len(doc.Nearest) == 0 || len(doc.Models) < 10 {
		t.Fatalf("--json document: %+v", doc)
	}
	for i, m := range doc.Models {
		if m.Rank != i+1 || !textModel[m.ModelID] {
			t.Errorf("rank %d: %s (text model: %v)", m.Rank, m.ModelID, textModel[m.ModelID])
		}
		if !(m.Low <= m.Predicted && m.Predicted <= m.High) || m.History == 0 || len(m.Evidence) == 0 || m.Basis == "" {
			t.Errorf("rank %d: %+v", m.Rank, m)
		}
	}

	// Warm: the two models ranked first are given as fine-tuned already;
	// they leave the ranking and the output says the target is warm.
	first, second := doc.Models[0].ModelID, doc.Models[1].ModelID
	warm := writeFile(t, "warm.yaml", "name: my-reviews\nmodality: text\ntask: text-classification\nnum_classes: 2\n"+
		"finetuned:\n  "+first+": 0.61\n  "+second+": 0.93\n")
	code, out, errs = runCLI(t, "rank", "--zoo", zoo, "--describe", warm, "--config", cfg, "--seeds", "1", "--top", "0", "--calibration", "2")
	if code != exitOK {
		t.Fatalf("rank of a warm description: exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"2 left out: fine-tuned on it already (finetuned)", "Warm: fine-tuned accuracies given by the description: 2"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, m := range []string{first, second} {
		if strings.Contains(out, " "+m+" ") {
			t.Errorf("%s, given as fine-tuned, is ranked:\n%s", m, out)
		}
	}
}

// TestRankBadInput: bad descriptions and targets are errors that say what
// is wrong, and nothing is written to the zoo.
func TestRankBadInput(t *testing.T) {
	zoo, targets := sampleZoo(t)
	manifest := func() []byte {
		b, err := os.ReadFile(filepath.Join(zoo, store.ManifestFile))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	before := manifest()
	many := "name: x\nmodality: image\ntask: image-classification\nfinetuned:\n"
	for _, m := range demo.GenerateSample(demo.SampleOptions{BaseModels: 30, Seed: 5}).Models {
		many += "  " + m.ID + ": 0.5\n"
	}
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"unknown modality", []string{"--describe", writeFile(t, "a.yaml", "name: x\nmodality: smell\ntask: text-classification\n")},
			exitUsage, []string{"a.yaml:2: modality: unknown modality \"smell\""}},
		{"negative classes", []string{"--describe", writeFile(t, "b.yaml", "name: x\nmodality: image\ntask: image-classification\nnum_classes: -4\n")},
			exitUsage, []string{"b.yaml:4: num_classes: -4 is negative"}},
		{"unparseable YAML", []string{"--describe", writeFile(t, "c.yaml", "name: x\n  modality: [image\n")},
			exitUsage, []string{"c.yaml", "not valid YAML"}},
		{"distance to an unknown dataset", []string{"--describe", writeFile(t, "d.yaml", "name: x\nmodality: image\ntask: image-classification\ndistances: {nowhere: 2}\n")},
			exitUsage, []string{"d.yaml:4: distances.nowhere: no such dataset in the zoo"}},
		{"distance to an unknown dataset, on its own line", []string{"--describe", writeFile(t, "e.yaml", "name: x\nmodality: image\ntask: image-classification\ndistances:\n  "+targets[1]+": 1\n  nowhere: 2\n")},
			exitUsage, []string{"e.yaml:6: distances.nowhere: no such dataset in the zoo"}},
		{"named like a zoo dataset", []string{"--describe", writeFile(t, "f.yaml", "modality: image\ntask: image-classification\nname: "+targets[1]+"\n")},
			exitUsage, []string{"f.yaml:3: name: \"" + targets[1] + "\" is a dataset of the zoo"}},
		{"score of a model the zoo lacks", []string{"--describe", writeFile(t, "g.yaml", "name: x\nmodality: image\ntask: image-classification\nscores:\n  logme:\n    nobody/m: 2\n")},
			exitUsage, []string{"g.yaml:6: scores.logme.nobody/m: no such model in the zoo"}},
		{"fine-tune of a model the zoo lacks", []string{"--describe", writeFile(t, "h.yaml", "name: x\nmodality: image\ntask: image-classification\nfinetuned:\n  nobody/m: 0.8\n")},
			exitUsage, []string{"h.yaml:5: finetuned.nobody/m: no such model in the zoo"}},
		{"fine-tune accuracy in percent", []string{"--describe", writeFile(t, "i.yaml", "name: x\nmodality: image\ntask: image-classification\nfinetuned: {nobody/m: 80.5}\n")},
			exitUsage, []string{"i.yaml:4: finetuned.nobody/m: 80.5: want the accuracy the fine-tune reached, in [0, 1]"}},
		{"more fine-tunes given than a training dataset has models", []string{"--describe", writeFile(t, "j.yaml", many)},
			exitUsage, []string{"j.yaml:4: finetuned: ", "nothing to predict in nested selection: give at most", "or use --selection fixed"}},
		{"missing file", []string{"--describe", filepath.Join(t.TempDir(), "none.yaml")}, exitUsage, []string{"--describe"}},
		{"unknown target", []string{"--target", "my-new-data"}, exitUsage, []string{"no dataset \"my-new-data\" in the zoo", "--describe FILE", "modality:"}},
		{"typo'd target", []string{"--target", targets[0] + "x"}, exitUsage, []string{"did you mean \"" + targets[0] + "\"? If not, describe it", "modality:"}},
		{"both", []string{"--target", targets[0], "--describe", "x.yaml"}, exitUsage, []string{"exactly one"}},
		{"neither", nil, exitUsage, []string{"exactly one"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCLI(t, append([]string{"rank", "--zoo", zoo, "--seeds", "1"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s\n%s", code, tt.code, out, errs)
			}
			for _, w := range tt.want {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errs)
				}
			}
		})
	}
	if !bytes.Equal(before, manifest()) {
		t.Error("rank changed the zoo's manifest")
	}
}

// TestRankTextTiedNeighbours checks that neighbours all at one distance (a
// zoo without distances whose datasets have no metadata) are said to tie,
// where they were listed as the nearest as if the name order had not
// chosen them; distinct distances are listed as before.
func TestRankTextTiedNeighbours(t *testing.T) {
	r := &pipeline.Recommendations{Target: "cola", Method: "zoograph+gbdt", Seeds: 1, Nearest: []pipeline.Neighbour{
		{Dataset: "ag_news", Distance: 1, Source: "metadata"}, {Dataset: "anli", Distance: 1, Source: "metadata"}}}
	var b strings.Builder
	if err := writeRankText(&b, r); err != nil {
		t.Fatal(err)
	}
	if want := "Nearest known datasets: a tie at 1 (metadata), shown by name: ag_news, anli\n"; !strings.Contains(b.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, b.String())
	}
	r.Nearest[1].Distance = 2
	b.Reset()
	if err := writeRankText(&b, r); err != nil {
		t.Fatal(err)
	}
	if want := "Nearest known datasets: ag_news (1, metadata), anli (2, metadata)\n"; !strings.Contains(b.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, b.String())
	}
	// One distance from two sources: each is named with its own source.
	r.Nearest[1].Distance = 1
	r.Nearest = append(r.Nearest[:1], pipeline.Neighbour{Dataset: "boolq", Distance: 1, Source: "given"}, r.Nearest[1])
	b.Reset()
	if err := writeRankText(&b, r); err != nil {
		t.Fatal(err)
	}
	if want := "Nearest known datasets: ag_news (1, metadata), boolq (1, given), anli (1, metadata)\n"; !strings.Contains(b.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, b.String())
	}
}

// TestInputFilesBounded: a --describe or --config file far larger than any
// description or config (a wrong path, a device) is refused, naming the
// file and the limit, before it is read whole.
func TestInputFilesBounded(t *testing.T) {
	zoo, _ := sampleZoo(t)
	huge := func(name string, head string) string {
		path := writeFile(t, name, head)
		if err := os.Truncate(path, maxInputFileBytes+1); err != nil { // a sparse tail
			t.Fatal(err)
		}
		return path
	}
	desc := huge("big.yaml", "name: x\nmodality: image\ntask: image-classification\n#")
	cfg := huge("big.json", `{"seeds": 1}`)
	for _, args := range [][]string{
		{"rank", "--zoo", zoo, "--describe", desc},
		{"rank", "--zoo", zoo, "--target", "x", "--config", cfg},
	} {
		code, out, errs := runCLI(t, args...)
		path := args[len(args)-1]
		if code != exitUsage || !strings.Contains(errs, path) || !strings.Contains(errs, "larger than") {
			t.Errorf("%v: exit %d, want %d and an error naming %s and the limit\n%s\n%s", args, code, exitUsage, path, out, errs)
		}
	}
}

// TestInputFileUnreadable: a --describe or --config path that is no
// readable file (a directory) is named once in the error, as os.ReadFile
// named it, not once per wrapping.
func TestInputFileUnreadable(t *testing.T) {
	zoo, _ := sampleZoo(t)
	dir := t.TempDir()
	for _, args := range [][]string{
		{"rank", "--zoo", zoo, "--describe", dir},
		{"rank", "--zoo", zoo, "--target", "x", "--config", dir},
	} {
		code, _, errs := runCLI(t, args...)
		if code != exitUsage || strings.Count(errs, dir) != 1 || !strings.Contains(errs, "is a directory") {
			t.Errorf("%v: exit %d, want %d and an error naming %s once\n%s", args, code, exitUsage, dir, errs)
		}
	}
}

// TestRankHelpDescribesEveryField checks that the description in rank -h
// is one ParseDescription reads, and that it shows every field a
// description has (each YAML key of pipeline.Description).
func TestRankHelpDescribesEveryField(t *testing.T) {
	code, _, help := runCLI(t, "rank", "-h")
	if code != exitOK {
		t.Fatalf("rank -h: exit %d\n%s", code, help)
	}
	var yaml strings.Builder
	for _, line := range strings.Split(help, "\n") {
		if s, ok := strings.CutPrefix(line, "\t"); ok {
			yaml.WriteString(s + "\n")
		}
	}
	if _, err := pipeline.ParseDescription([]byte(yaml.String()), "help"); err != nil {
		t.Fatalf("rank -h's example does not parse: %v\n%s", err, yaml.String())
	}
	typ := reflect.TypeFor[pipeline.Description]()
	for i := range typ.NumField() {
		key, _, _ := strings.Cut(typ.Field(i).Tag.Get("yaml"), ",")
		if key != "" && key != "-" && !strings.Contains(yaml.String(), "\n"+key+":") && !strings.HasPrefix(yaml.String(), key+":") {
			t.Errorf("rank -h's example lacks the field %s:\n%s", key, yaml.String())
		}
	}
}

// TestRankTextAveraged: under selection.combine level, the header says the
// ranking averages several settings, and how many; with one, it names the
// method alone.
func TestRankTextAveraged(t *testing.T) {
	r := &pipeline.Recommendations{Target: "cola", Method: "zoograph+gbdt", Seeds: 1,
		Members: []pipeline.Candidate{{Learner: pipeline.LearnerNone, Blend: 1}, {Learner: pipeline.LearnerNone, Blend: 0.5}}}
	var b strings.Builder
	if err := writeRankText(&b, r); err != nil {
		t.Fatal(err)
	}
	if want := "— zoograph+gbdt averaged over the 2 settings level with the best (selection.combine), "; !strings.Contains(b.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, b.String())
	}
	r.Members = r.Members[:1]
	b.Reset()
	if err := writeRankText(&b, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "averaged") {
		t.Errorf("one setting said to be averaged:\n%s", b.String())
	}
}
