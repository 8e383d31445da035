// Package node2vec learns node embeddings of a [graphlearn.Graph] with
// node2vec (Grover & Leskovec, KDD 2016) or node2vec+ (Liu, Hirn & Krishnan,
// Bioinformatics 2023): second-order biased random walks, then skip-gram with
// negative sampling over the walks, as in word2vec (Mikolov et al., 2013).
//
// [Embed] does both steps; [Walks] and [Train] do one each. Options come from
// [DefaultOptions], which follows the TransferGraph paper's settings. Every
// random choice derives from Options.Seed.
//
// # Walks
//
// The graph is undirected with weights w(u,v) > 0. A walk starts at a node s;
// its first step picks a neighbour x of s with probability
//
//	P(x | s) = w(s,x) / Σ_y w(s,y).
//
// After a step t → v, the next node x is a neighbour of v with probability
//
//	P(x | t, v) = α(t,v,x)·w(v,x) / Σ_y α(t,v,y)·w(v,y).
//
// For node2vec the bias depends on the distance from t to x:
//
//	α(t,v,x) = 1/p   if x = t          (return)
//	         = 1     if x ~ t          (x adjacent to t: stay close)
//	         = 1/q   otherwise         (move outward)
//
// so p < 1 keeps walks local, and q < 1 pushes them outward (DFS-like) while
// q > 1 keeps them near t (BFS-like).
//
// node2vec+ lets edge weights decide how "adjacent" x is to t. Let
// w̃(u) = max(0, μ_u + γ·σ_u), where μ_u and σ_u are the mean and standard
// deviation of the weights of u's edges (γ = Options.Gamma, default 0); an
// edge (u,x) is loose for u when w(u,x) < w̃(u). With w(t,x) = 0 if t and x
// are not adjacent:
//
//	α⁺(t,v,x) = 1/p                          if x = t
//	          = 1                            if w(t,x) ≥ w̃(x)   (t–x tight: x is "in")
//	          = min(1, 1/q)                  if w(v,x) < w̃(v)   (v–x loose: a noisy edge)
//	          = 1/q + (1 − 1/q)·w(t,x)/w̃(x)  otherwise           (interpolate by t–x strength)
//
// as in the reference implementation (PecanPy, node2vec+ mode). On a graph
// whose edges all weigh the same, w̃(u) = w for every u, every edge is tight
// and never loose, and α⁺ = α: node2vec+ walks equal node2vec walks, draw for
// draw.
//
// Walks are sampled by rejection, which is exact: propose x with probability
// w(v,x)/Σ_y w(v,y) from a per-node alias table (O(1) per draw, O(m) memory),
// then accept with probability α(t,v,x)/max(1, 1/p, 1/q), checking x ~ t by
// binary search in t's sorted neighbours. This avoids node2vec's
// precomputed second-order tables, which take O(Σ_v deg(v)²) memory. With
// p = q = 1 every α is 1 and a step is one alias draw. A step that has
// rejected 1024 proposals (which only extreme p and q make likely) draws
// from the exact distribution by inversion over v's row instead, which
// keeps it exact and finite.
//
// Every node starts WalksPerNode walks of WalkLength nodes, in rounds that
// visit the nodes in a seeded random order. Each walk draws from its own
// random stream, derived from the seed and the walk's index, so the walks do
// not depend on the number of workers.
//
// # Skip-gram with negative sampling
//
// Each node u has an input vector x_u (the embedding) and an output vector
// y_u in R^d. For a centre u at position i of a walk, draw b uniformly from
// 1…c (c = Window); every node v at positions j ≠ i with |i − j| ≤ b is a
// context of u. Each (u, v) pair contributes the loss
//
//	ℓ(u,v) = −log σ(x_u·y_v) − Σ_{k=1…K} log σ(−x_u·y_{n_k}),   σ(z) = 1/(1+e^{−z}),
//
// with K = Negative noise nodes n_k drawn from P(n) ∝ count(n)^{3/4}, count
// being n's frequency in the walks; with probability Options.GraphNegatives,
// n_k is instead drawn uniformly from u's negative pairs in the graph (when u
// has any). A noise node equal to v is skipped. One SGD step per pair, with
// targets T = {v} ∪ {n_k}, labels ℓ_v = 1 and ℓ_{n_k} = 0, and
// g_t = η·(ℓ_t − σ(x_u·y_t)) computed for all targets first:
//
//	y_t ← y_t + g_t·x_u          for each t ∈ T
//	x_u ← x_u + Σ_t g_t·y_t      (each y_t taken before its own update)
//
// The step size decays linearly with the fraction of the work done,
// η = max(η₀·(1 − done/total), η_min). Vectors start as word2vec's: x
// uniform in [−1/(2d), 1/(2d)), y zero. σ is read from a table on [−8, 8].
//
// # Performance and reproducibility
//
// Vectors are float32 and stored row-major. The per-pair kernels (K+1 dot
// products, then the fused update above) are AVX-512 or AVX2+FMA assembly on
// amd64 CPUs that have them, and unrolled Go elsewhere or with the purego
// build tag. A worker samples a batch of pairs before training on it, so it
// can prefetch the rows of upcoming pairs when the vectors outgrow the
// caches; walks advance in groups of eight for the same reason. The inner
// loops do not allocate.
//
// Training splits the walks among Workers goroutines that update the shared
// vectors without locks (Hogwild!; Recht et al., NIPS 2011), each with its own
// random stream and learning-rate schedule. With Workers = 1 a run is
// bit-for-bit reproducible on a given machine; the assembly and Go kernels
// round differently, so results can differ across CPUs. Long loops check the
// context every few thousand pairs and return ctx.Err() when it is done.
//
// node2vec imports graphlearn and the standard library only.
package node2vec
