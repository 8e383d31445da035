package gnn_test

import (
	"cmp"
	"context"
	"fmt"
	"log"
	"slices"
	"strings"

	"github.com/zoograph/zoograph/graphlearn"
	"github.com/zoograph/zoograph/graphlearn/gnn"
	"gonum.org/v1/gonum/mat"
)

// Rank the models of a tiny zoo for two datasets that nobody has fine-tuned
// on yet: vision models were fine-tuned on image datasets and text models
// on text datasets, with one poor result each on the other world's datasets
// (negative pairs); the new datasets are linked to the others only by
// similarity, and carry one feature (how image-like they are). The four
// best-scored models of each new dataset come from its own world.
func Example() {
	b := graphlearn.NewBuilder()
	world := map[int32]string{}
	var features []float64
	add := func(kind graphlearn.NodeKind, key, w string) int32 {
		id := b.Node(kind, key)
		world[id] = w
		image := 0.0
		if w == "vision" {
			image = 1
		}
		features = append(features, image)
		return id
	}
	var datasets [2][]int32
	for i, w := range []string{"vision", "text"} {
		for _, key := range [][]string{{"cifar100", "flowers", "pets"}, {"sst2", "cola", "tweet_eval"}}[i] {
			datasets[i] = append(datasets[i], add(graphlearn.NodeDataset, key, w))
		}
	}
	for i, w := range []string{"vision", "text"} {
		for j, key := range [][]string{{"vit-base", "deit-small", "beit-base", "convnext-tiny"}, {"bert-base", "roberta-base", "distilbert", "electra-small"}}[i] {
			m := add(graphlearn.NodeModel, key, w)
			for k, d := range datasets[i] {
				if err := b.AddEdge(m, d, graphlearn.EdgeFinetune, 0.6+0.1*float64((j+k)%4)); err != nil {
					log.Fatal(err)
				}
			}
			// A poor result on a dataset of the other world.
			if err := b.AddNegative(m, datasets[1-i][j%3]); err != nil {
				log.Fatal(err)
			}
		}
	}
	beans := add(graphlearn.NodeDataset, "beans", "vision")
	imdb := add(graphlearn.NodeDataset, "imdb", "text")
	for _, e := range [][2]int32{{beans, datasets[0][0]}, {beans, datasets[0][1]}, {imdb, datasets[1][0]}, {imdb, datasets[1][2]}} {
		if err := b.AddEdge(e[0], e[1], graphlearn.EdgeSimilar, 0.8); err != nil {
			log.Fatal(err)
		}
	}
	g := b.Build()
	x := mat.NewDense(g.NumNodes(), 1, features)

	opt := gnn.DefaultOptions()
	opt.Arch = gnn.GAT
	opt.Seed = 42
	m, err := gnn.Train(context.Background(), g, x, nil, opt)
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range []int32{beans, imdb} {
		ranked := slices.Collect(g.Nodes(graphlearn.NodeModel))
		slices.SortFunc(ranked, func(a, b int32) int { return cmp.Compare(m.Score(b, d), m.Score(a, d)) })
		var top []string
		for _, id := range ranked[:4] {
			top = append(top, world[id])
		}
		fmt.Printf("%s: %s\n", g.Key(d), strings.Join(top, " "))
	}
	// Output:
	// beans: vision vision vision vision
	// imdb: text text text text
}
