package crawler_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/zoograph/zoograph/crawler"
	"github.com/zoograph/zoograph/crawler/hub"
	"github.com/zoograph/zoograph/crawler/hubtest"
	"github.com/zoograph/zoograph/store"
	"github.com/zoograph/zoograph/store/storetest"
)

// realRow is an expected eval row of index.json (hub-fixtures/cards/
// real-model-index-sample): the model-index flattened by huggingface_hub's
// rules under PyYAML.
type realRow struct {
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

// TestCrawlRealCards crawls, with --cards, a replica serving the 439 real
// model cards of the shared sample under the repo ids their file names
// give, reads the evals table back from Parquet, and checks it row by row
// against index.json: every card's rows, in card order, with its fields as
// written, value_raw as written and value the number (an accuracy as a
// fraction, null where it cannot be one); none for a card without front
// matter, with broken YAML or a model-index that is not a list. Ids that
// are not valid repo ids are left out and counted.
func TestCrawlRealCards(t *testing.T) {
	dir := storetest.Shared(t, "hub-fixtures/cards/real-model-index-sample")
	var idx struct {
		Files []struct {
			File     string     `json:"file"`
			RepoID   string     `json:"guessed_repo_id"`
			Category string     `json:"category"`
			EvalRows *[]realRow `json:"eval_rows"`
		} `json:"files"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	if err := dec.Decode(&idx); err != nil {
		t.Fatal(err)
	}
	h := hubtest.New(hubtest.Options{Seed: 1})
	want := map[string][]realRow{} // by repo id; the last card of an id wins, as in the replica
	invalid := 0
	categories := map[string]int64{}
	for _, f := range idx.Files {
		if hub.ValidateRepoID(f.RepoID) != nil {
			invalid++
			continue
		}
		readme, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.File)))
		if err != nil {
			t.Fatal(err)
		}
		if err := h.AddModel(hubtest.Repo{ID: f.RepoID, Card: readme}); err != nil {
			t.Fatal(err)
		}
		want[f.RepoID] = nil
		categories[f.Category]++
		if f.EvalRows != nil {
			want[f.RepoID] = *f.EvalRows
		}
	}
	out := t.TempDir()
	opt := crawler.DefaultOptions(crawler.KindModels, out)
	opt.Client, opt.Cards, opt.Logger = newClient(t, startHub(t, h), "", hub.Quota{}, 4), true, testLogger(t)
	sum, err := crawler.Crawl(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Listed != int64(len(want)) || sum.Cards != int64(len(want)) {
		t.Errorf("listed %d repos and stored %d cards, want %d of each", sum.Listed, sum.Cards, len(want))
	}
	// A card whose YAML does not parse fails; a model-index of an odd
	// shape is left out with its reasons.
	if n, w := sum.Failures["card_invalid"], categories["yaml_error"]; n != w {
		t.Errorf("card_invalid failures %d, want the %d cards with broken YAML", n, w)
	}
	if n, w := sum.Skipped["card_odd_shape"], categories["model_index_not_list"]+categories["model_index_malformed_entries"]; n != w {
		t.Errorf("card_odd_shape %d, want the %d cards whose model-index is not a list or has malformed entries", n, w)
	}
	got := map[string][]store.Eval{}
	for _, e := range readZoo(t, out).Evals {
		got[e.ModelID] = append(got[e.ModelID], e)
	}
	rows := 0
	for id, w := range want {
		g := got[id]
		if len(g) != len(w) {
			t.Errorf("%s: %d eval rows, want %d", id, len(g), len(w))
			continue
		}
		for i := range w {
			for _, diff := range compareReal(g[i], w[i]) {
				t.Errorf("%s row %d: %s", id, i, diff)
			}
		}
		rows += len(w)
	}
	if len(got) > len(want) {
		t.Errorf("eval rows of %d models, want at most %d", len(got), len(want))
	}
	t.Logf("%d cards (%d ids left out as invalid), %d eval rows as index.json has them", len(want), invalid, rows)
}

// compareReal lists the differences of a stored eval row from an expected
// one.
func compareReal(g store.Eval, w realRow) []string {
	var diffs []string
	str := func(name, got string, want *string) {
		if want == nil {
			want = new(string)
		}
		if got != *want {
			diffs = append(diffs, name+": got "+strconv.Quote(got)+", want "+strconv.Quote(*want))
		}
	}
	str("task_type", g.TaskType, w.TaskType)
	str("dataset_type", g.DatasetType, w.DatasetType)
	str("dataset_name", g.DatasetName, w.DatasetName)
	str("dataset_config", g.DatasetConfig, w.DatasetConfig)
	str("dataset_split", g.DatasetSplit, w.DatasetSplit)
	str("metric_type", g.MetricType, w.MetricType)
	str("metric_name", g.MetricName, w.MetricName)
	if v := w.Verified != nil && *w.Verified; g.Verified != v {
		diffs = append(diffs, "verified differs")
	}
	if g.Source != crawler.EvalSourceCard {
		diffs = append(diffs, "source "+g.Source)
	}
	// The number the card wrote: a JSON number, or a string that is one.
	num, raw := math.NaN(), ""
	switch v := w.MetricValue.(type) {
	case json.Number:
		num, _ = strconv.ParseFloat(string(v), 64)
		if f, err := strconv.ParseFloat(g.ValueRaw, 64); err != nil || f != num {
			diffs = append(diffs, "value_raw "+strconv.Quote(g.ValueRaw)+" is not "+string(v))
		}
	case string:
		raw = v
		if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
			num = f
		}
		if g.ValueRaw != raw {
			diffs = append(diffs, "value_raw "+strconv.Quote(g.ValueRaw)+", want "+strconv.Quote(raw))
		}
	}
	if isAccuracy(g) {
		if num > 1 && num <= 100 {
			num /= 100
		}
		if !(num >= 0 && num <= 1) {
			num = math.NaN()
		}
	}
	if !(g.Value == num || math.IsNaN(g.Value) && math.IsNaN(num)) {
		diffs = append(diffs, "value "+strconv.FormatFloat(g.Value, 'g', -1, 64)+", want "+strconv.FormatFloat(num, 'g', -1, 64))
	}
	return diffs
}

// isAccuracy: the metrics whose values the crawl stores as fractions.
func isAccuracy(e store.Eval) bool {
	for _, s := range []string{e.MetricType, e.MetricName} {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "accuracy", "acc", "top-1 accuracy", "top1 accuracy", "top1_accuracy", "top-1":
			return true
		}
	}
	return false
}
