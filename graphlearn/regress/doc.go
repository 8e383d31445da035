// Package regress fits the regressors that predict fine-tuning performance
// from graph embeddings and metadata: a linear model (OLS / ridge), a random
// forest of CART trees, and XGBoost-style gradient-boosted trees (GBDT), the
// model behind TransferGraph's best results (Li et al., arXiv 2404.03988).
//
// Every model implements Regressor (Fit and Predict on a *mat.Dense) and
// Importancer. Logistic, an L2-penalised logistic regression for 0/1
// labels fitted by Newton's method, implements Regressor too: its Predict
// returns probabilities. The package knows nothing of graphs, stores or the pipeline;
// it never reads files, logs or touches the network. All randomness comes
// from the options' Seed, and results do not depend on Workers.
//
// # Inputs
//
// X is n×p with NaN meaning "missing". The trees learn where missing values
// go (below); Linear rejects them with ErrMissingValues unless
// LinearOptions.ImputeMissing is set. ±Inf in X, NaN or ±Inf targets,
// targets (and, for Linear and Logistic, features) beyond ±10¹⁰⁰, whose
// sums of squares overflow, an empty X, mismatched lengths and a wrong
// column count at Predict are errors (ErrNonFinite, ErrEmpty,
// ErrDimension); Predict before Fit is ErrNotFitted.
// Constant targets give ErrConstantLabels together with a usable model that
// predicts the constant.
//
// # Quantile bins
//
// The tree models quantise each feature once, before growing any tree, into
// at most MaxBins (256) bins held as uint8 codes in a column-major matrix.
// With k ≤ MaxBins distinct values the cuts lie midway between consecutive
// values, so splits are exactly CART's; otherwise they sit at distinct-value
// boundaries near the b/MaxBins quantiles. A feature with missing values
// keeps one code for them (and at most 255 value bins). A split "code ≤ b"
// is stored as the raw threshold cut_b, and Predict sends x left iff
// x < cut_b, NaN to the learned default side.
//
// # Gradient boosting
//
// GBDT follows XGBoost (Chen & Guestrin 2016) with tree_method=hist and
// depth-wise growth, for squared error L = ½(ŷ − y)². Round m adds a tree f_m
// to ŷ = base + η Σ_m f_m(x). With gradients g_i = ŷ_i − y_i and hessians
// h_i = 1, and G, H the sums over a node's rows, the regularised optimum of a
// leaf is
//
//	w* = −T_α(G) / (H + λ),   T_α(G) = sign(G)·max(|G| − α, 0),
//
// (0 when H < min_child_weight), and a split of a node into L and R scores
//
//	gain = T_α(G_L)²/(H_L+λ) + T_α(G_R)²/(H_R+λ) − T_α(G)²/(H+λ).
//
// This is XGBoost's loss_chg, twice the paper's ½[…] − γ without the γ: as in
// XGBoost's hist updater a node is split only when its best gain exceeds
// 10⁻⁶ and is at least γ, and each child must have H ≥ min_child_weight.
// Leaves store η·w*. Splits are found on per-node gradient histograms (ΣG, ΣH
// per bin), scanning the bins of every feature twice: once with the missing
// rows on the right, once (if the node has any) with them on the left. The
// better direction becomes the node's default, the one Predict takes for NaN;
// with no missing values in training it is "right", as in XGBoost.
//
// Only the smaller child's histogram is built from its rows; the larger
// child's is the parent's minus the smaller's (the subtraction trick). Since
// every hessian is 1, H is a row count: histograms hold (ΣG, count), scores
// use a table of 1/(H+λ), and each feature's histogram carries a bitmap of
// its non-empty bins, so that clearing, subtracting and scanning a deep node
// cost in proportion to its rows rather than to the 256 bins. Rows are
// partitioned in place and histogram buffers pooled. Each sweep over the
// features is cut into groups of four features (whose histograms are built
// in one pass over the rows) that Workers long-lived goroutines claim from a
// shared counter, so a worker descheduled on a busy machine holds up only
// the group it claimed (the pass still waits for that one, which is why
// Workers defaults to 1); the groups' best splits are reduced in feature
// order with strict comparisons, so the tree does not depend on Workers or
// on who ran what.
// Growth is depth-first, which yields the same tree as level-wise growth to
// MaxDepth since a node's split depends only on its own rows.
//
// Each round samples rows (Bernoulli, Subsample) and ⌊ColsampleByTree·p⌋
// features without replacement from one generator seeded by Seed. The base
// score is mean(y), the optimal constant for squared error; XGBoost 1.7
// defaults to 0.5, which costs a few early rounds and changes nothing after
// hundreds. FitWithValidation tracks the validation RMSE per round; with
// EarlyStoppingRounds = k it stops after k rounds without improvement and
// truncates the model to the best round (also when the rounds run out
// first, as XGBoost predicts with best_iteration).
//
// # Random forest
//
// Forest grows CART regression trees (Breiman 2001) on the same bins. Each
// tree sees a bootstrap sample (row multiplicities as weights) and at each
// node scans random features until MaxFeatures non-constant ones have been
// seen, choosing the split with the largest decrease of weighted squared
// error
//
//	Δ = S_L²/W_L + S_R²/W_R − S²/W,   S = Σ w_i y_i, W = Σ w_i,
//
// subject to MinSamplesLeaf distinct rows per child and MaxDepth. Leaves
// predict S/W; the forest averages its trees. Missing values are routed as
// in GBDT. Tree t draws from a generator seeded by (Seed, t), so trees grow
// in parallel with the same result whatever Workers is.
//
// # Linear model
//
// Linear fits ŷ = b₀ + βᵀx by least squares on the centred design through its
// SVD, giving the minimum-norm solution when the design is rank-deficient (in
// the TransferGraph data the dataset embedding repeats across rows), or ridge
// with an unpenalised intercept; see Linear.
package regress
