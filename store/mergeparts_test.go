package store

import (
	"context"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// mergeModels is a Parts as the crawler's: keyed by model id here,
// newest last_modified wins, rows whose source is not "hub" stay.
func mergeModels(parts []string, evals []string) Parts[Model] {
	return Parts[Model]{
		Files:      parts,
		Key:        func(m *Model) string { return m.ModelID },
		Version:    func(m *Model) int64 { return m.LastModified.UnixMicro() },
		Owner:      func(m *Model) string { return m.ModelID },
		Keep:       func(m *Model) bool { return m.Source != "hub" },
		KeyColumns: []string{"model_id", "last_modified", "source"},
		Dependents: []Dependent{DependentParts(evals, func(e *Eval) string { return e.ModelID })},
	}
}

func TestMergeParts(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	model := func(id string, day int, source string) Model {
		return Model{ModelID: id, LastModified: t0.AddDate(0, 0, day), Source: source, ReportedAccuracy: math.NaN()}
	}
	second := func(m Model) Model { m.Downloads = 2; return m }
	eval := func(id, metric string) Eval {
		return Eval{ModelID: id, MetricType: metric, Value: math.NaN(), Source: "card"}
	}
	dir := filepath.Join(t.TempDir(), "zoo")
	zoo := &Tables{
		Models: []Model{model("a", 1, "hub"), model("b", 1, "hub"), model("a", 0, "bench"), model("c", 1, "hub")},
		Evals:  []Eval{eval("a", "zoo"), eval("b", "zoo"), eval("c", "zoo"), eval("x", "zoo")},
	}
	if err := WriteZoo(t.Context(), dir, zoo, Provenance{Source: "test"}); err != nil {
		t.Fatal(err)
	}
	scratch := t.TempDir()
	write := func(name string, rows any) string {
		path := filepath.Join(scratch, name)
		var err error
		switch r := rows.(type) {
		case []Model:
			err = WriteFileWith(path, r, WriteOptions{Format: ArrowIPC})
		case []Eval:
			err = WriteFile(path, r)
		}
		if err != nil {
			t.Fatal(err)
		}
		return path
	}
	parts := []string{
		// a is newer than in the zoo; d is new and comes twice, the later
		// row of equal version winning.
		write("m1.arrow", []Model{model("a", 2, "hub"), model("d", 1, "hub"), second(model("d", 1, "hub"))}),
		// a is older here than in part 1: part 1's row stays.
		write("m2.arrow", []Model{model("a", 1, "hub"), model("e", 1, "hub")}),
	}
	evals := []string{
		write("e1.parquet", []Eval{eval("a", "p1"), eval("d", "p1")}),
		"", // part 2 has no evals file
	}
	res, err := MergeParts(context.Background(), dir, mergeModels(parts, evals), Provenance{Source: "merge"})
	if err != nil {
		t.Fatal(err)
	}
	got, m := mustReadZoo(t, dir)
	type row struct {
		ID, Source     string
		Day, Downloads int
	}
	var rows []row
	for _, r := range got.Models {
		rows = append(rows, row{r.ModelID, r.Source, int(r.LastModified.Sub(t0).Hours() / 24), int(r.Downloads)})
	}
	want := []row{{"b", "hub", 1, 0}, {"a", "bench", 0, 0}, {"c", "hub", 1, 0}, {"a", "hub", 2, 0}, {"d", "hub", 1, 2}, {"e", "hub", 1, 0}}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("models (-want +got):\n%s", diff)
	}
	if res.Rows != 6 || res.NewRows != 3 {
		t.Errorf("result %+v, want 6 rows, 3 new", res)
	}
	var gotEvals []string
	for _, e := range got.Evals {
		gotEvals = append(gotEvals, e.ModelID+"/"+e.MetricType)
	}
	// The zoo's evals of a go (its hub row was replaced); b's, c's and
	// those of no model stay; part 1's evals of its winners follow.
	if diff := cmp.Diff([]string{"b/zoo", "c/zoo", "x/zoo", "a/p1", "d/p1"}, gotEvals); diff != "" {
		t.Errorf("evals (-want +got):\n%s", diff)
	}
	if n := len(m.Provenance); n != 2 || m.Provenance[1].Source != "merge" || len(m.Provenance[1].Tables) != 2 {
		t.Errorf("provenance %+v: want one entry for the merge, naming both tables", m.Provenance)
	}
	checkVerify(t, dir)

	// The same parts again change nothing in the tables, to the byte.
	if _, err := MergeParts(context.Background(), dir, mergeModels(parts, evals), Provenance{Source: "merge"}); err != nil {
		t.Fatal(err)
	}
	if again, err := ReadManifest(dir); err != nil || again.Checksum() != m.Checksum() {
		t.Errorf("merging the same parts twice changed the tables (err %v)", err)
	}
}

// TestMergePartsSparseDependent: the zoo's card of a repo whose row a part
// replaced stays when no part has a card of it (its README could not be
// fetched), is replaced by a part's card, goes with a renamed repo, and
// goes when the part says the repo has none (a row absent reports, which
// is not written).
func TestMergePartsSparseDependent(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	model := func(oid, id string, day int) Model {
		return Model{ModelID: id, HubOID: oid, LastModified: t0.AddDate(0, 0, day), Source: "hub", ReportedAccuracy: math.NaN()}
	}
	card := func(id, text string) Card {
		return Card{RepoType: "model", RepoID: id, Text: text, FetchedAt: t0}
	}
	dir := filepath.Join(t.TempDir(), "zoo")
	zoo := &Tables{
		Models: []Model{model("1", "a", 1), model("2", "b", 1), model("3", "c", 1), model("4", "d", 1), model("5", "e", 1)},
		Cards:  []Card{card("a", "zoo"), card("b", "zoo"), card("c", "zoo"), card("d", "zoo"), card("e", "zoo"), card("x", "zoo")},
	}
	if err := WriteZoo(t.Context(), dir, zoo, Provenance{Source: "test"}); err != nil {
		t.Fatal(err)
	}
	scratch := t.TempDir()
	part := filepath.Join(scratch, "m1.arrow")
	// a: newer, with a new card; b: newer, its card not fetched; c: renamed
	// to c2, no card; d: not in the part; e: newer, its README gone.
	if err := WriteFileWith(part, []Model{model("1", "a", 2), model("2", "b", 2), model("3", "c2", 2), model("5", "e", 2)}, WriteOptions{Format: ArrowIPC}); err != nil {
		t.Fatal(err)
	}
	cards := filepath.Join(scratch, "c1.arrow")
	if err := WriteFileWith(cards, []Card{card("a", "part"), {RepoType: "model", RepoID: "e", Text: "absent"}}, WriteOptions{Format: ArrowIPC}); err != nil {
		t.Fatal(err)
	}
	spec := Parts[Model]{
		Files:      []string{part},
		Key:        func(m *Model) string { return m.HubOID },
		Version:    func(m *Model) int64 { return m.LastModified.UnixMicro() },
		Owner:      func(m *Model) string { return m.ModelID },
		KeyColumns: []string{"model_id", "hub_oid", "last_modified"},
		Dependents: []Dependent{SparseDependentParts([]string{cards}, func(c *Card) string { return c.RepoID },
			func(c *Card) bool { return c.Text == "absent" }, "repo_id")},
	}
	if _, err := MergeParts(context.Background(), dir, spec, Provenance{Source: "merge"}); err != nil {
		t.Fatal(err)
	}
	got, _ := mustReadZoo(t, dir)
	var gotCards []string
	for _, c := range got.Cards {
		gotCards = append(gotCards, c.RepoID+"/"+c.Text)
	}
	if diff := cmp.Diff([]string{"b/zoo", "d/zoo", "x/zoo", "a/part"}, gotCards); diff != "" {
		t.Errorf("cards (-want +got):\n%s", diff)
	}
	checkVerify(t, dir)
}

// TestMergePartsIntoNewZoo: a first merge creates the zoo; a failing merge
// leaves it as it was.
func TestMergePartsIntoNewZoo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "zoo")
	part := filepath.Join(t.TempDir(), "m.arrow")
	rows := sampleModels(300, 3)
	for i := range rows {
		rows[i].Source = "hub"
	}
	if err := WriteFileWith(part, rows, WriteOptions{Format: ArrowIPC}); err != nil {
		t.Fatal(err)
	}
	res, err := MergeParts(context.Background(), dir, mergeModels([]string{part}, []string{""}), Provenance{Source: "merge"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadTable[Model](dir)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != int64(len(rows)) || res.NewRows != res.Rows || len(got) != len(rows) {
		t.Errorf("result %+v and %d rows, want %d", res, len(got), len(rows))
	}
	if evals, err := ReadTable[Eval](dir); err != nil || len(evals) != 0 {
		t.Errorf("evals: %d rows, err %v; want an empty table", len(evals), err)
	}
	before, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing.arrow")
	if _, err := MergeParts(context.Background(), dir, mergeModels([]string{missing}, []string{""}), Provenance{Source: "merge"}); err == nil {
		t.Fatal("a merge of a missing part succeeded")
	}
	after, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if before.Checksum() != after.Checksum() || len(after.Provenance) != 1 {
		t.Error("a failed merge changed the zoo")
	}
	if files := zooFiles(t, dir); len(files) != 3 {
		t.Errorf("zoo files after a failed merge: %v", files)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := MergeParts(ctx, dir, mergeModels([]string{part}, []string{""}), Provenance{}); err != context.Canceled {
		t.Errorf("cancelled merge: err = %v, want context.Canceled", err)
	}
}
