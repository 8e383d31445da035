package store

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/apache/arrow/go/v15/parquet/schema"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// schemaText renders T's Arrow schema and the Parquet schema of a file
// written with it, read back from the file.
func schemaText[T Row](t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, TableName[T]()+".parquet")
	mustWrite(t, path, make([]T, 1))
	pf := mustOpenParquet(t, path)
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\nArrow:\n%s\n\nParquet:\n", TableName[T](), Schema[T]())
	schema.PrintSchema(pf.MetaData().Schema.Root(), &b, 2)
	return b.String()
}

// TestSchemaGolden pins every table's schema; run with -update after a
// deliberate change (and bump SchemaVersion if a column changed type or
// name).
func TestSchemaGolden(t *testing.T) {
	dir := t.TempDir()
	got := strings.Join([]string{
		schemaText[Model](t, dir), schemaText[Dataset](t, dir), schemaText[Card](t, dir),
		schemaText[Eval](t, dir), schemaText[Finetune](t, dir), schemaText[Score](t, dir),
		schemaText[DatasetDistance](t, dir), schemaText[ReferenceResult](t, dir),
		schemaText[Prediction](t, dir), schemaText[Metric](t, dir),
	}, "\n")
	golden := filepath.Join("testdata", "schema.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestSchemaGolden -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("schemas differ from %s (-want +got); rerun with -update if intended:\n%s", golden, diff)
	}
}

// snake converts a Go field name to its column name: ModelID -> model_id,
// DownloadsAllTime -> downloads_all_time, HubOID -> hub_oid, ETag -> etag.
func snake(name string) string {
	special := map[string]string{"ETag": "etag", "SHA": "sha", "HubOID": "hub_oid"}
	if s, ok := special[name]; ok {
		return s
	}
	var b strings.Builder
	rs := []rune(name)
	for i, r := range rs {
		if unicode.IsUpper(r) {
			// Start a word at a lower->upper edge or before the last upper
			// of an acronym followed by a lower (IDs, URLs).
			if i > 0 && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1]))) {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func checkColumns[T Row](t *testing.T) {
	t.Helper()
	typ := reflect.TypeFor[T]()
	var want []string
	for i := 0; i < typ.NumField(); i++ {
		want = append(want, snake(typ.Field(i).Name))
	}
	if diff := cmp.Diff(want, Columns[T]()); diff != "" {
		t.Errorf("columns of %s are not the snake_case fields of %s in order (-want +got):\n%s", TableName[T](), typ.Name(), diff)
	}
}

// TestColumnsCoverEveryField checks that each table has one column per
// field of its row type, in field order, named in snake_case.
func TestColumnsCoverEveryField(t *testing.T) {
	checkColumns[Model](t)
	checkColumns[Dataset](t)
	checkColumns[Card](t)
	checkColumns[Eval](t)
	checkColumns[Finetune](t)
	checkColumns[Score](t)
	checkColumns[DatasetDistance](t)
	checkColumns[ReferenceResult](t)
	checkColumns[Prediction](t)
	checkColumns[Metric](t)
	names := []string{
		TableName[Model](), TableName[Dataset](), TableName[Card](), TableName[Eval](), TableName[Finetune](),
		TableName[Score](), TableName[DatasetDistance](), TableName[ReferenceResult](), TableName[Prediction](), TableName[Metric](),
	}
	if diff := cmp.Diff(TableNames(), names); diff != "" {
		t.Errorf("TableNames vs TableName (-want +got):\n%s", diff)
	}
}

// TestImportsNothingOfOurs keeps store a leaf: it imports no other package
// of the module.
func TestImportsNothingOfOurs(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command(gobin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	const module = "github.com/zoograph/zoograph"
	for _, pkg := range strings.Fields(string(bytes.TrimSpace(out))) {
		if (pkg == module || strings.HasPrefix(pkg, module+"/")) && pkg != module+"/store" {
			t.Errorf("store depends on %s; it must import nothing of %s", pkg, module)
		}
	}
}
