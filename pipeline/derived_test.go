package pipeline

import (
	"math"
	"slices"
	"testing"

	"github.com/zoograph/zoograph/store"
)

func TestSourcesFromID(t *testing.T) {
	ids := []string{"mnli", "sst2", "rotten_tomatoes", "ag_news", "cb", "tweet_ev_hate", "x"}
	datasets := make([]store.Dataset, len(ids))
	for i, id := range ids {
		datasets[i] = store.Dataset{DatasetID: id}
	}
	names := newDatasetNames(datasets)
	for _, tc := range []struct {
		model string
		want  []string
	}{
		{"textattack/roberta-base-MNLI", []string{"mnli"}},
		{"org/bert-base-uncased-sst2", []string{"sst2"}},
		{"org/roberta-base-rotten-tomatoes", []string{"rotten_tomatoes"}},
		{"org/distilbert-agnews", []string{"ag_news"}},
		{"org/bert_ag_news_v2", []string{"ag_news"}},
		{"org/roberta-cb-mnli", []string{"mnli", "cb"}},
		{"mnli-lab/roberta-base", nil},     // the owner names nothing
		{"org/roberta-base-multinli", nil}, // no token is mnli
		{"org/sst2roberta", nil},           // a name inside a token is not a token
		{"org/bert-tweet-ev-hate", []string{"tweet_ev_hate"}},
		{"org/bert-x", nil}, // one character never matches
	} {
		var got []string
		for _, di := range names.sourcesFromID(tc.model) {
			got = append(got, ids[di])
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("sourcesFromID(%q) = %v, want %v", tc.model, got, tc.want)
		}
	}
}

// TestWithoutHidesDerived checks that the view nested selection runs on
// hides what Clean derives from the target's accuracies.
func TestWithoutHidesDerived(t *testing.T) {
	var ft []store.Finetune
	for m := range 12 {
		for _, ds := range []string{"a", "b", "c"} {
			ft = append(ft, store.Finetune{ModelID: string(rune('A' + m)), DatasetID: ds, Accuracy: 0.5 + 0.01*float64(m*(len(ds)+m%3)), Method: "full"})
		}
	}
	d, err := Clean(&store.Tables{Finetunes: ft}, DefaultConfig().Clean)
	if err != nil {
		t.Fatal(err)
	}
	if math.IsNaN(d.agree[0][1]) || math.IsNaN(d.z[0][0]) {
		t.Fatalf("agreement %v, z %v: want them defined", d.agree[0][1], d.z[0][0])
	}
	v := d.Without(0)
	for _, x := range []float64{v.z[0][0], v.agree[0][1], v.agree[1][0], v.agree[0][2]} {
		if !math.IsNaN(x) {
			t.Errorf("the view shows %v of the hidden dataset", x)
		}
	}
	if v.agree[1][2] != d.agree[1][2] || math.IsNaN(d.agree[0][1]) {
		t.Error("the view changed what it does not hide, or the data it was taken from")
	}
}

// TestAgreementShrinks checks the warm similarity: with no revealed model it
// is the metadata prediction; with revealed models it moves toward their
// correlation, the more so the more of them there are.
func TestAgreementShrinks(t *testing.T) {
	var ft []store.Finetune
	var ds []store.Dataset
	for i, id := range []string{"a", "b", "c", "d"} {
		ds = append(ds, store.Dataset{DatasetID: id, Tags: []string{"task:" + []string{"x", "x", "y", "y"}[i]}})
		for m := range 40 {
			acc := 0.5 + 0.01*float64(m)
			if id == "d" {
				acc = 0.9 - 0.01*float64(m) + 0.03*float64(m%4) // d disagrees with every other dataset
			}
			ft = append(ft, store.Finetune{ModelID: string(rune('A' + m)), DatasetID: id, Accuracy: acc, Method: "full"})
		}
	}
	d, err := Clean(&store.Tables{Datasets: ds, Finetunes: ft}, DefaultConfig().Clean)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := d.DatasetIndex("a")
	target, _ := d.DatasetIndex("d")
	cold := newTargetAgreement(d, target, 0, nil, 1).row(target).sim[a]
	var prev float64 = cold
	for _, k := range []int{5, 20} {
		warm := newTargetAgreement(d, target, k, revealModels(d, target, k, 1), 1).row(target).sim[a]
		t.Logf("k = %d: similarity %.3f", k, warm)
		if !(warm < prev) || warm < -1 {
			t.Errorf("k = %d: similarity %v, want below %v (the revealed models disagree)", k, warm, prev)
		}
		prev = warm
	}
}
