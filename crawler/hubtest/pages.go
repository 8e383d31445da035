package hubtest

import (
	"container/list"
	"net/http"
	"strconv"
	"sync"
)

// pageCache keeps encoded listing pages, least recently used out first,
// within a byte budget (Options.PageCache). A page is a pure function of
// the request and of the replica's repos, so an entry is good until the
// repos change: every change bumps Hub.version, and an entry built under
// an older version is never served.
type pageCache struct {
	max int

	mu    sync.Mutex
	size  int
	byKey map[string]*list.Element
	lru   list.List // of *page, most recent first
}

type page struct {
	key     string
	version uint64
	link    string // the Link header, "" on the last page
	body    []byte
}

func newPageCache(max int) *pageCache {
	if max <= 0 {
		return nil
	}
	return &pageCache{max: max, byKey: map[string]*list.Element{}}
}

// key identifies what the page depends on besides the repos: the kind,
// whether the caller may see private repos, the scheme and host the Link
// is built from, and every query parameter.
func (pc *pageCache) key(k repoKind, authed bool, r *http.Request) string {
	if pc == nil {
		return ""
	}
	return strconv.Itoa(int(k)) + "|" + strconv.FormatBool(authed) + "|" + strconv.FormatBool(r.TLS != nil) + "|" + r.Host + "|" + r.URL.RawQuery
}

// get returns the page stored under key for the given version, or nil.
func (pc *pageCache) get(key string, version uint64) *page {
	if pc == nil {
		return nil
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	e := pc.byKey[key]
	if e == nil {
		return nil
	}
	p := e.Value.(*page)
	if p.version != version {
		pc.drop(e)
		return nil
	}
	pc.lru.MoveToFront(e)
	return p
}

// put stores p under key, evicting the least recently used pages beyond
// the budget. A page larger than the whole budget is not kept.
func (pc *pageCache) put(key string, p *page) {
	if pc == nil || len(p.body) > pc.max {
		return
	}
	p.key = key
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if e := pc.byKey[key]; e != nil {
		pc.drop(e)
	}
	pc.byKey[key] = pc.lru.PushFront(p)
	pc.size += len(p.body)
	for pc.size > pc.max {
		pc.drop(pc.lru.Back())
	}
}

func (pc *pageCache) drop(e *list.Element) {
	p := pc.lru.Remove(e).(*page)
	delete(pc.byKey, p.key)
	pc.size -= len(p.body)
}
