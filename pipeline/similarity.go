package pipeline

import (
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/stat"

	"github.com/zoograph/zoograph/store"
)

// DistanceMethodMetadata is the Method of the dataset distances zoograph
// derives from metadata (MetadataDistance) where none was recorded.
const DistanceMethodMetadata = "metadata"

// metadataScale maps metadata distances onto the scale of the recorded
// ones by quantile matching: a metadata distance at quantile p of the
// metadata distances of the recorded pairs becomes the recorded distances'
// quantile p. The map is monotone, so it keeps the order metadata gives
// while the similarity kernels and graph weights see distances on the
// zoo's own scale. With fewer than 3 recorded pairs it is the identity
// (metadata distances only) or, with 1 or 2, a ratio of medians.
type metadataScale struct {
	meta, real []float64 // sorted
}

func newMetadataScale(meta, real []float64) *metadataScale {
	s := &metadataScale{meta: slices.Clone(meta), real: slices.Clone(real)}
	sort.Float64s(s.meta)
	sort.Float64s(s.real)
	return s
}

func (s *metadataScale) apply(x float64) float64 {
	n := len(s.meta)
	switch {
	case math.IsNaN(x):
		return x
	case n == 0:
		return x
	case n < 3:
		if m := median(s.meta); m > 0 {
			return x * median(s.real) / m
		}
		return x
	}
	// Empirical CDF position of x among the metadata distances, with ties
	// at their mid-rank, then the recorded distances' quantile there.
	lo := sort.SearchFloat64s(s.meta, x)
	hi := sort.Search(n, func(i int) bool { return s.meta[i] > x })
	p := (float64(lo) + float64(hi)) / 2 / float64(n)
	return stat.Quantile(math.Min(math.Max(p, 0), 1), stat.LinInterp, s.real, nil)
}

// distanceCompletion is the result of completeDistances.
type distanceCompletion struct {
	rows []store.DatasetDistance
	// recordedPairs is the number of recorded pairs the scale was fitted
	// on; added the number of pairs filled from metadata.
	recordedPairs, added int
}

// completeDistances fills, for every pair of the datasets in set (indices
// of d) without a recorded distance, the metadata distance of their
// descriptions on the recorded distances' scale (metadataScale fitted on
// the recorded pairs within set). Pairs whose metadata says nothing stay
// unknown. The rows come in both directions.
func completeDistances(d *Data, descs []Description, set []int) distanceCompletion {
	var out distanceCompletion
	var meta, real []float64
	for i, a := range set {
		for _, b := range set[i+1:] {
			if v := d.dist[a][b]; !math.IsNaN(v) {
				if m := MetadataDistance(&descs[a], &descs[b]); !math.IsNaN(m) {
					meta = append(meta, m)
					real = append(real, v)
				}
			}
		}
	}
	scale := newMetadataScale(meta, real)
	out.recordedPairs = len(meta)
	for i, a := range set {
		for _, b := range set[i+1:] {
			if !math.IsNaN(d.dist[a][b]) {
				continue
			}
			v := scale.apply(MetadataDistance(&descs[a], &descs[b]))
			if math.IsNaN(v) {
				continue
			}
			ida, idb := d.Datasets[a].DatasetID, d.Datasets[b].DatasetID
			out.rows = append(out.rows,
				store.DatasetDistance{DatasetA: ida, DatasetB: idb, Distance: v, Method: DistanceMethodMetadata},
				store.DatasetDistance{DatasetA: idb, DatasetB: ida, Distance: v, Method: DistanceMethodMetadata})
			out.added++
		}
	}
	return out
}

// historyDatasets returns the indices of the datasets whose records serve
// as history, and t when t ≥ 0.
func historyDatasets(d *Data, t int) []int {
	var set []int
	for di := range d.Datasets {
		if di == t || d.hasHistory[di] {
			set = append(set, di)
		}
	}
	return set
}

// MetadataValidation measures how well MetadataDistance ranks a zoo's
// datasets like its recorded distances do, leave-one-dataset-out: for each
// history dataset a, the Spearman correlation between the metadata and the
// recorded distances from a to the other history datasets.
type MetadataValidation struct {
	Datasets []string  `json:"datasets"`
	Spearman []float64 `json:"spearman"` // per dataset
	Mean     float64   `json:"mean"`
	// Top3 is the mean share of a dataset's 3 nearest datasets by recorded
	// distance that are also among its 3 nearest by metadata (chance: 3
	// over the number of other datasets).
	Top3   float64 `json:"top3"`
	Chance float64 `json:"chance_top3"`
	// Corrected is the mean Spearman correlation with the recorded
	// distances corrected for hubness as the history features see them,
	// d(a,b) − μ_b/2, μ_b the mean distance of b to all others.
	Corrected float64 `json:"corrected"`
}

// ValidateMetadataDistance runs the leave-one-dataset-out comparison on the
// zoo's history datasets that have recorded distances to each other.
func ValidateMetadataDistance(t *store.Tables, cfg CleanConfig) (*MetadataValidation, error) {
	zoo, hist := WithHistory(t)
	d, err := Clean(zoo, cfg)
	if err != nil {
		return nil, err
	}
	descs := datasetDescriptions(d, hist.DatasetTask)
	set := historyDatasets(d, -1)
	v := &MetadataValidation{}
	var top3, chance, corrected float64
	for _, a := range set {
		var meta, real, hub []float64
		var others []int
		for _, b := range set {
			if b == a || math.IsNaN(d.dist[a][b]) {
				continue
			}
			m := MetadataDistance(&descs[a], &descs[b])
			if math.IsNaN(m) {
				continue
			}
			meta, real = append(meta, m), append(real, d.dist[a][b])
			hub = append(hub, d.dist[a][b]-d.meanDist[b]/2)
			others = append(others, b)
		}
		if len(meta) < 4 {
			continue
		}
		v.Datasets = append(v.Datasets, d.Datasets[a].DatasetID)
		v.Spearman = append(v.Spearman, spearman(meta, real))
		corrected += spearman(meta, hub)
		chance += 3 / float64(len(meta))
		near := func(x []float64) []int {
			idx := make([]int, len(x))
			for i := range idx {
				idx[i] = i
			}
			sort.SliceStable(idx, func(i, j int) bool { return x[idx[i]] < x[idx[j]] })
			return idx[:3]
		}
		nm, nr := near(meta), near(real)
		shared := 0
		for _, i := range nr {
			if slices.Contains(nm, i) {
				shared++
			}
		}
		top3 += float64(shared) / 3
	}
	if len(v.Spearman) > 0 {
		v.Mean = stat.Mean(v.Spearman, nil)
		v.Top3 = top3 / float64(len(v.Spearman))
		v.Chance = chance / float64(len(v.Spearman))
		v.Corrected = corrected / float64(len(v.Spearman))
	}
	return v, nil
}

// spearman is the Spearman rank correlation (ties at mid-rank).
func spearman(x, y []float64) float64 {
	return stat.Correlation(ranks(x), ranks(y), nil)
}
