package card_test

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/zoograph/zoograph/crawler/card"
)

func ExampleParse() {
	readme := `---
license: apache-2.0
language: no
base_model: google/vit-base-patch16-224
model-index:
- name: vit-beans
  results:
  - task: {type: image-classification}
    dataset: {type: beans, name: Beans, split: test}
    metrics:
    - {type: accuracy, value: 0.9765}
    - {type: f1, value: "97.1%"}
---
# vit-beans
`
	md, err := card.Parse([]byte(readme), card.DefaultOptions())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(md.License, md.Languages, md.BaseModels)
	for _, r := range md.ModelIndex {
		fmt.Printf("%s %s %s: %v (%q)\n", r.ModelName, r.DatasetType, r.MetricType, r.Value, r.ValueRaw)
	}
	// Output:
	// [apache-2.0] [no] [google/vit-base-patch16-224]
	// vit-beans beans accuracy: 0.9765 ("0.9765")
	// vit-beans beans f1: NaN ("97.1%")
}

func ExampleSplit() {
	fm, body, ok := card.Split([]byte("\ufeff---\r\nlicense: mit\r\n---\r\n# Title\r\n"))
	fmt.Printf("%v %q %q\n", ok, fm, body)
	// Output:
	// true "license: mit" "# Title\r\n"
}

func ExampleFromCardData() {
	// cardData as the Hub API returns it for a gated repo.
	var cardData map[string]any
	_ = json.NewDecoder(strings.NewReader(`{
		"license": "llama3", "extra_gated_prompt": "...",
		"model-index": [{"name": "m", "results": [{"task": {"type": "text-generation"},
			"dataset": {"type": "cais/mmlu", "name": "MMLU"},
			"metrics": [{"type": "acc", "value": 68.4, "verified": false}]}]}]}`)).Decode(&cardData)
	md, err := card.FromCardData(cardData)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(md.License, md.ModelIndex[0].DatasetType, md.ModelIndex[0].Value)
	// Output:
	// [llama3] cais/mmlu 68.4
}

func ExampleFlatten() {
	// A model-index given as a mapping is not a list: no rows.
	fmt.Println(card.Flatten(map[string]any{"name": "m"}) == nil)
	// Output:
	// true
}
