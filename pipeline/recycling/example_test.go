package recycling_test

import (
	"context"
	"fmt"
	"log"

	"github.com/zoograph/zoograph/pipeline/recycling"
)

func ExampleImport() {
	tables, rep, err := recycling.Import(context.Background(), "testdata/bad", recycling.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(tables.Models), "models,", len(tables.Finetunes), "fine-tunes,", len(tables.Scores), "probe scores")
	for _, p := range rep.Problems[:3] {
		fmt.Println(p)
	}
	// Output:
	// 4 models, 6 fine-tunes, 3 probe scores
	// models_tested.csv:3:12: column "sst2": bad number: accuracy "high" is not a number
	// models_tested.csv:4:13: column "rte": out of range: accuracy 70.5 is outside [0, 1]
	// models_tested.csv:5:1: column "model_name": duplicate: model "a/ok" already on line 2
}
