package transfergraph_test

import (
	"context"
	"fmt"
	"log"

	"github.com/zoograph/zoograph/pipeline/transfergraph"
)

func ExampleImport() {
	tables, rep, err := transfergraph.Import(context.Background(), "testdata/sequence_classification", transfergraph.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rep.Source, len(tables.Models), "models,", len(tables.Finetunes), "runs,", len(tables.DatasetDistances), "distances")
	for _, p := range rep.Problems[:2] {
		fmt.Println(p)
	}
	// Output:
	// transfergraph/sequence_classification 6 models, 20 runs, 30 distances
	// records.csv:17: fragment: column "model" is "0.1", not an id (a piece of a row split across lines)
	// records.csv:20: fragment: column "finetuned_dataset" is "lora", not an id (a piece of a row split across lines)
}
