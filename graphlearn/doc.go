// Package graphlearn holds zoograph's model–dataset graph: typed nodes with
// stable string keys, typed weighted undirected edges, and negative pairs kept
// beside the graph for negative sampling. Graph learners (node2vec and
// node2vec+ in graphlearn/node2vec, GNNs) and regressors (graphlearn/regress)
// live in sub-packages and read the graph through this package.
//
// # Nodes
//
// A node is a (NodeKind, key) pair: a Hugging Face model or a dataset. Keys of
// different kinds may collide (a dataset and a model can share a name), so
// lookups take the kind too: [Graph.Lookup](kind, key). Ids are int32 and
// dense, 0…n−1, assigned in insertion order by [Builder.Node], so the same
// sequence of Builder calls always yields the same ids.
//
// # Edges
//
// Edges are undirected and weighted, with w(u,v) = w(v,u) > 0. Each edge carries
// one or more [EdgeKind]s:
//
//	EdgeFinetune   model–dataset   recorded fine-tuning result (normalised accuracy)
//	EdgeTrainedOn  model–dataset   source dataset declared in the model's metadata
//	EdgeTransfer   model–dataset   transferability score (e.g. LogME)
//	EdgeSimilar    dataset–dataset similarity of the two datasets
//	EdgeLineage    model–model     base_model relation from the Hub
//
// Parallel edges — the same unordered pair added more than once, with the same
// or different kinds — are merged into one adjacency entry whose weight is the
// sum of the added weights and whose [EdgeSet] is the union of their kinds.
// Summing matches the weighted adjacency matrix the TransferGraph code hands to
// its node2vec+ walker (parallel edges summed), and keeps a random walk's
// first-order transition probability w(v,x)/Σ_y w(v,y) equal to that of the
// multigraph. Self-loops are rejected.
//
// # Negative pairs
//
// A negative pair (u,v) records that u and v are known not to belong together,
// e.g. a model that fine-tuned poorly on a dataset. Negative pairs are not
// edges: walks never follow them. Learners may draw negative samples from them
// ([Graph.Negatives]). They are symmetric and de-duplicated.
//
// # Storage
//
// [Builder.Build] freezes the graph into compressed sparse rows: for node i
// the neighbours are nbrs[off[i]:off[i+1]], sorted by id, with parallel
// float32 weights and edge-kind sets. Sorted rows make every traversal
// deterministic and make edge lookup a binary search. A graph with n nodes and
// m edges takes about 8(n+1) + 9·2m bytes plus the keys. A Graph is immutable
// and safe for concurrent use.
//
// graphlearn imports nothing of zoograph's; it knows nothing of the Hub,
// Parquet or the pipeline.
package graphlearn
