package store

import "slices"

// LegacySource is the source of the scores and dataset_distances rows of a
// schema 1 zoo, written before those tables had a source column, when its
// manifest does not tell which source wrote them: more than one source
// wrote the table. MergeZoo replaces such rows by key, as schema 1 did: a
// merged row replaces the legacy rows of its (model_id, dataset_id, method)
// or (dataset_a, dataset_b, method), whatever its source. No merge may
// write rows of this source.
const LegacySource = "legacy"

// legacySource returns the source that ReadZoo and MergeZoo give the rows of
// table in m's zoo that have none, those of a schema 1 file: the source of
// every write the manifest's provenance lists with table, when there is
// one (a zoo of one benchmark, as a run wants, or a crawl beside one
// benchmark); else LegacySource. A write that names no tables (a manifest
// older than the field, such as an early crawl's) counts as one that may
// have written table, and a write of no named source as another source.
func legacySource(m *Manifest, table string) string {
	src := ""
	for _, p := range m.Provenance {
		if len(p.Tables) > 0 && !slices.Contains(p.Tables, table) {
			continue
		}
		if p.Source == "" || src != "" && p.Source != src {
			return LegacySource
		}
		src = p.Source
	}
	if src == "" {
		return LegacySource
	}
	return src
}

// attribute sets the source of the rows of rows without one to src. It
// touches the tables that gained their source column in schema 2 only.
func attribute[T Row](rows []T, src string) {
	set := func(s *string) {
		if *s == "" {
			*s = src
		}
	}
	switch rs := any(rows).(type) {
	case []Score:
		for i := range rs {
			set(&rs[i].Source)
		}
	case []DatasetDistance:
		for i := range rs {
			set(&rs[i].Source)
		}
	}
}
