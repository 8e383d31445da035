package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/google/go-cmp/cmp"
)

// keysOf renders rows with key, sorted.
func keysOf[T any](rows []T, key func(T) string) []string {
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, key(r))
	}
	slices.Sort(out)
	return out
}

// scoreKeys renders scores as "source model dataset method score", sorted.
func scoreKeys(rows []Score) []string {
	return keysOf(rows, func(r Score) string {
		return fmt.Sprintf("%s %s %s %s %g", r.Source, r.ModelID, r.DatasetID, r.Method, r.Score)
	})
}

// distanceKeys renders distances as "source a b method distance", sorted.
func distanceKeys(rows []DatasetDistance) []string {
	return keysOf(rows, func(r DatasetDistance) string {
		return fmt.Sprintf("%s %s %s %s %g", r.Source, r.DatasetA, r.DatasetB, r.Method, r.Distance)
	})
}

// scoresAndDistances returns a source's scores of models on "dtd" (scored
// by value) and distances between the pairs of datasets named "a-b".
func scoresAndDistances(src string, score float64, models []string, pairs ...[2]string) *Tables {
	t := &Tables{Scores: []Score{}, DatasetDistances: []DatasetDistance{}}
	for _, m := range models {
		t.Scores = append(t.Scores, Score{ModelID: m, DatasetID: "dtd", Method: "logme", Score: score, RuntimeSeconds: math.NaN(), Source: src})
	}
	for _, p := range pairs {
		t.DatasetDistances = append(t.DatasetDistances, DatasetDistance{DatasetA: p[0], DatasetB: p[1], Distance: score, Method: "probe", Source: src})
	}
	return t
}

// readZooFiles reads the scores and dataset_distances files the manifest
// of dir names, as files (no attribution of old rows).
func readZooFiles(t *testing.T, dir string) ([]Score, []DatasetDistance) {
	t.Helper()
	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	scores, err := ReadFile[Score](m.TablePath(dir, TableScores))
	if err != nil {
		t.Fatal(err)
	}
	dists, err := ReadFile[DatasetDistance](m.TablePath(dir, TableDatasetDistances))
	if err != nil {
		t.Fatal(err)
	}
	return scores, dists
}

// TestMergeZooScoresBySource re-imports a subset of a source: its scores
// and distances the subset lacks are gone from the files, another source's
// rows stay, those of the same keys too.
func TestMergeZooScoresBySource(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "zoo")
	merge := func(tb *Tables, src string) []Merged {
		t.Helper()
		got, err := MergeZoo(t.Context(), dir, tb, Provenance{Source: src})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	merge(scoresAndDistances("bench", 0.5, []string{"m1", "m2", "m3"}, [2]string{"a", "b"}, [2]string{"b", "a"}, [2]string{"a", "c"}), "bench")
	merge(scoresAndDistances("other", 9, []string{"m1", "m9"}, [2]string{"a", "b"}), "other")
	got := merge(scoresAndDistances("bench", 0.7, []string{"m1"}, [2]string{"a", "b"}), "bench")

	want := []Merged{
		{Table: TableScores, Kept: 2, Replaced: 3, Added: 1},
		{Table: TableDatasetDistances, Kept: 1, Replaced: 3, Added: 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("re-import (-want +got):\n%s", diff)
	}
	scores, dists := readZooFiles(t, dir)
	wantScores := []string{"bench m1 dtd logme 0.7", "other m1 dtd logme 9", "other m9 dtd logme 9"}
	if diff := cmp.Diff(wantScores, scoreKeys(scores)); diff != "" {
		t.Errorf("scores file (-want +got):\n%s", diff)
	}
	wantDists := []string{"bench a b probe 0.7", "other a b probe 9"}
	if diff := cmp.Diff(wantDists, distanceKeys(dists)); diff != "" {
		t.Errorf("dataset_distances file (-want +got):\n%s", diff)
	}
	checkVerify(t, dir)
}

// writeSchema1Table writes the file of a scores or dataset_distances table
// as zoograph wrote it before schema 2: no source column, version 1 in its
// metadata (version "" leaves the metadata out, as other programs do).
func writeSchema1Table(t *testing.T, path, table, version string, rows [][]string) {
	t.Helper()
	var names []string
	var types []arrow.DataType
	switch table {
	case TableScores:
		names = []string{"model_id", "dataset_id", "method", "score", "runtime_seconds"}
		types = []arrow.DataType{arrow.BinaryTypes.String, arrow.BinaryTypes.String, arrow.BinaryTypes.String, arrow.PrimitiveTypes.Float64, arrow.PrimitiveTypes.Float64}
	case TableDatasetDistances:
		names = []string{"dataset_a", "dataset_b", "distance", "method"}
		types = []arrow.DataType{arrow.BinaryTypes.String, arrow.BinaryTypes.String, arrow.PrimitiveTypes.Float64, arrow.BinaryTypes.String}
	default:
		t.Fatalf("no schema 1 layout for %s", table)
	}
	fields := make([]arrow.Field, len(names))
	for i := range names {
		fields[i] = arrow.Field{Name: names[i], Type: types[i], Nullable: names[i] == "runtime_seconds"}
	}
	var md *arrow.Metadata
	if version != "" {
		m := arrow.NewMetadata([]string{metaTable, metaSchemaVersion}, []string{table, version})
		md = &m
	}
	writeForeign(t, path, arrow.NewSchema(fields, md), func(b *array.RecordBuilder) {
		for _, row := range rows {
			for i, v := range row {
				switch fb := b.Field(i).(type) {
				case *array.StringBuilder:
					fb.Append(v)
				case *array.Float64Builder:
					var f float64
					if _, err := fmt.Sscan(v, &f); err != nil {
						t.Fatal(err)
					}
					fb.Append(f)
				}
			}
		}
	})
}

// writeSchema1Zoo writes a zoo as zoograph wrote it before schema 2: the
// scores and distances tables without a source column, written by the
// sources provs name.
func writeSchema1Zoo(t *testing.T, dir string, scores, dists [][]string, provs ...Provenance) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	m := &Manifest{SchemaVersion: 1, CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC(), Provenance: provs, Tables: map[string]TableInfo{}}
	for table, rows := range map[string][][]string{TableScores: scores, TableDatasetDistances: dists} {
		file := table + ".parquet"
		writeSchema1Table(t, filepath.Join(dir, file), table, "1", rows)
		sum, size, err := hashFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		m.Tables[table] = TableInfo{File: file, Rows: int64(len(rows)), Bytes: size, SHA256: sum, WrittenAt: m.UpdatedAt}
	}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

var (
	schema1Scores = [][]string{{"m1", "dtd", "logme", "0.5", "1"}, {"m2", "dtd", "logme", "0.5", "1"}}
	schema1Dists  = [][]string{{"a", "b", "0.5", "probe"}, {"b", "a", "0.5", "probe"}}
	benchProv     = Provenance{Source: "bench", Tables: []string{TableScores, TableDatasetDistances}}
)

// TestReadSchema1Zoo reads a zoo written before scores and distances had a
// source column: its rows get the source of the one import that wrote
// them, and the next import of that source replaces them.
func TestReadSchema1Zoo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "zoo")
	hub := Provenance{Source: "hub", Tables: []string{TableModels}}
	writeSchema1Zoo(t, dir, schema1Scores, schema1Dists, hub, benchProv)

	// The files read as they are, source empty; the zoo gives the rows
	// their source; a projection without source is not filled.
	files, fileDists := readZooFiles(t, dir)
	if diff := cmp.Diff([]string{" m1 dtd logme 0.5", " m2 dtd logme 0.5"}, scoreKeys(files)); diff != "" {
		t.Errorf("schema 1 scores file (-want +got):\n%s", diff)
	}
	if len(fileDists) != 2 || fileDists[0].Source != "" {
		t.Errorf("schema 1 distances file: %+v, want 2 rows without source", fileDists)
	}
	tables, _ := mustReadZoo(t, dir)
	if diff := cmp.Diff([]string{"bench m1 dtd logme 0.5", "bench m2 dtd logme 0.5"}, scoreKeys(tables.Scores)); diff != "" {
		t.Errorf("ReadZoo scores (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"bench a b probe 0.5", "bench b a probe 0.5"}, distanceKeys(tables.DatasetDistances)); diff != "" {
		t.Errorf("ReadZoo distances (-want +got):\n%s", diff)
	}
	ids, err := ReadTable[Score](dir, "model_id")
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || ids[0].Source != "" {
		t.Errorf("ReadTable(model_id): %+v, want 2 rows, source not read", ids)
	}
	only, err := ReadTable[Score](dir, "source")
	if err != nil {
		t.Fatal(err)
	}
	if len(only) != 2 || only[0].Source != "bench" {
		t.Errorf("ReadTable(source): %+v, want 2 rows of source bench", only)
	}

	// Re-importing a subset of the source: its stale rows are gone, the
	// zoo is schema 2 and its files hold the column.
	if _, err := MergeZoo(t.Context(), dir, scoresAndDistances("bench", 0.7, []string{"m1"}, [2]string{"a", "b"}), Provenance{Source: "bench"}); err != nil {
		t.Fatal(err)
	}
	scores, dists := readZooFiles(t, dir)
	if diff := cmp.Diff([]string{"bench m1 dtd logme 0.7"}, scoreKeys(scores)); diff != "" {
		t.Errorf("scores after re-import (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"bench a b probe 0.7"}, distanceKeys(dists)); diff != "" {
		t.Errorf("distances after re-import (-want +got):\n%s", diff)
	}
	if m, err := ReadManifest(dir); err != nil || m.SchemaVersion != SchemaVersion {
		t.Errorf("manifest after the merge: %v, %v; want schema %d", m, err, SchemaVersion)
	}
	checkVerify(t, dir)
}

// TestReadSchema1ZooOfSeveralSources reads a schema 1 zoo whose scores and
// distances two sources wrote: its rows are LegacySource's, an import of
// another source keeps them, and a merge replaces them by key.
func TestReadSchema1ZooOfSeveralSources(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "zoo")
	writeSchema1Zoo(t, dir, schema1Scores, schema1Dists, benchProv, Provenance{Source: "other"})
	tables, _ := mustReadZoo(t, dir)
	for _, s := range tables.Scores {
		if s.Source != LegacySource {
			t.Errorf("score %+v: want source %q", s, LegacySource)
		}
	}
	if _, err := MergeZoo(t.Context(), dir, scoresAndDistances("bench", 0.7, []string{"m1"}, [2]string{"a", "b"}), Provenance{Source: "bench"}); err != nil {
		t.Fatal(err)
	}
	scores, dists := readZooFiles(t, dir)
	if diff := cmp.Diff([]string{"bench m1 dtd logme 0.7", "legacy m2 dtd logme 0.5"}, scoreKeys(scores)); diff != "" {
		t.Errorf("scores (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"bench a b probe 0.7", "legacy b a probe 0.5"}, distanceKeys(dists)); diff != "" {
		t.Errorf("distances (-want +got):\n%s", diff)
	}
	checkVerify(t, dir)
}

// TestReadFileWithoutSource reads scores files without a source column: a
// schema 1 file or one without zoograph's metadata reads, a file that says
// it is schema 2 is missing a column.
func TestReadFileWithoutSource(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		version string
		ok      bool
	}{{"1", true}, {"", true}, {"2", false}} {
		t.Run("version "+tt.version, func(t *testing.T) {
			path := filepath.Join(dir, "scores-"+tt.version+".parquet")
			writeSchema1Table(t, path, TableScores, tt.version, schema1Scores)
			rows, err := ReadFile[Score](path)
			var se *SchemaError
			switch {
			case tt.ok && err != nil:
				t.Fatalf("ReadFile: %v", err)
			case tt.ok:
				if diff := cmp.Diff([]string{" m1 dtd logme 0.5", " m2 dtd logme 0.5"}, scoreKeys(rows)); diff != "" {
					t.Errorf("rows (-want +got):\n%s", diff)
				}
			case !errors.As(err, &se) || se.Column != "source":
				t.Errorf("ReadFile: %v, want a *SchemaError for the missing column source", err)
			}
			var n int
			err = Scan(path, func(batch []Score) error { n += len(batch); return nil }, "source")
			if tt.ok && (err != nil || n != 2) {
				t.Errorf("Scan(source): %d rows, %v; want 2 rows", n, err)
			}
		})
	}
}

// TestLegacySource checks the source a schema 1 table's rows take from the
// manifest, whatever the order of its writes.
func TestLegacySource(t *testing.T) {
	scores := []string{TableScores}
	for _, tt := range []struct {
		name string
		prov []Provenance
		want string
	}{
		{"one import", []Provenance{{Source: "bench", Tables: scores}}, "bench"},
		{"a crawl of other tables beside it", []Provenance{{Source: "hub", Tables: []string{TableModels}}, {Source: "bench", Tables: scores}}, "bench"},
		{"two imports", []Provenance{{Source: "bench", Tables: scores}, {Source: "other", Tables: scores}}, LegacySource},
		{"an old write naming no tables", []Provenance{{Source: "bench", Tables: scores}, {Source: "hub"}}, LegacySource},
		{"a write of no source, first", []Provenance{{Tables: scores}, {Source: "bench", Tables: scores}}, LegacySource},
		{"a write of no source, last", []Provenance{{Source: "bench", Tables: scores}, {Tables: scores}}, LegacySource},
		{"no write", nil, LegacySource},
	} {
		if got := legacySource(&Manifest{Provenance: tt.prov}, TableScores); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
