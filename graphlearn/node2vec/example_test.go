package node2vec_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/zoograph/zoograph/graphlearn"
	"github.com/zoograph/zoograph/graphlearn/node2vec"
)

// Embed a tiny model zoo: vision models fine-tuned on image datasets, text
// models on text datasets, and one similarity edge between the two worlds.
// Every node's three nearest neighbours come from its own world.
func Example() {
	b := graphlearn.NewBuilder()
	world := map[int32]string{} // node id → "vision" or "text"
	ids := map[string]int32{}
	add := func(kind graphlearn.NodeKind, key, w string) int32 {
		id := b.Node(kind, key)
		world[id], ids[key] = w, id
		return id
	}
	vision := []int32{
		add(graphlearn.NodeDataset, "cifar100", "vision"),
		add(graphlearn.NodeDataset, "flowers", "vision"),
		add(graphlearn.NodeDataset, "pets", "vision"),
	}
	text := []int32{
		add(graphlearn.NodeDataset, "sst2", "text"),
		add(graphlearn.NodeDataset, "cola", "text"),
		add(graphlearn.NodeDataset, "tweet_eval", "text"),
	}
	for i, key := range []string{"vit-base", "deit-small", "beit-base", "convnext-tiny"} {
		m := add(graphlearn.NodeModel, key, "vision")
		for j, d := range vision {
			if err := b.AddEdge(m, d, graphlearn.EdgeFinetune, 0.6+0.1*float64((i+j)%4)); err != nil {
				log.Fatal(err)
			}
		}
	}
	for i, key := range []string{"bert-base", "roberta-base", "distilbert", "electra-small"} {
		m := add(graphlearn.NodeModel, key, "text")
		for j, d := range text {
			if err := b.AddEdge(m, d, graphlearn.EdgeFinetune, 0.6+0.1*float64((i+j)%4)); err != nil {
				log.Fatal(err)
			}
		}
	}
	if err := b.AddEdge(vision[0], text[0], graphlearn.EdgeSimilar, 0.1); err != nil {
		log.Fatal(err)
	}
	g := b.Build()

	opt := node2vec.DefaultOptions()
	opt.Dim = 16
	opt.Workers = 1
	opt.Seed = 42
	emb, err := node2vec.Embed(context.Background(), g, opt)
	if err != nil {
		log.Fatal(err)
	}
	for _, key := range []string{"vit-base", "pets", "bert-base", "sst2"} {
		id := ids[key]
		var worlds []string
		for _, nb := range emb.Nearest(id, 3) {
			worlds = append(worlds, world[nb])
		}
		fmt.Printf("%-9s (%s): nearest are %s\n", key, world[id], strings.Join(worlds, ", "))
	}
	// Output:
	// vit-base  (vision): nearest are vision, vision, vision
	// pets      (vision): nearest are vision, vision, vision
	// bert-base (text): nearest are text, text, text
	// sst2      (text): nearest are text, text, text
}
