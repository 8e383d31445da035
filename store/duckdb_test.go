package store

import (
	"encoding/json"
	"math"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// duckColumn is what testdata/duckdb_check.cjs reports for one column.
type duckColumn struct {
	Name string            `json:"name"`
	Type string            `json:"type"`
	Aggs map[string]string `json:"aggs"`
}

// expectDuck computes, from the Go rows, the DuckDB type and the aggregates
// duckdb_check.cjs reports for every column of T's table.
func expectDuck[T Row](rows []T) []duckColumn {
	schema := Schema[T]()
	var cols []duckColumn
	for i := 0; i < schema.NumFields(); i++ {
		f := schema.Field(i)
		n := int64(0)
		sum, bytes, elems, nan, inf, trues := new(big.Int), int64(0), int64(0), 0, 0, 0
		var typ string
		for r := range rows {
			v := reflect.ValueOf(&rows[r]).Elem().Field(i).Interface()
			switch v := v.(type) {
			case string:
				typ = "VARCHAR"
				if !f.Nullable || v != "" {
					n++
				}
				bytes += int64(len(v))
			case int64:
				typ = "BIGINT"
				if !f.Nullable || v != 0 {
					n++
				}
				sum.Add(sum, big.NewInt(v))
			case *int64:
				typ = "BIGINT"
				if v != nil {
					n++
					sum.Add(sum, big.NewInt(*v))
				}
			case float64:
				typ = "DOUBLE"
				switch {
				case math.IsNaN(v) && f.Nullable:
				case math.IsNaN(v):
					n++
					nan++
				default:
					n++
					if math.IsInf(v, 0) {
						inf++
					}
				}
			case bool:
				typ = "BOOLEAN"
				n++
				if v {
					trues++
				}
			case time.Time:
				typ = "TIMESTAMP WITH TIME ZONE"
				if !f.Nullable || !v.IsZero() {
					n++
					sum.Add(sum, big.NewInt(v.UnixMicro()))
				}
			case []string:
				typ = "VARCHAR[]"
				n++
				elems += int64(len(v))
				for _, s := range v {
					bytes += int64(len(s))
				}
			}
		}
		aggs := map[string]string{"count": strconv.FormatInt(n, 10)}
		switch typ {
		case "VARCHAR":
			aggs["bytes"] = strconv.FormatInt(bytes, 10)
		case "BIGINT", "TIMESTAMP WITH TIME ZONE":
			aggs["sum"] = sum.String()
		case "DOUBLE":
			aggs["nan"], aggs["inf"] = strconv.Itoa(nan), strconv.Itoa(inf)
		case "BOOLEAN":
			aggs["true"] = strconv.Itoa(trues)
		case "VARCHAR[]":
			aggs["elements"], aggs["bytes"] = strconv.FormatInt(elems, 10), strconv.FormatInt(bytes, 10)
		}
		cols = append(cols, duckColumn{Name: f.Name, Type: typ, Aggs: aggs})
	}
	return cols
}

// TestDuckDBReadsEveryTable has DuckDB, an independent Parquet reader, read
// a file of every table and checks each column's type, null count and
// content aggregates against the Go rows. It runs only where node and the
// @duckdb/node-api package are installed (npm install @duckdb/node-api, then
// point NODE_PATH at its node_modules); otherwise it skips.
func TestDuckDBReadsEveryTable(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("skipping: node not installed (the DuckDB check runs on Node with @duckdb/node-api)")
	}
	if err := exec.Command(node, "-e", "require('@duckdb/node-api')").Run(); err != nil {
		t.Skip("skipping: @duckdb/node-api not found on NODE_PATH (npm install @duckdb/node-api; export NODE_PATH=.../node_modules)")
	}
	dir := t.TempDir()
	want := map[string][]duckColumn{}
	var files []string
	add := func(name string, write func(path string) error, cols []duckColumn) {
		path := filepath.Join(dir, name+".parquet")
		if err := write(path); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
		want[path] = cols
	}
	const n = 3000 // more than one page; 64K-row groups keep it one group
	models, datasets, cards := sampleModels(n, 1), sampleDatasets(n, 2), sampleCards(n, 3)
	evals, fts, scores := sampleEvals(n, 4), sampleFinetunes(n, 5), sampleScores(n, 6)
	dists, refs, preds, mets := sampleDistances(n, 7), sampleReferences(n, 8), samplePredictions(n, 9), sampleMetrics(n, 10)
	add("models", func(p string) error { return WriteFile(p, models) }, expectDuck(models))
	add("datasets", func(p string) error { return WriteFile(p, datasets) }, expectDuck(datasets))
	add("cards", func(p string) error { return WriteFile(p, cards) }, expectDuck(cards))
	add("evals", func(p string) error { return WriteFile(p, evals) }, expectDuck(evals))
	add("finetunes", func(p string) error { return WriteFile(p, fts) }, expectDuck(fts))
	add("scores", func(p string) error { return WriteFile(p, scores) }, expectDuck(scores))
	add("dataset_distances", func(p string) error { return WriteFile(p, dists) }, expectDuck(dists))
	add("reference_results", func(p string) error { return WriteFile(p, refs) }, expectDuck(refs))
	add("predictions", func(p string) error { return WriteFile(p, preds) }, expectDuck(preds))
	add("metrics", func(p string) error { return WriteFile(p, mets) }, expectDuck(mets))
	// Many row groups, as a streamed write makes them.
	big := sampleFinetunes(70_000, 11)
	add("finetunes_big", func(p string) error { return WriteFile(p, big) }, expectDuck(big))

	cmd := exec.Command(node, append([]string{filepath.Join("testdata", "duckdb_check.cjs")}, files...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("duckdb_check.cjs: %v", err)
	}
	var got map[string]struct {
		Rows    string       `json:"rows"`
		Columns []duckColumn `json:"columns"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("decode DuckDB output: %v\n%s", err, out)
	}
	for _, path := range files {
		g := got[path]
		if diff := cmp.Diff(want[path], g.Columns); diff != "" {
			t.Errorf("DuckDB's view of %s (-want +got):\n%s", filepath.Base(path), diff)
		}
		if wantRows := strconv.Itoa(n); filepath.Base(path) != "finetunes_big.parquet" && g.Rows != wantRows {
			t.Errorf("DuckDB counts %s rows in %s, want %s", g.Rows, filepath.Base(path), wantRows)
		}
	}
}
