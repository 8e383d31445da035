package textbench_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/zoograph/zoograph/pipeline/transfergraph"
	"github.com/zoograph/zoograph/pipeline/transfergraph/textbench"
)

// out is where TestWriteImports writes the benchmark instead of a
// temporary directory, for a full run by hand (README, "Results on the
// text benchmark layout"):
//
//	go test ./pipeline/transfergraph/textbench -run WriteImports -out /tmp/text
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
	t.Logf("rows %d, counts %v, LoRA-best on offensive %d, repeated %v", truth.Rows, rep.Counts,
		len(truth.LoRABest["tweet_eval/offensive"]), truth.Repeated)
	if got, want := len(tables.Finetunes), truth.Rows-truth.Fragments; got != want {
		t.Errorf("%d finetunes, want %d", got, want)
	}
	// The published scale (research §1.2): 164 models, 3,194 rows of which
	// 1,433 LoRA, repeated full runs mostly on offensive, irony and hate.
	if len(truth.Models) != 164 || truth.Rows < 2900 || truth.Rows > 3500 {
		t.Errorf("%d models, %d rows; want 164 and about 3,200", len(truth.Models), truth.Rows)
	}
	if n := rep.Counts["finetunes_lora"]; n < 1200 || n > 1700 {
		t.Errorf("%d LoRA runs, want about 1,430", n)
	}
	r := truth.Repeated
	if !(r["tweet_eval/offensive"] > r["tweet_eval/irony"] && r["tweet_eval/irony"] > r["tweet_eval/hate"] && r["tweet_eval/hate"] > r["tweet_eval/sentiment"]) {
		t.Errorf("repeated runs %v, want offensive > irony > hate > sentiment", r)
	}
	// The legacy gpt2 matrix is written, and not read.
	if _, err := os.Stat(filepath.Join(dir, textbench.FileLegacy)); err != nil {
		t.Error(err)
	}
	if n := len(tables.DatasetDistances); n != 23*22 {
		t.Errorf("%d distances, want the 23×22 of the gpt-neo matrix", n)
	}
	for _, d := range tables.DatasetDistances {
		if d.Distance >= 100 {
			t.Errorf("distance %+v is the legacy matrix's", d)
			break
		}
	}
}
