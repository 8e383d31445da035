package graphlearn_test

import (
	"fmt"
	"log"

	"github.com/zoograph/zoograph/graphlearn"
)

func ExampleBuilder() {
	b := graphlearn.NewBuilder()
	vit := b.Node(graphlearn.NodeModel, "google/vit-base-patch16-224")
	bert := b.Node(graphlearn.NodeModel, "bert-base-uncased")
	cifar := b.Node(graphlearn.NodeDataset, "cifar100")
	pets := b.Node(graphlearn.NodeDataset, "pets")
	imagenet := b.Node(graphlearn.NodeDataset, "imagenet")

	for _, e := range []struct {
		u, v int32
		kind graphlearn.EdgeKind
		w    float64
	}{
		{vit, cifar, graphlearn.EdgeFinetune, 0.9},
		{vit, pets, graphlearn.EdgeFinetune, 0.7},
		{vit, imagenet, graphlearn.EdgeTrainedOn, 1},
		{cifar, imagenet, graphlearn.EdgeSimilar, 0.6},
		{pets, imagenet, graphlearn.EdgeSimilar, 0.4},
		{vit, cifar, graphlearn.EdgeTransfer, 0.1}, // parallel edge: merged
	} {
		if err := b.AddEdge(e.u, e.v, e.kind, e.w); err != nil {
			log.Fatal(err)
		}
	}
	if err := b.AddNegative(bert, cifar); err != nil { // BERT fine-tuned badly on CIFAR
		log.Fatal(err)
	}
	// A dataset–model "similar" edge is rejected.
	fmt.Println(b.AddEdge(pets, bert, graphlearn.EdgeSimilar, 1))

	g := b.Build()
	fmt.Println(g.NumNodes(), "nodes,", g.NumEdges(), "edges,", g.NumNegatives(), "negative pair")
	id, _ := g.Lookup(graphlearn.NodeModel, "google/vit-base-patch16-224")
	nbrs, ws := g.Neighbors(id)
	for j, v := range nbrs {
		fmt.Printf("%s – %s %.1f %v\n", g.Key(id), g.Key(v), ws[j], g.EdgeKinds(id)[j])
	}
	for _, v := range g.Negatives(cifar) {
		fmt.Println("negative:", g.Key(cifar), "–", g.Key(v))
	}
	// Output:
	// graphlearn: bad edge kind: similar edge needs dataset–dataset, got dataset "pets" – model "bert-base-uncased"
	// 5 nodes, 5 edges, 1 negative pair
	// google/vit-base-patch16-224 – cifar100 1.0 finetune|transfer
	// google/vit-base-patch16-224 – pets 0.7 finetune
	// google/vit-base-patch16-224 – imagenet 1.0 trained_on
	// negative: cifar100 – bert-base-uncased
}
