package card

import (
	"bytes"
	"errors"
	"testing"
)

// fuzzSeeds are the shapes real cards take (see hub-fixtures/cards), written
// out small, plus the hostile ones.
var fuzzSeeds = []string{
	"---\nlicense: mit\nlanguage: no\ntags: [a, b]\n---\n# body\n",
	"\ufeff---\r\nlicense: mit\r\nlanguage: eo\r\nwidget:\r\n- text: \"Jen <mask>.\"\r\n---\r\n\r\n# Hello\r\n",
	"---\nmodel-index:\n- name: m\n  results:\n  - task: {type: image-classification, name: Image Classification}\n    dataset: {type: imagefolder, name: imagefolder, config: default, split: train}\n    metrics:\n    - {type: accuracy, value: 0.9811111111111112, name: Accuracy}\n---\n",
	"---\nmodel-index:\n  name: m\n  results: []\n---\n",
	"---\nmodel-index:\n- name: nb\n  results:\n  - tasks:\n      type: token-classification\n      metrics:\n      - {type: f_score, value: 0.9}\n---\n",
	"---\nmodel-index:\n- name: PPO\n  results:\n  - task: {type: reinforcement-learning}\n    dataset: {type: LunarLander-v2, name: LunarLander-v2}\n    metrics:\n    - {type: mean_reward, value: 250.52 +/- 20.12, name: mean_reward, verified: false}\n---\n",
	"---\nmodel-index:\n- name: x\n  results:\n  - task: {type: t}\n    metrics:\n    - {type: accuracy, value: 72%}\n    - {type: wer, value: \"NA\"}\n    - {type: acc, value: '0,857'}\n    - {type: loss, value: .nan}\n---\n",
	"---\nlicense:  \tgpl-3.0\nmodel-index:\n- results:\n  - metrics:\n    - value: 0.918177\t\n---\n",
	"---\nlicense: mit\nlicense: apache-2.0\n---\n",
	"---\nbase: &b {type: beans}\nmodel-index:\n- results:\n  - task: {type: t}\n    dataset: {<<: *b, name: B}\n    metrics: [{type: a, value: 1}]\n---\n",
	"---\n[]\n---\n",
	"---\n{{card_data}}\n---\n",
	"---\na: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c, *c]\n---\n",
	"---\na: &x [*x]\n---\n",
	"---\ndate: 2023-02-30\nn: 0x1F\nf: 1:30.5\n---\n",
	"---\nc: |\n  one\ttwo\n\t\n---\n",
	"# no front matter\n",
	"---\n\n---\n",
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, readme []byte) {
		opt := Options{MaxBytes: 64 << 10, MaxAliases: 1000, MaxDepth: 50}
		md, err := Parse(readme, opt)
		if err != nil {
			if md != nil {
				t.Errorf("Parse returned Metadata and error %v", err)
			}
			n := 0
			for _, sentinel := range []error{ErrInvalid, ErrTooLarge, ErrTooComplex} {
				if errors.Is(err, sentinel) {
					n++
				}
			}
			if n != 1 {
				t.Errorf("Parse error %v wraps %d sentinels, want 1", err, n)
			}
			return
		}
		if md == nil {
			t.Fatal("Parse returned nil Metadata and nil error")
		}
		for _, r := range md.ModelIndex {
			if r.ValueRaw == "" && r.Value == r.Value {
				t.Errorf("row %+v has a number without raw text", r)
			}
		}
	})
}

// FuzzSplit checks the shape of what Split cuts: the body is what follows
// the closing "---" line, the front matter lies between the delimiters.
func FuzzSplit(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	for _, s := range []string{"---\n---\n", "---\n\n\n---x\n---\n", "---\na\r---\rb\n---\n", "\xff---\na\n---\n", " \u3000---\n---\n\n---"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, readme []byte) {
		fm, body, ok := Split(readme)
		if !ok {
			if !bytes.Equal(body, readme) || fm != nil {
				t.Errorf("Split(%q) without front matter = %q, %q", readme, fm, body)
			}
			return
		}
		head := bytes.TrimRight(readme[:len(readme)-len(body)], "\r\n")
		if !bytes.HasSuffix(head, []byte("---")) || !bytes.Contains(head[:len(head)-3], fm) {
			t.Errorf("Split(%q) = %q, %q: not front matter before a --- line", readme, fm, body)
		}
	})
}
