package hubtest

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// listQuery is a parsed listing request.
type listQuery struct {
	search string // lower case
	author string
	filter []string // tags, the pipeline tag or the library
	sort   string
	limit  int
	sel    selection
	parts  parts // what generated repos must build for sel
	cursor *cheap
}

// partsFor maps the keys of a selection to the generated parts they need.
func partsFor(keys []string) parts {
	var p parts
	for _, k := range keys {
		switch k {
		case "cardData", "model-index", "baseModels":
			p |= partCardData
		case "siblings":
			p |= partSiblings
		}
	}
	return p
}

// expandValues collects expand and expand[] (both spellings are accepted).
func expandValues(v url.Values) []string {
	out := append([]string(nil), v["expand"]...)
	return append(out, v["expand[]"]...)
}

func (h *Hub) parseList(v url.Values, k repoKind) (*listQuery, string) {
	q := &listQuery{
		search: strings.ToLower(v.Get("search")),
		author: v.Get("author"),
		filter: v["filter"],
		sort:   v.Get("sort"),
		limit:  h.opt.PageSize,
	}
	if q.sort != "" && !sortKeys[q.sort] {
		return nil, fmt.Sprintf("Invalid sort parameter: %q", q.sort)
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n <= 0 {
			return nil, fmt.Sprintf("Invalid limit parameter: %q", l)
		}
		q.limit = min(n, maxPageSize)
	}
	// direction is accepted and ignored: the Hub only sorts descending.
	if exp := expandValues(v); len(exp) > 0 {
		allowed := modelListExpand
		if k == kindDataset {
			allowed = datasetExpand
		}
		for _, e := range exp {
			if k == kindModel && modelDetailOnlyExpand[e] {
				return nil, fmt.Sprintf("%q can only be expanded on a single model", e)
			}
			if !allowed[e] {
				return nil, fmt.Sprintf("Invalid expand parameter: %q", e)
			}
		}
		q.sel.keys = expandSelection(exp)
	} else if k == kindModel {
		q.sel.keys = modelListKeys
	} else {
		q.sel.keys = datasetListKeys
	}
	q.parts = partsFor(q.sel.keys)
	if c := v.Get("cursor"); c != "" {
		cur, err := decodeCursor(c, q.sort)
		if err != nil {
			return nil, "Invalid cursor"
		}
		q.cursor = cur
	}
	return q, ""
}

// listItem is one repo of a page: a stored repo, or a generated one that
// is built (outside the lock) from its index.
type listItem struct {
	gen  int
	repo *Repo
}

// list answers GET /api/models and /api/datasets (see the package doc).
func (h *Hub) list(w *recorder, r *http.Request, st *request, k repoKind) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, http.StatusBadRequest, "", "Invalid query string")
		return
	}
	q, msg := h.parseList(v, k)
	if msg != "" {
		writeError(w, http.StatusBadRequest, "", msg)
		return
	}

	// Select the page under the read lock; build it without the lock
	// (generated repos are pure functions of the zoo, stored ones are
	// never modified in place).
	h.mu.RLock()
	c := h.coll(k)
	order := c.order(q.sort)
	start := 0
	if q.cursor != nil {
		start = sort.Search(len(order), func(i int) bool {
			ch := c.cheap(int(order[i]), q.sort)
			return less(&ch, q.cursor, q.sort) > 0
		})
	}
	items := make([]listItem, 0, min(q.limit, len(order)-start))
	more := false
	var last cheap
	filtered := q.search != "" || q.author != "" || len(q.filter) > 0
	for i := start; i < len(order); i++ {
		hd := int(order[i])
		ch := c.cheap(hd, q.sort)
		if ch.private && !st.authed {
			continue
		}
		it := listItem{gen: hd}
		if hd >= c.gen || filtered {
			it.repo = c.repo(hd, q.parts) // stored, or built to be filtered
		}
		if filtered && !q.matches(it.repo) {
			continue
		}
		if len(items) == q.limit {
			more = true
			break
		}
		items = append(items, it)
		last = ch
	}
	h.mu.RUnlock()

	objs := make([]object, len(items))
	for i, it := range items {
		if it.repo == nil {
			it.repo = c.repo(it.gen, q.parts)
		}
		objs[i] = h.repoObject(k, it.repo, &q.sel)
	}
	if more {
		w.Header().Set("Link", "<"+nextURL(r, encodeCursor(&last, q.sort))+`>; rel="next"`)
	}
	h.writeBody(w, st, "application/json; charset=utf-8", marshal(objs))
}

// nextURL is the request URL (host as the client reached the replica,
// which serves plain http) with every original parameter and the new
// cursor.
func nextURL(r *http.Request, cursor string) string {
	var q []string
	for _, p := range strings.Split(r.URL.RawQuery, "&") {
		if p == "" || p == "cursor" || strings.HasPrefix(p, "cursor=") {
			continue
		}
		q = append(q, p)
	}
	q = append(q, "cursor="+url.QueryEscape(cursor))
	return "http://" + r.Host + r.URL.EscapedPath() + "?" + strings.Join(q, "&")
}

// The cursor is opaque to clients: base64 of the sort key, the _id of the
// last item served and its sort value ("null" when it has none). The next
// page starts after that item in (key descending, _id ascending, nulls
// last) order.
func encodeCursor(ch *cheap, sortKey string) string {
	v := "null"
	if !ch.null {
		v = strconv.FormatFloat(ch.key, 'g', -1, 64)
	}
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%s|%x|%s", sortKey, ch.oid, v))
}

func decodeCursor(s, sortKey string) (*cheap, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	f := strings.Split(string(raw), "|")
	if err != nil || len(f) != 3 || f[0] != sortKey || !hexOID.MatchString(f[1]) {
		return nil, errors.New("not a cursor of this listing")
	}
	ch := &cheap{null: f[2] == "null"}
	hex.Decode(ch.oid[:], []byte(f[1]))
	if !ch.null {
		if ch.key, err = strconv.ParseFloat(f[2], 64); err != nil || math.IsNaN(ch.key) {
			return nil, errors.New("bad cursor value")
		}
	}
	return ch, nil
}

// lookup finds a repo for a detail or resolve request, answering the
// request itself when the repo is missing, moved, private, disabled or the
// revision unknown. The caller holds the read lock.
func (h *Hub) lookup(w *recorder, r *http.Request, st *request, k repoKind, rt route, location func(newID string) string) (*Repo, bool) {
	c := h.coll(k)
	hd, ok := c.find(rt.id)
	if !ok {
		if to, moved := c.moved[rt.id]; moved { // renamed: its current id
			loc := location(to)
			if r.URL.RawQuery != "" {
				loc += "?" + r.URL.RawQuery
			}
			redirect(w, loc)
			return nil, false
		}
		notFound(w, st)
		return nil, false
	}
	repo := c.repo(hd, partAll)
	switch {
	case repo.Private && !st.authed:
		notFound(w, st)
		return nil, false
	case repo.Disabled:
		writeError(w, http.StatusForbidden, "", "Access to this resource is disabled.")
		return nil, false
	case rt.rev != "" && rt.rev != "main" && rt.rev != "HEAD" && rt.rev != repo.SHA:
		writeError(w, http.StatusNotFound, "RevisionNotFound", "Invalid rev id: "+rt.rev)
		return nil, false
	}
	return repo, true
}

// detail answers GET /api/{models|datasets}/{id}.
func (h *Hub) detail(w *recorder, r *http.Request, st *request, k repoKind, rt route) {
	v := r.URL.Query()
	sel := selection{detail: true}
	if exp := expandValues(v); len(exp) > 0 {
		for _, e := range exp {
			ok := datasetExpand[e]
			if k == kindModel {
				ok = modelListExpand[e] || modelDetailOnlyExpand[e]
			}
			if !ok {
				writeError(w, http.StatusBadRequest, "", fmt.Sprintf("Invalid expand parameter: %q", e))
				return
			}
		}
		sel.keys, sel.detail = expandSelection(exp), false
	} else if k == kindModel {
		sel.keys = modelDetailKeys
	} else {
		sel.keys = datasetDetailKeys
	}

	h.mu.RLock()
	repo, ok := h.lookup(w, r, st, k, rt, func(to string) string { return "/api/" + k.plural() + "/" + to })
	var body []byte
	if ok {
		body = marshal(h.repoObject(k, repo, &sel))
	}
	h.mu.RUnlock()
	if ok {
		h.writeBody(w, st, "application/json; charset=utf-8", body)
	}
}

// resolve answers /{id}/resolve/{rev}/{file} and its datasets/ and
// resolve-cache forms (see the package doc).
func (h *Hub) resolve(w *recorder, r *http.Request, st *request, k repoKind, rt route) {
	prefix := "/"
	if k == kindDataset {
		prefix = "/datasets/"
	}
	h.mu.RLock()
	repo, ok := h.lookup(w, r, st, k, rt, func(to string) string { return prefix + to + rt.rest })
	var content []byte
	var sha string
	if ok {
		sha = repo.SHA
		switch {
		case repo.Gated != "" && !(st.authed && repo.Approved):
			gated(w, st, k, repo.ID)
			ok = false
		case rt.file == "README.md" && repo.Card != nil:
			content = repo.Card
		default:
			writeError(w, http.StatusNotFound, "EntryNotFound", "Entry not found")
			ok = false
		}
	}
	h.mu.RUnlock()
	if !ok {
		return
	}
	etag := `"` + blobSHA(content) + `"`
	hd := w.Header()
	hd.Set("X-Repo-Commit", sha)
	hd.Set("ETag", etag)
	hd.Set("Accept-Ranges", "bytes")
	if h.opt.ResolveCache && rt.name != "resolve-cache" {
		id := strings.Split(repo.ID, "/")
		for i := range id {
			id[i] = url.PathEscape(id[i])
		}
		hd.Del("ETag")
		redirect(w, fmt.Sprintf("/api/resolve-cache/%s/%s/%s/%s?etag=%s",
			k.plural(), strings.Join(id, "/"), sha, url.PathEscape(rt.file), url.QueryEscape(etag)))
		return
	}
	h.writeBody(w, st, "text/plain; charset=utf-8", content)
}
