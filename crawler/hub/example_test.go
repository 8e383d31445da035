package hub_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/zoograph/zoograph/crawler/hub"
	"github.com/zoograph/zoograph/crawler/hubtest"
)

// A crawl lists page by page and persists the cursor after each stored
// page; a restarted crawl resumes from it.
func ExampleClient_ListModels() {
	replica := hubtest.New(hubtest.Options{Zoo: hubtest.Zoo{Models: 250, Datasets: 20, Seed: 1}, PageSize: 100})
	srv := httptest.NewServer(replica)
	defer srv.Close()

	c, err := hub.New(hub.Options{Endpoint: srv.URL})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	p := c.ListModels(hub.ListOptions{Sort: "createdAt", Expand: hub.DefaultModelExpand()})
	total := 0
	for p.More() {
		page, err := p.Next(ctx)
		if err != nil {
			log.Fatal(err) // the Pager stays where it was: a caller may retry later
		}
		total += len(page.Models)
		// store(page.Models); checkpoint(page.NextURL)
		fmt.Println(len(page.Models), page.NextURL != "")
	}
	fmt.Println("models:", total)
	// Output:
	// 100 true
	// 100 true
	// 50 false
	// models: 250
}

func ExampleClient_Model() {
	replica := hubtest.New(hubtest.Options{})
	replica.AddModel(hubtest.Repo{ID: "google-bert/bert-base-uncased", LibraryName: "transformers"})
	replica.Rename("google-bert/bert-base-uncased", "google-bert/bert-base-uncased-v2")
	srv := httptest.NewServer(replica)
	defer srv.Close()

	c, _ := hub.New(hub.Options{Endpoint: srv.URL})
	m, err := c.Model(context.Background(), "google-bert/bert-base-uncased", hub.DetailOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("canonical id:", m.ID)

	_, err = c.Model(context.Background(), "google-bert/missing", hub.DetailOptions{})
	var he *hub.Error
	if errors.Is(err, hub.ErrNotFound) && errors.As(err, &he) {
		fmt.Println(he.Status, he.Code)
	}
	// Output:
	// canonical id: google-bert/bert-base-uncased-v2
	// 401 RepoNotFound
}

func ExampleParseQuota() {
	q, err := hub.ParseQuota("api=2500", true)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("api=%d resolvers=%d window=%s\n", q.API, q.Resolvers, q.Window)
	q, _ = hub.ParseQuota("none", false)
	fmt.Println("off:", q.Off)
	// Output:
	// api=2500 resolvers=5000 window=5m0s
	// off: true
}
