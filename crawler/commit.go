package crawler

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"github.com/zoograph/zoograph/store"
)

// commit merges the crawl's parts into the zoo with store.MergeParts, as
// the package documentation describes; the manifest's provenance carries
// the watermark. Killed after the commit, before its checkpoint says so, a
// crawl finds its own id in the manifest and only cleans up.
func (c *crawl) commit(ctx context.Context) error {
	c.progressDurable()
	m, err := store.ReadManifest(c.opt.Out)
	if err != nil && !errors.Is(err, store.ErrNotZoo) {
		return err
	}
	if c.recorded(m) {
		c.mu.Lock()
		c.st.TableRows = m.Tables[c.repoTable()].Rows
		c.mu.Unlock()
	} else {
		c.log.Info("crawl: merging into the zoo", "kind", c.opt.Kind, "parts", len(c.st.Parts), "repos", c.st.Counts.Repos)
		c.mu.Lock()
		c.st.Watermark = c.watermark()
		c.mu.Unlock()
		// About as many keys as repos in the parts and the zoo.
		keys := int(c.st.Counts.Repos)
		if m != nil {
			keys += int(m.Tables[c.repoTable()].Rows)
		}
		var res store.PartsMerged
		if c.opt.Kind == KindDatasets {
			res, err = store.MergeParts(ctx, c.opt.Out, mergeSpec(c, "dataset", func(d *store.Dataset) (string, string, time.Time, string) {
				return d.HubOID, d.DatasetID, d.LastModified, d.Source
			}, "dataset_id", keys), c.provenance())
		} else {
			res, err = store.MergeParts(ctx, c.opt.Out, mergeSpec(c, "model", func(m *store.Model) (string, string, time.Time, string) {
				return m.HubOID, m.ModelID, m.LastModified, m.Source
			}, "model_id", keys), c.provenance())
		}
		if err != nil {
			return err
		}
		c.mu.Lock()
		c.st.TableRows, c.st.NewRows = res.Rows, res.NewRows
		c.mu.Unlock()
	}
	c.st.Phase = phaseCommitted
	if err := c.st.save(c.dir); err != nil {
		return err
	}
	c.progressDurable()
	return nil
}

// mergeSpec is the merge of the crawl's parts for repo rows T; key reads a
// row's _id, id, lastModified and source (idCol is the id's column), keys
// is about how many repos there are.
func mergeSpec[T store.Row](c *crawl, repoType string, key func(*T) (oid, id string, lm time.Time, source string), idCol string, keys int) store.Parts[T] {
	spec := store.Parts[T]{
		Key: func(r *T) string {
			oid, id, _, _ := key(r)
			return dedupeKey(oid, id)
		},
		Version: func(r *T) int64 {
			_, _, lm, _ := key(r)
			if lm.IsZero() {
				return 0
			}
			return lm.UnixMicro()
		},
		Owner: func(r *T) string {
			_, id, _, _ := key(r)
			return id
		},
		Keep: func(r *T) bool {
			_, _, _, source := key(r)
			return source != SourceHub
		},
		KeyColumns: []string{idCol, "hub_oid", "last_modified", "source"},
		Keys:       keys,
	}
	var evals, cards []string
	for _, p := range c.st.Parts {
		spec.Files = append(spec.Files, c.partPath(store.TableName[T](), p.Seq))
		evals = append(evals, c.partPathIf(store.TableEvals, p.Seq, p.Evals))
		cards = append(cards, c.partPathIf(store.TableCards, p.Seq, p.Cards))
	}
	if repoType == "model" {
		spec.Dependents = append(spec.Dependents, store.DependentParts(evals, func(e *store.Eval) string {
			if e.Source != EvalSourceCard && e.Source != EvalSourceCardData {
				return "" // another source's: kept
			}
			return e.ModelID
		}))
	}
	if c.st.Query.Cards {
		// Sparse: a README not fetched leaves the zoo's card; a gone one takes it.
		spec.Dependents = append(spec.Dependents, store.SparseDependentParts(cards, func(r *store.Card) string {
			if r.RepoType != repoType {
				return "" // another kind's card: kept
			}
			return r.RepoID
		}, func(r *store.Card) bool { return r.FetchedAt.IsZero() }, "repo_type", "repo_id"))
	}
	return spec
}

// recorded reports whether the zoo's manifest already records this crawl:
// it was committed, and killed before its checkpoint said so.
func (c *crawl) recorded(m *store.Manifest) bool {
	if m == nil || c.st.ID == "" {
		return false
	}
	for _, p := range m.Provenance {
		if p.Source == SourceHub && p.Detail["crawl.id"] == c.st.ID {
			return true
		}
	}
	return false
}

// newCrawlID names a crawl in its checkpoint and in the zoo's provenance.
func newCrawlID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// watermark is where the next incremental crawl may start: the newest
// lastModified seen, but no later than the crawl's start (minus a margin
// for clock skew), because repos modified while the crawl ran may have
// been listed before the change. Only a crawl that saw the whole listing
// (or reached its cut-off, not after the zoo's watermark: Gap) has one.
func (c *crawl) watermark() time.Time {
	st := c.st
	if st.Stop != stopEnd && st.Stop != stopWatermark || st.Query.Gap {
		return time.Time{}
	}
	wm := st.MaxLast
	if bound := st.StartedAt.Add(-c.opt.WatermarkSkew); !wm.IsZero() && wm.After(bound) {
		wm = bound
	}
	if wm.Before(st.Query.Since) {
		wm = st.Query.Since
	}
	return wm.UTC()
}

// provenance describes the crawl in the zoo manifest. It never holds the
// token; the endpoint cannot carry credentials (hub.New refuses them).
func (c *crawl) provenance() store.Provenance {
	st := c.st
	q := st.Query
	d := map[string]string{
		"crawl.id":    st.ID,
		"crawl.kind":  string(q.Kind),
		"crawl.query": q.signature(),
		"crawl.sort":  q.Sort,
		"crawl.stop":  st.Stop,
		// What was fetched per repo: a watermark serves a crawl that
		// fetches no more (watermarkOf).
		"crawl.cards":   strconv.FormatBool(q.Cards),
		"crawl.details": strconv.FormatBool(q.Details),
		"endpoint":      q.Endpoint,
		"pages":         strconv.FormatInt(st.Counts.Pages, 10),
		"listed":        strconv.FormatInt(st.Counts.Listed, 10),
		"cards":         strconv.FormatInt(st.Counts.Cards, 10),
		"evals":         strconv.FormatInt(st.Counts.Evals, 10),
		"started_at":    st.StartedAt.Format(time.RFC3339),
	}
	if !q.Since.IsZero() {
		d["crawl.since"] = q.Since.Format(time.RFC3339Nano)
	}
	if !st.Watermark.IsZero() {
		d["crawl.watermark"] = st.Watermark.Format(time.RFC3339Nano)
	}
	cmd := "zoograph crawl " + string(q.Kind)
	if c.opt.Command != nil {
		cmd = c.opt.Command(Options{Kind: q.Kind, Out: c.opt.Out, Endpoint: d["endpoint"], Filter: q.Filter, Search: q.Search, Author: q.Author,
			Sort: q.Sort, Limit: q.Limit, Cards: q.Cards, Details: q.Details, Since: q.Since, Full: q.Full || c.opt.Full})
	}
	return store.Provenance{Source: SourceHub, Command: cmd, Detail: d}
}

// watermarkOf returns the watermark of the zoo's last complete crawl with
// q's kind and signature that fetched READMEs and details if q does (the
// repos it did not list would lack them otherwise), or the zero time.
func watermarkOf(m *store.Manifest, q query) time.Time {
	if m == nil {
		return time.Time{}
	}
	for i := len(m.Provenance) - 1; i >= 0; i-- {
		p := m.Provenance[i]
		if p.Source != SourceHub || p.Detail["crawl.kind"] != string(q.Kind) || p.Detail["crawl.query"] != q.signature() ||
			q.Cards && p.Detail["crawl.cards"] != "true" || q.Details && p.Detail["crawl.details"] != "true" {
			continue
		}
		v := p.Detail["crawl.watermark"]
		if v == "" {
			continue
		}
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t
		}
	}
	return time.Time{}
}
