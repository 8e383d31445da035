package card

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// sampleIndex is index.json of hub-fixtures/cards/real-model-index-sample:
// 439 real cards with the rows huggingface_hub's flattening rules give under
// PyYAML (eval_rows is null when the card has no front matter, its YAML does
// not parse, or model-index is not a list).
type sampleIndex struct {
	Files []struct {
		File     string         `json:"file"`
		Category string         `json:"category"`
		EvalRows *[]expectedRow `json:"eval_rows"`
	} `json:"files"`
}

type expectedRow struct {
	ModelName     *string `json:"model_name"`
	TaskType      *string `json:"task_type"`
	DatasetType   *string `json:"dataset_type"`
	DatasetName   *string `json:"dataset_name"`
	DatasetConfig *string `json:"dataset_config"`
	DatasetSplit  *string `json:"dataset_split"`
	MetricType    *string `json:"metric_type"`
	MetricName    *string `json:"metric_name"`
	MetricValue   any     `json:"metric_value"` // json.Number, string or null
	Verified      *bool   `json:"verified"`
}

func loadSampleIndex(tb testing.TB) (dir string, idx sampleIndex) {
	tb.Helper()
	dir = fixturePath(tb, "cards", "real-model-index-sample")
	f, err := os.Open(filepath.Join(dir, "index.json"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.UseNumber()
	if err := dec.Decode(&idx); err != nil {
		tb.Fatalf("decode index.json: %v", err)
	}
	return dir, idx
}

// TestRealModelIndexSample parses every card of the real sample and compares
// its rows with index.json field by field.
func TestRealModelIndexSample(t *testing.T) {
	dir, idx := loadSampleIndex(t)
	if len(idx.Files) != 439 {
		t.Errorf("index.json lists %d cards, want 439", len(idx.Files))
	}
	match, rows := 0, 0
	for _, f := range idx.Files {
		readme, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.File)))
		if err != nil {
			t.Fatal(err)
		}
		md, err := Parse(readme, DefaultOptions())
		var diffs []string
		switch {
		case f.Category == "yaml_error":
			if !errors.Is(err, ErrInvalid) {
				diffs = append(diffs, fmt.Sprintf("Parse error = %v, want ErrInvalid", err))
			}
		case err != nil:
			diffs = append(diffs, fmt.Sprintf("Parse error = %v, want nil", err))
		}
		var got []EvalRow
		if md != nil {
			got = md.ModelIndex
		}
		diffs = append(diffs, compareRows(got, f.EvalRows)...)
		if len(diffs) == 0 {
			match++
			if got != nil {
				rows += len(got)
			}
			continue
		}
		if len(diffs) > 5 {
			diffs = append(diffs[:5], fmt.Sprintf("... %d more", len(diffs)-5))
		}
		t.Errorf("%s (%s):\n\t%s", f.File, f.Category, strings.Join(diffs, "\n\t"))
	}
	t.Logf("%d of %d real cards match index.json exactly (%d eval rows)", match, len(idx.Files), rows)
}

// compareRows compares rows with the expected ones; want nil means the card
// gives no rows at all (no front matter, broken YAML, model-index not a list).
func compareRows(got []EvalRow, want *[]expectedRow) []string {
	if want == nil {
		if got != nil {
			return []string{fmt.Sprintf("got %d rows (non-nil), want none (null)", len(got))}
		}
		return nil
	}
	if got == nil {
		return []string{fmt.Sprintf("got nil rows, want %d", len(*want))}
	}
	if len(got) != len(*want) {
		return []string{fmt.Sprintf("got %d rows, want %d", len(got), len(*want))}
	}
	var diffs []string
	for i, w := range *want {
		g := got[i]
		field := func(name, got string, want *string) {
			wv := ""
			if want != nil {
				wv = *want
			}
			if got != wv {
				diffs = append(diffs, fmt.Sprintf("row %d %s: got %q, want %q", i, name, got, wv))
			}
		}
		field("ModelName", g.ModelName, w.ModelName)
		field("TaskType", g.TaskType, w.TaskType)
		field("DatasetType", g.DatasetType, w.DatasetType)
		field("DatasetName", g.DatasetName, w.DatasetName)
		field("DatasetConfig", g.DatasetConfig, w.DatasetConfig)
		field("DatasetSplit", g.DatasetSplit, w.DatasetSplit)
		field("MetricType", g.MetricType, w.MetricType)
		field("MetricName", g.MetricName, w.MetricName)
		if wv := w.Verified != nil && *w.Verified; g.Verified != wv {
			diffs = append(diffs, fmt.Sprintf("row %d Verified: got %v, want %v", i, g.Verified, wv))
		}
		diffs = append(diffs, compareValue(i, g, w.MetricValue)...)
	}
	return diffs
}

// compareValue checks Value and ValueRaw against the expected metric_value:
// a number must equal Value, with ValueRaw its text as written (so it
// resolves to the same number); a string must equal ValueRaw, with Value the
// number it spells or NaN.
func compareValue(i int, g EvalRow, want any) []string {
	var diffs []string
	switch w := want.(type) {
	case json.Number:
		wf, err := strconv.ParseFloat(string(w), 64)
		if err != nil {
			return []string{fmt.Sprintf("row %d: bad expected number %q", i, w)}
		}
		if g.Value != wf {
			diffs = append(diffs, fmt.Sprintf("row %d Value: got %v, want %v", i, g.Value, wf))
		}
		if parseNumber(g.ValueRaw) != wf {
			diffs = append(diffs, fmt.Sprintf("row %d ValueRaw: got %q, which is not %v", i, g.ValueRaw, w))
		}
	case string:
		if g.ValueRaw != w {
			diffs = append(diffs, fmt.Sprintf("row %d ValueRaw: got %q, want %q", i, g.ValueRaw, w))
		}
		wf := parseNumber(w)
		if !(g.Value == wf || math.IsNaN(g.Value) && math.IsNaN(wf)) {
			diffs = append(diffs, fmt.Sprintf("row %d Value: got %v, want %v (from %q)", i, g.Value, wf, w))
		}
	case nil:
		if g.ValueRaw != "" || !math.IsNaN(g.Value) {
			diffs = append(diffs, fmt.Sprintf("row %d value: got %v (%q), want NaN (\"\")", i, g.Value, g.ValueRaw))
		}
	default:
		diffs = append(diffs, fmt.Sprintf("row %d: unexpected metric_value type %T", i, want))
	}
	return diffs
}
