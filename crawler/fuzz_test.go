package crawler

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/zoograph/zoograph/crawler/card"
	"github.com/zoograph/zoograph/crawler/hub"
)

// FuzzRows feeds arbitrary API JSON through the conversions: whatever the
// Hub sends, converting it never panics.
func FuzzRows(f *testing.F) {
	f.Add([]byte(vitJSON))
	f.Add([]byte(`{"id": "a/b", "cardData": {"datasets": "x", "model-index": {"name": 1}, "dataset_info": [{"splits": [{"num_examples": "7"}], "features": [{"dtype": {"class_label": {"names": ["a"]}}}]}]}}`))
	f.Add([]byte(`{"id": "a", "safetensors": {"parameters": {"F32": -5}}, "config": {"architectures": null}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var m hub.ModelInfo
		if json.Unmarshal(b, &m) == nil {
			md, _ := card.FromCardData(m.CardData)
			row := ModelRow(&m, md, time.Time{})
			if row.ModelID != m.ID || row.Source != SourceHub {
				t.Fatalf("row %+v", row)
			}
			if md != nil {
				EvalRows(m.ID, md.ModelIndex, EvalSourceCardData)
			}
		}
		var d hub.DatasetInfo
		if json.Unmarshal(b, &d) == nil {
			md, _ := card.FromCardData(d.CardData)
			if row := DatasetRow(&d, md, time.Time{}); row.NumExamples < 0 || row.NumClasses < 0 {
				t.Fatalf("row %+v", row)
			}
		}
	})
}

// FuzzLoadState checks that a damaged checkpoint is an error, never a
// panic or a state that lists parts out of order.
func FuzzLoadState(f *testing.F) {
	f.Add([]byte(`{"format": 1, "phase": "listing", "query": {"kind": "models"}, "parts": [{"seq": 1}]}`))
	f.Add([]byte(`{"format": 1, "phase": "compacting", "parts": [{"seq": 2}]}`))
	f.Add([]byte(`{"format": 2}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, stateFile), b, 0o644); err != nil {
			t.Fatal(err)
		}
		st, err := loadState(dir)
		if err != nil {
			return
		}
		if st == nil || st.Format != stateFormat {
			t.Fatalf("loaded %+v", st)
		}
		for i, p := range st.Parts {
			if p.Seq != i+1 {
				t.Fatalf("part %d has seq %d", i, p.Seq)
			}
		}
	})
}

func TestCheckpointRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if st, err := loadState(dir); st != nil || err != nil {
		t.Fatalf("empty dir: %v, %v", st, err)
	}
	want := &state{Format: stateFormat, Phase: phaseListing, Cursor: "http://127.0.0.1:1/api/models?cursor=x",
		Query: query{Kind: KindModels, Sort: SortCreated, Expand: []string{"author"}, PageSize: 10},
		Parts: []part{{Seq: 1, Repos: 5, Evals: 2}}, Counts: counts{Pages: 1, Listed: 5, Repos: 5, Failures: map[string]int64{"server": 1}}}
	if err := want.save(dir); err != nil {
		t.Fatal(err)
	}
	got, err := loadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.Cursor != want.Cursor || len(got.Parts) != 1 || got.Parts[0] != want.Parts[0] || got.Counts.Failures["server"] != 1 {
		t.Errorf("got %+v", got)
	}
	// A part listed by the checkpoint but missing on disk is an error; a
	// file the checkpoint does not list is swept.
	if err := sweepState(dir, got, "models"); err == nil {
		t.Error("sweep: want an error for the missing part")
	}
	for _, name := range []string{"models-000001.arrow", "evals-000001.arrow", "models-000002.arrow", "models-000001.parquet", ".state.json.tmp-1"} {
		os.WriteFile(filepath.Join(dir, name), nil, 0o644)
	}
	if err := sweepState(dir, got, "models"); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 3 {
		t.Errorf("after sweep: %v, want state and part 1", names)
	}
}
