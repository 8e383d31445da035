package hubtest

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// collection holds the repos of one kind: the generated zoo (indices
// 0..gen-1, materialised on demand) plus explicit repos (added, or
// generated ones that were modified, renamed or deleted, which then shadow
// their generated slot).
//
// A handle names a repo: h < gen is generated repo h, h >= gen is
// explicit slot h-gen.
type collection struct {
	kind repoKind
	zoo  Zoo
	gen  int

	explicit []*Repo        // nil slot: deleted
	byID     map[string]int // id → handle, explicit repos only
	shadow   map[int]bool   // generated index replaced by an explicit slot (or deleted)
	moved    map[string]string

	version uint64 // bumped by every change; invalidates the sort indexes

	permMu sync.Mutex
	perms  map[string]*perm
}

type perm struct {
	version uint64
	order   []uint32
}

func newCollection(k repoKind, z Zoo) *collection {
	n := z.Models
	if k == kindDataset {
		n = z.Datasets
	}
	return &collection{
		kind:   k,
		zoo:    z,
		gen:    max(n, 0),
		byID:   map[string]int{},
		shadow: map[int]bool{},
		moved:  map[string]string{},
		perms:  map[string]*perm{},
	}
}

// find returns the handle of the repo with id.
func (c *collection) find(id string) (int, bool) {
	if h, ok := c.byID[id]; ok {
		return h, true
	}
	i, ok := c.zoo.lookup(c.kind, id)
	if !ok || c.shadow[i] {
		return 0, false
	}
	return i, true
}

// repo materialises the parts p of handle h (explicit repos are always
// whole).
func (c *collection) repo(h int, p parts) *Repo {
	if h >= c.gen {
		return c.explicit[h-c.gen]
	}
	var r Repo
	if c.kind == kindModel {
		r = c.zoo.model(h, p)
	} else {
		r = c.zoo.dataset(h, p)
	}
	return &r
}

// cheap is what listing needs of every scanned repo without building it.
type cheap struct {
	private bool
	oid     [12]byte
	key     float64
	null    bool
}

func (c *collection) cheap(h int, sortKey string) cheap {
	var m meta
	if h < c.gen {
		m = c.zoo.meta(c.kind, h)
	} else {
		m = storedMeta(c.explicit[h-c.gen])
	}
	ch := cheap{private: m.private, oid: m.oid}
	switch sortKey {
	case "downloads":
		ch.key = float64(m.downloads)
	case "downloadsAllTime":
		ch.key = float64(m.all)
	case "likes":
		ch.key = float64(m.likes)
	case "createdAt":
		ch.key = float64(m.created.UnixMilli())
	case "lastModified":
		ch.key = float64(m.modified.UnixMilli())
	case "trendingScore":
		ch.key, ch.null = m.trending, !m.hasTrending
	}
	return ch
}

// storedMeta is the part of a stored repo that listing reads, in the shape
// of a generated repo's meta. Its dates are never zero (fillDerived).
func storedMeta(r *Repo) meta {
	m := meta{created: r.CreatedAt, modified: r.LastModified, downloads: r.Downloads,
		all: r.DownloadsAllTime, likes: r.Likes, private: r.Private}
	if r.TrendingScore != nil {
		m.trending, m.hasTrending = *r.TrendingScore, true
	}
	if b, err := hex.DecodeString(r.OID); err == nil && len(b) == 12 {
		copy(m.oid[:], b)
	}
	return m
}

// sortKeys the replica sorts by. "" orders by _id ascending.
var sortKeys = setOf("downloads", "downloadsAllTime", "likes", "createdAt", "lastModified", "trendingScore")

// less orders the listing: key descending, nulls last, ties by _id
// ascending, as the Hub's cursors do. With no sort key, _id ascending.
func less(a, b *cheap, sortKey string) int {
	if sortKey != "" {
		switch {
		case a.null != b.null:
			if a.null {
				return 1
			}
			return -1
		case a.null:
		case a.key > b.key:
			return -1
		case a.key < b.key:
			return 1
		}
	}
	return bytes.Compare(a.oid[:], b.oid[:])
}

// order returns every live handle sorted for sortKey, cached until the
// next change. The caller holds the hub's read lock.
func (c *collection) order(sortKey string) []uint32 {
	c.permMu.Lock()
	defer c.permMu.Unlock()
	if p, ok := c.perms[sortKey]; ok && p.version == c.version {
		return p.order
	}
	n := c.gen + len(c.explicit)
	type ent struct {
		h uint32
		cheap
	}
	ents := make([]ent, 0, n)
	for h := 0; h < c.gen; h++ {
		if !c.shadow[h] {
			ents = append(ents, ent{uint32(h), c.cheap(h, sortKey)})
		}
	}
	for j, r := range c.explicit {
		if r != nil {
			h := c.gen + j
			ents = append(ents, ent{uint32(h), c.cheap(h, sortKey)})
		}
	}
	slices.SortFunc(ents, func(a, b ent) int { return less(&a.cheap, &b.cheap, sortKey) })
	order := make([]uint32, len(ents))
	for i, e := range ents {
		order[i] = e.h
	}
	c.perms[sortKey] = &perm{version: c.version, order: order}
	return order
}

// put stores r (already validated and derived) under its id, replacing a
// repo with the same id.
func (c *collection) put(r *Repo) {
	if h, ok := c.find(r.ID); ok {
		c.remove(h)
	}
	c.explicit = append(c.explicit, r)
	c.byID[r.ID] = c.gen + len(c.explicit) - 1
	delete(c.moved, r.ID)
	c.version++
}

// remove deletes handle h.
func (c *collection) remove(h int) {
	if h < c.gen {
		c.shadow[h] = true
	} else {
		r := c.explicit[h-c.gen]
		delete(c.byID, r.ID)
		c.explicit[h-c.gen] = nil
	}
	c.version++
}

// update applies fn to a private copy of repo id and stores it.
func (c *collection) update(id string, fn func(*Repo)) error {
	h, ok := c.find(id)
	if !ok {
		return fmt.Errorf("hubtest: no %s %q", c.kind, id)
	}
	r := c.repo(h, partAll).clone()
	fn(r)
	if r.ID != id {
		return fmt.Errorf("hubtest: update must not change the id (use Rename)")
	}
	r.fillDerived()
	c.put(r)
	return nil
}

// rename moves repo old to new; old (and any id that redirected to old)
// then answers 307 to new.
func (c *collection) rename(oldID, newID string) error {
	if !validID(newID) {
		return fmt.Errorf("hubtest: invalid repo id %q", newID)
	}
	h, ok := c.find(oldID)
	if !ok {
		return fmt.Errorf("hubtest: no %s %q", c.kind, oldID)
	}
	if _, taken := c.find(newID); taken {
		return fmt.Errorf("hubtest: %s %q exists", c.kind, newID)
	}
	r := c.repo(h, partAll).clone()
	c.remove(h)
	r.ID = newID
	c.put(r)
	for from, to := range c.moved {
		if to == oldID {
			c.moved[from] = newID
		}
	}
	c.moved[oldID] = newID
	return nil
}

// oidOf returns the _id of repo id, if present.
func (c *collection) oidOf(id string) (string, bool) {
	h, ok := c.find(id)
	if !ok {
		return "", false
	}
	return c.repo(h, 0).OID, true
}

// matches applies the listing filters to repo r.
func (q *listQuery) matches(r *Repo) bool {
	if q.author != "" && r.Owner() != q.author {
		return false
	}
	if q.search != "" && !strings.Contains(strings.ToLower(r.ID), q.search) {
		return false
	}
	for _, f := range q.filter {
		if !slices.Contains(r.Tags, f) && r.PipelineTag != f && r.LibraryName != f {
			return false
		}
	}
	return true
}
