package textbench_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/zoograph/zoograph/internal/textbench"
	"github.com/zoograph/zoograph/pipeline/transfergraph"
)

// out is where TestWriteImports writes the benchmark instead of a
// temporary directory, for a full run by hand (README, "Results on the
// text benchmark layout"):
//
//	go test ./internal/textbench -run WriteImports -out /tmp/text
var out = flag.String("out", "", "write the benchmark to this directory (default: a temporary one)")

// TestWriteImports writes the benchmark and imports it: the importer reads
// the text layout, skips the four fragments and nothing else, and the
// counts are the published benchmark's within a few percent.
func TestWriteImports(t *testing.T) {
	dir := *out
	if dir == "" {
		dir = t.TempDir()
	}
	truth, err := textbench.Write(dir, textbench.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	tables, rep, err := transfergraph.Import(context.Background(), dir, transfergraph.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Task != transfergraph.TaskText {
		t.Errorf("task %q, want %q", rep.Task, transfergraph.TaskText)
	}
	for _, p := range rep.Problems {
		t.Logf("problem: %v (%s)", p, p.Kind)
	}
	if len(rep.Problems) != truth.Fragments {
		t.Errorf("%d problems, want the %d fragments", len(rep.Problems), truth.Fragments)
	}
	t.Logf("rows %d, counts %v, LoRA-best %d/%d (offensive), repeated %v", truth.Rows, rep.Counts,
		len(truth.LoRABest["tweet_eval/offensive"]), 0, truth.Repeated)
	if got, want := len(tables.Finetunes), truth.Rows-truth.Fragments; got != want {
		t.Errorf("%d finetunes, want %d", got, want)
	}
	if _, err := os.Stat(filepath.Join(dir, textbench.FileLegacy)); err != nil {
		t.Error(err)
	}
}
