// Package gnn trains graph neural networks on a [graphlearn.Graph]:
// GraphSAGE (Hamilton, Ying & Leskovec, NIPS 2017) and GAT (Veličković et
// al., ICLR 2018), in pure Go on gonum's vector kernels, on the CPU. [Train]
// learns node embeddings and a pair decoder, for link prediction or for
// regression of values on edges; the [Model] it returns holds the embeddings
// (laid out as node2vec's) and scores any node pair with [Model.Score].
// Options come from [DefaultOptions]; every random choice derives from
// Options.Seed.
//
// # Inputs
//
// The graph is taken as homogeneous and undirected: every edge, whatever its
// kinds, passes messages both ways. Node kinds enter as features. The
// caller's feature matrix (row i for node i, NaN for a missing value) is
// prepared once: each column is z-scored over its present values and
// missing values are set to 0 (the column mean), each column with a missing
// value gets an indicator column (1 where missing), columns with no value
// at all are dropped, and one-hot columns for the node kind are appended.
// Nodes whose whole row is missing (or all nodes, with no matrix) may get a
// learned input vector of Options.LearnedDim values, trained with the rest;
// the others see zeros there.
//
// # Layers
//
// A network is Options.Layers layers; every layer but the last is followed
// by ReLU or ELU, and every layer's input may be dropped out during
// training. With N(i) the neighbours of node i and x_j a layer's input
// rows, GraphSAGE with the mean aggregator computes
//
//	h_i = W_root·x_i + W·Σ_{j∈N(i)} c_ij·x_j + b,   c_ij = w_ij / Σ_{k∈N(i)} w_ik
//
// (c_ij = 1/|N(i)| when Options.Weighted is off). GAT adds a self-loop to
// every node and computes, for each head k with its own W^k, a^k_src and
// a^k_dst,
//
//	e^k_ij = LeakyReLU(a^k_srcᵀW^k x_j + a^k_dstᵀW^k x_i) + log w_ij
//	α^k_ij = exp(e^k_ij) / Σ_{l∈N(i)∪{i}} exp(e^k_il)
//	h^k_i  = Σ_{j∈N(i)∪{i}} α^k_ij·W^k x_j
//
// (the log w_ij term, with w_ii = 1, only when Weighted is set), then
// concatenates the heads (Options.ConcatHeads, each head a share of the
// layer's width) or averages them (each head the full width), and adds
// W_root·x_i (when Options.RootWeight is set) and a bias. Options.Normalize
// divides each layer's output rows by their Euclidean norm.
//
// # Objectives
//
// The decoder scores a pair from the last layer's rows z:
//
//	s(u,v) = Σ_d w_d·z_u,d·z_v,d + b.
//
// Link prediction minimises the mean binary cross-entropy of σ(s) over
// positive pairs — the graph's edges joining a model and a dataset — and
// negatives: Options.Negatives per positive, drawn by replacing the model or
// the dataset with a uniform node of its kind (rejecting edges), plus the
// graph's recorded negative pairs. Edge regression minimises the mean squared
// error of s against the values of the given (u, v, value) triples.
//
// In every epoch a fraction Options.Holdout of the supervision pairs (and of
// the recorded negatives) is drawn; only those are scored, and those that
// are edges of the graph are removed from message passing for the epoch.
// The model then learns to predict a pair from the rest of the graph, as it
// must at prediction time for pairs that are not edges. Holdout 0 scores
// every pair with every edge in place. Nothing outside the graph, the
// features and the triples enters training; leaving a dataset out is the
// caller's business: omit its edges and triples.
//
// Training is full-batch: each epoch is one forward and backward pass over
// the whole graph and one AdamW step (Adam with decoupled weight decay).
// The final embeddings come from a pass over the whole graph without
// dropout.
//
// # Gradients
//
// A small reverse-mode tape records each operation of the forward pass
// (matrix product, bias, sum, concatenation, row gather, activations,
// dropout, row normalisation, message passing as a weighted scatter-sum over
// the edges, GAT's attention coefficients — the logits over the edges and
// their softmax over each node's messages, one operation —, head
// projections and averages, the decoder, the losses) with its backward
// step. Tests check every operation's gradient, and those of whole
// two-layer networks of both kinds, against central finite differences.
//
// # Performance and reproducibility
//
// Values are float64. Message passing, attention and dense products split
// the rows of their output among Options.Workers goroutines in fixed
// blocks, when a loop's work pays for the goroutines (on a graph of a few
// hundred nodes only those loops do; the small ones run on the calling
// goroutine); each row — of the output or of a gradient — is computed by
// one goroutine in a fixed order, the gradient of a message's source
// through the reverse message in the source's own row. Random choices come
// from streams keyed by the seed, the purpose and the epoch. So a run is
// bit-for-bit reproducible for a given seed on a given machine whatever the
// worker count. Values, gradients and tensor headers come from an arena
// that the first epochs size and the others reuse. Training checks the
// context before every epoch and returns ctx.Err() once it is done.
//
// gnn imports graphlearn, gonum and the standard library only, and no cgo.
package gnn
