package crawler_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/zoograph/zoograph/crawler"
	"github.com/zoograph/zoograph/crawler/hub"
	"github.com/zoograph/zoograph/crawler/hubtest"
	"github.com/zoograph/zoograph/store"
)

// Crawl a synthetic Hub served on loopback into a new zoo, READMEs
// included.
func ExampleCrawl() {
	replica := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: 60, Datasets: 10, Seed: 1}})
	url, stop, err := replica.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	zoo, err := os.MkdirTemp("", "zoo")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(zoo)

	opt := crawler.DefaultOptions(crawler.KindModels, zoo)
	opt.Endpoint = url
	opt.Quota = hub.Quota{Off: true} // the replica has no rate limit
	opt.Cards = true
	sum, err := crawler.Crawl(context.Background(), opt)
	if err != nil {
		log.Fatal(err)
	}
	tables, _, err := store.ReadZoo(zoo)
	if err != nil {
		log.Fatal(err)
	}
	public := 0
	for r := range replica.Models() {
		if !r.Private {
			public++
		}
	}
	fmt.Println("committed:", sum.Committed, "stop:", sum.Stop)
	fmt.Println("every public model:", len(tables.Models) == public)
	fmt.Println("cards and eval rows:", len(tables.Cards) > 0, len(tables.Evals) > 0)
	// Output:
	// committed: true stop: end
	// every public model: true
	// cards and eval rows: true true
}
