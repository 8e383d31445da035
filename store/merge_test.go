package store

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// A crawl's rows, then a benchmark's: what an import finds in a zoo.
func crawledZoo() *Tables {
	return &Tables{
		Models: []Model{
			{ModelID: "google/vit", ReportedAccuracy: math.NaN(), Source: "hub"},
			{ModelID: "org/only-on-hub", ReportedAccuracy: math.NaN(), Source: "hub"},
		},
		Cards: []Card{{RepoType: "model", RepoID: "google/vit", Text: "# vit"}},
		Evals: []Eval{{ModelID: "google/vit", Value: 0.9, Source: "card"}},
	}
}

func benchRows(src string, acc float64, models ...string) *Tables {
	t := &Tables{Models: []Model{}, Finetunes: []Finetune{}, Scores: []Score{}, Datasets: []Dataset{{DatasetID: "dtd", Source: src}}}
	for _, m := range models {
		t.Models = append(t.Models, Model{ModelID: m, ReportedAccuracy: math.NaN(), Source: src})
		t.Finetunes = append(t.Finetunes, Finetune{ModelID: m, DatasetID: "dtd", Accuracy: acc, Method: "full",
			Epochs: math.NaN(), LearningRate: math.NaN(), TrainSeconds: math.NaN(), Source: src})
		t.Scores = append(t.Scores, Score{ModelID: m, DatasetID: "dtd", Method: "logme", Score: acc, RuntimeSeconds: math.NaN(), Source: src})
	}
	return t
}

func modelKeys(ms []Model) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Source+" "+m.ModelID)
	}
	return out
}

func TestMergeZoo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "zoo")
	if err := WriteZoo(t.Context(), dir, crawledZoo(), Provenance{Source: "hub", Command: "crawl"}); err != nil {
		t.Fatal(err)
	}
	// The first import adds its rows beside the crawl's, the same model
	// id included.
	got, err := MergeZoo(t.Context(), dir, benchRows("bench", 0.5, "google/vit", "a/old"), Provenance{Source: "bench", Command: "import 1"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Merged{
		{Table: "models", Kept: 2, Added: 2},
		{Table: "datasets", Added: 1},
		{Table: "finetunes", Added: 2},
		{Table: "scores", Added: 2},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("first merge (-want +got):\n%s", diff)
	}
	m1, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}

	// The second import of the same source replaces its rows, and only
	// them: its score of a model it no longer has is gone, another
	// source's scores stay, of the same key too.
	other := &Tables{Scores: []Score{
		{ModelID: "x/y", DatasetID: "dtd", Method: "logme", Score: 1, RuntimeSeconds: math.NaN(), Source: "other"},
		{ModelID: "google/vit", DatasetID: "dtd", Method: "logme", Score: 2, RuntimeSeconds: math.NaN(), Source: "other"},
	}}
	if _, err := MergeZoo(t.Context(), dir, other, Provenance{Source: "other"}); err != nil {
		t.Fatal(err)
	}
	got, err = MergeZoo(t.Context(), dir, benchRows("bench", 0.7, "google/vit", "a/new"), Provenance{Source: "bench", Command: "import 2"})
	if err != nil {
		t.Fatal(err)
	}
	want = []Merged{
		{Table: "models", Kept: 2, Replaced: 2, Added: 2},
		{Table: "datasets", Replaced: 1, Added: 1},
		{Table: "finetunes", Replaced: 2, Added: 2},
		{Table: "scores", Kept: 2, Replaced: 2, Added: 2}, // other's kept, bench's a/old and google/vit replaced
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("second merge (-want +got):\n%s", diff)
	}

	tables, m := mustReadZoo(t, dir)
	if diff := cmp.Diff([]string{"hub google/vit", "hub org/only-on-hub", "bench google/vit", "bench a/new"}, modelKeys(tables.Models)); diff != "" {
		t.Errorf("models (-want +got):\n%s", diff)
	}
	crawl := crawledZoo()
	if diff := cmp.Diff(crawl.Cards, tables.Cards, rowOpts...); diff != "" {
		t.Errorf("the crawl's cards changed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(crawl.Evals, tables.Evals, rowOpts...); diff != "" {
		t.Errorf("the crawl's evals changed (-want +got):\n%s", diff)
	}
	for _, f := range tables.Finetunes {
		if f.Accuracy != 0.7 {
			t.Errorf("finetune %+v: want only the second import's rows (accuracy 0.7)", f)
		}
	}
	var scores []string
	for _, s := range tables.Scores {
		scores = append(scores, fmt.Sprintf("%s %g", s.ModelID, s.Score))
	}
	if diff := cmp.Diff([]string{"x/y 1", "google/vit 2", "google/vit 0.7", "a/new 0.7"}, scores); diff != "" {
		t.Errorf("scores (-want +got):\n%s", diff)
	}
	// Tables the merge did not name are untouched; one provenance entry per merge.
	for _, name := range []string{"cards", "evals"} {
		if m.Tables[name] != m1.Tables[name] {
			t.Errorf("table %s: manifest entry %+v -> %+v", name, m1.Tables[name], m.Tables[name])
		}
	}
	var cmds []string
	for _, p := range m.Provenance {
		cmds = append(cmds, p.Source+": "+p.Command+" "+strings.Join(p.Tables, ","))
	}
	wantCmds := []string{
		"hub: crawl models,cards,evals",
		"bench: import 1 models,datasets,finetunes,scores",
		"other:  scores",
		"bench: import 2 models,datasets,finetunes,scores",
	}
	if diff := cmp.Diff(wantCmds, cmds); diff != "" {
		t.Errorf("provenance (-want +got):\n%s", diff)
	}
	checkVerify(t, dir)
}

func TestMergeZooRefuses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "zoo")
	if err := WriteZoo(t.Context(), dir, crawledZoo(), Provenance{Source: "hub"}); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		t    *Tables
		prov Provenance
		want string
	}{
		{"row of another source", benchRows("elsewhere", 0.5, "a/b"), Provenance{Source: "bench"}, `models into zoo`},
		{"no source", benchRows("bench", 0.5, "a/b"), Provenance{}, "names no source"},
		{"score of another source", &Tables{Scores: []Score{{ModelID: "a/b", DatasetID: "dtd", Method: "logme", Source: "elsewhere"}}},
			Provenance{Source: "bench"}, "scores into zoo"},
		{"distance of another source", &Tables{DatasetDistances: []DatasetDistance{{DatasetA: "a", DatasetB: "b", Method: "m", Source: "elsewhere"}}},
			Provenance{Source: "bench"}, "dataset_distances into zoo"},
		{"legacy source", &Tables{Scores: []Score{{ModelID: "a/b", DatasetID: "dtd", Method: "logme", Source: LegacySource}}},
			Provenance{Source: LegacySource}, "reserved"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := MergeZoo(t.Context(), dir, tt.t, tt.prov)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("MergeZoo: %v, want an error containing %q", err, tt.want)
			}
			after, err := os.ReadFile(filepath.Join(dir, ManifestFile))
			if err != nil {
				t.Fatal(err)
			}
			if string(after) != string(before) {
				t.Error("a refused merge changed the manifest")
			}
			for _, n := range zooFiles(t, dir) {
				if isTemp(n) || isBackup(n) {
					t.Errorf("a refused merge left %s behind", n)
				}
			}
		})
	}
}

func TestMergeZooFresh(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new")
	in := benchRows("bench", 0.5, "a/b")
	if _, err := MergeZoo(t.Context(), dir, in, Provenance{Source: "bench"}); err != nil {
		t.Fatal(err)
	}
	got, m := mustReadZoo(t, dir)
	if diff := cmp.Diff(in, got, rowOpts...); diff != "" {
		t.Errorf("merge into a new zoo (-want +got):\n%s", diff)
	}
	if len(m.Provenance) != 1 {
		t.Errorf("provenance %+v, want one entry", m.Provenance)
	}
}

// TestMergeZooConcurrentWriters: two imports of different sources into one
// zoo at once (two processes, a crawl committing beside an import) keep
// both sources' rows. The second merge starts while the first has read the
// zoo and staged its tables; unserialised, the first then committed tables
// made from the zoo it had read, and the second's rows were gone.
func TestMergeZooConcurrentWriters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "zoo")
	if err := WriteZoo(t.Context(), dir, crawledZoo(), Provenance{Source: "hub", Command: "crawl"}); err != nil {
		t.Fatal(err)
	}
	second := make(chan error, 1)
	started := false
	cfg := defaultIO
	cfg.hook = func(step string) {
		if step != "staged" || started {
			return
		}
		started = true
		go func() {
			_, err := MergeZoo(t.Context(), dir, benchRows("b", 0.6, "b/one"), Provenance{Source: "b", Command: "import b"})
			second <- err
		}()
		// Let the second writer run to its end, or to where it waits for
		// this one.
		select {
		case err := <-second:
			second <- err
		case <-time.After(time.Second):
		}
	}
	if _, err := mergeZoo(t.Context(), dir, benchRows("a", 0.5, "a/one"), Provenance{Source: "a", Command: "import a"}, cfg); err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	tables, _, err := ReadZoo(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(modelKeys(tables.Models), ", ")
	for _, want := range []string{"hub google/vit", "a a/one", "b b/one"} {
		if !strings.Contains(got, want) {
			t.Errorf("models %s: lack %q", got, want)
		}
	}
}
