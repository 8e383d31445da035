package hubtest

import (
	"slices"
	"sort"
)

// repoKind is a repository type.
type repoKind int

// Repository types the replica serves.
const (
	kindModel repoKind = iota
	kindDataset
)

func (k repoKind) String() string {
	if k == kindDataset {
		return "dataset"
	}
	return "model"
}

func (k repoKind) plural() string { return k.String() + "s" }

// Key orders. The model detail order is the one of the recorded responses
// of real GET /api/models/{id} answers; the default list item is the one
// reported for GET /api/models by client issue threads. Dataset orders and the
// "full" list orders are not recorded anywhere and are the replica's own.
var (
	modelDetailKeys = []string{
		"_id", "id", "private", "pipeline_tag", "library_name", "tags", "downloads", "likes",
		"modelId", "author", "sha", "lastModified", "gated", "disabled", "mask_token",
		"widgetData", "model-index", "config", "cardData", "transformersInfo", "siblings",
		"spaces", "createdAt", "safetensors", "inference", "usedStorage",
	}
	// modelExpandKeys is the order of expanded keys: the detail order,
	// then keys only seen with expand.
	modelExpandKeys = append(slices.Clone(modelDetailKeys),
		"downloadsAllTime", "trendingScore", "inferenceProviderMapping", "gguf",
		"evalResults", "resourceGroup", "baseModels", "childrenModelCount")
	modelListKeys = []string{
		"_id", "id", "likes", "trendingScore", "private", "downloads", "tags",
		"pipeline_tag", "library_name", "createdAt", "modelId",
	}
	modelFullKeys = []string{
		"_id", "id", "author", "sha", "lastModified", "private", "gated", "disabled",
		"likes", "trendingScore", "downloads", "tags", "pipeline_tag", "library_name",
		"createdAt", "modelId", "siblings",
	}

	datasetDetailKeys = []string{
		"_id", "id", "author", "sha", "lastModified", "private", "gated", "disabled",
		"tags", "citation", "description", "downloads", "likes", "paperswithcode_id",
		"cardData", "siblings", "createdAt", "usedStorage",
	}
	datasetExpandKeys = append(slices.Clone(datasetDetailKeys),
		"downloadsAllTime", "trendingScore", "mainSize", "resourceGroup")
	datasetListKeys = []string{
		"_id", "id", "author", "sha", "lastModified", "private", "gated", "disabled",
		"downloads", "likes", "tags", "trendingScore", "createdAt",
	}
	datasetFullKeys = append(slices.Clone(datasetListKeys),
		"description", "citation", "paperswithcode_id", "cardData", "siblings")
)

// Keys allowed in expand, as huggingface_hub lists them. Detail-only keys are rejected in
// listings with 400.
var (
	modelListExpand = setOf("author", "cardData", "config", "createdAt", "disabled", "downloads",
		"downloadsAllTime", "evalResults", "gated", "gguf", "inference", "inferenceProviderMapping",
		"lastModified", "library_name", "likes", "mask_token", "model-index", "pipeline_tag",
		"private", "safetensors", "sha", "siblings", "spaces", "tags", "transformersInfo",
		"trendingScore", "widgetData", "resourceGroup")
	modelDetailOnlyExpand = setOf("baseModels", "childrenModelCount", "usedStorage")
	datasetExpand         = setOf("author", "cardData", "citation", "createdAt", "description",
		"disabled", "downloads", "downloadsAllTime", "gated", "lastModified", "likes", "mainSize",
		"paperswithcode_id", "private", "resourceGroup", "sha", "siblings", "tags",
		"trendingScore", "usedStorage")
)

func setOf(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// selection says which keys of a repo a response carries.
type selection struct {
	keys           []string // in output order
	list           bool     // listing: inferenceProviderMapping as an array
	detail         bool     // detail: Extra keys not in keys are appended
	blobs          bool     // siblings with blobId, size, lfs
	securityStatus bool
}

// expandSelection orders the requested keys canonically after _id, id.
func expandSelection(k repoKind, expand []string) []string {
	want := setOf(expand...)
	order := modelExpandKeys
	if k == kindDataset {
		order = datasetExpandKeys
	}
	keys := []string{"_id", "id"}
	for _, key := range order {
		if want[key] && key != "_id" && key != "id" {
			keys = append(keys, key)
			delete(want, key)
		}
	}
	rest := make([]string, 0, len(want))
	for key := range want {
		if key != "_id" && key != "id" {
			rest = append(rest, key)
		}
	}
	sort.Strings(rest)
	return append(keys, rest...)
}

// encodeRepo appends r's JSON object for sel.
func (h *Hub) encodeRepo(b []byte, k repoKind, r *Repo, sel *selection) []byte {
	o := obj{b: b}
	o.open()
	for _, key := range sel.keys {
		h.member(&o, k, r, key, sel)
	}
	if sel.detail && len(r.Extra) > 0 {
		var rest []string
		for key := range r.Extra {
			if !slices.Contains(sel.keys, key) {
				rest = append(rest, key)
			}
		}
		sort.Strings(rest)
		for _, key := range rest {
			o.any(key, r.Extra[key])
		}
	}
	if sel.securityStatus {
		o.key("securityRepoStatus")
		o.b = append(o.b, `{"scansDone":true,"filesWithIssues":[]}`...)
	}
	o.close()
	return o.b
}

// member writes one key of r if r has a value for it.
func (h *Hub) member(o *obj, k repoKind, r *Repo, key string, sel *selection) bool {
	switch key {
	case "_id":
		o.str(key, r.OID)
	case "id":
		o.str(key, r.ID)
	case "modelId":
		if k != kindModel {
			return false
		}
		o.str(key, r.ID)
	case "author":
		owner := r.Owner()
		if owner == "" {
			return false
		}
		o.str(key, owner)
	case "sha":
		o.str(key, r.SHA)
	case "createdAt":
		o.time(key, r.CreatedAt)
	case "lastModified":
		o.time(key, r.LastModified)
	case "private":
		o.bool(key, r.Private)
	case "disabled":
		o.bool(key, r.Disabled)
	case "gated":
		if r.Gated == "" {
			o.bool(key, false)
		} else {
			o.str(key, r.Gated)
		}
	case "downloads":
		o.int(key, r.Downloads)
	case "downloadsAllTime":
		o.int(key, r.DownloadsAllTime)
	case "likes":
		o.int(key, r.Likes)
	case "trendingScore":
		if r.TrendingScore == nil {
			return false
		}
		o.key(key)
		o.b = appendFloat(o.b, *r.TrendingScore)
	case "tags":
		o.strs(key, r.Tags)
	case "pipeline_tag":
		if k != kindModel || r.PipelineTag == "" {
			return false
		}
		o.str(key, r.PipelineTag)
	case "library_name":
		if k != kindModel || r.LibraryName == "" {
			return false
		}
		o.str(key, r.LibraryName)
	case "cardData":
		if r.CardData == nil {
			return false
		}
		o.any(key, r.CardData)
	case "model-index":
		if k != kindModel {
			return false
		}
		if v, ok := r.Extra[key]; ok {
			o.any(key, v)
		} else if r.CardData != nil {
			o.any(key, r.CardData["model-index"]) // null when absent
		} else {
			return false
		}
	case "config":
		if k != kindModel || r.Config == nil {
			return false
		}
		o.any(key, r.Config)
	case "safetensors":
		if k != kindModel || r.Safetensors == nil {
			return false
		}
		o.key(key)
		o.b = append(o.b, `{"parameters":`...)
		o.b = appendAny(o.b, r.Safetensors.Parameters)
		o.b = append(o.b, `,"total":`...)
		o.b = appendAny(o.b, r.Safetensors.Total)
		o.b = append(o.b, '}')
	case "siblings":
		o.key(key)
		o.b = appendSiblings(o.b, r.Siblings, sel.blobs)
	case "spaces":
		if k != kindModel {
			return false
		}
		o.key(key)
		if r.Spaces == nil {
			o.b = append(o.b, "[]"...)
		} else {
			o.b = appendStrings(o.b, r.Spaces)
		}
	case "usedStorage":
		o.int(key, r.UsedStorage)
	case "description":
		if k != kindDataset || r.Description == "" {
			return false
		}
		o.str(key, r.Description)
	case "citation":
		if k != kindDataset || r.Citation == "" {
			return false
		}
		o.str(key, r.Citation)
	case "paperswithcode_id":
		if k != kindDataset {
			return false
		}
		if r.PapersWithCodeID == "" {
			o.any(key, nil)
		} else {
			o.str(key, r.PapersWithCodeID)
		}
	case "baseModels":
		if v, ok := r.Extra[key]; ok {
			o.any(key, v)
			return true
		}
		return h.baseModels(o, r)
	case "inferenceProviderMapping":
		v, ok := r.Extra[key]
		if !ok {
			return false
		}
		if m, isMap := v.(map[string]any); isMap && sel.list {
			v = providerArray(m)
		}
		o.any(key, v)
	default:
		v, ok := r.Extra[key]
		if !ok {
			return false
		}
		o.any(key, v)
	}
	return true
}

// providerArray turns the detail shape of inferenceProviderMapping (an
// object keyed by provider) into the list shape (an array).
func providerArray(m map[string]any) []any {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]any, 0, len(m))
	for _, n := range names {
		e := map[string]any{"provider": n}
		if inner, ok := m[n].(map[string]any); ok {
			for k, v := range inner {
				e[k] = v
			}
		}
		out = append(out, e)
	}
	return out
}

// baseModels derives the detail-only baseModels key from the card's
// base_model, with the _id of each base the replica knows.
func (h *Hub) baseModels(o *obj, r *Repo) bool {
	var ids []string
	switch v := r.CardData["base_model"].(type) {
	case string:
		ids = []string{v}
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok {
				ids = append(ids, s)
			}
		}
	case []string:
		ids = v
	}
	if len(ids) == 0 {
		return false
	}
	o.key("baseModels")
	o.b = append(o.b, `{"models":[`...)
	for i, id := range ids {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		m := obj{b: o.b}
		m.open()
		if oid, ok := h.oidOf(kindModel, id); ok {
			m.str("_id", oid)
		}
		m.str("id", id)
		m.close()
		o.b = m.b
	}
	o.b = append(o.b, `],"relation":"finetune"}`...)
	return true
}

func appendSiblings(b []byte, sibs []Sibling, blobs bool) []byte {
	b = append(b, '[')
	for i, s := range sibs {
		if i > 0 {
			b = append(b, ',')
		}
		o := obj{b: b}
		o.open()
		o.str("rfilename", s.RFilename)
		if blobs {
			if s.BlobID != "" {
				o.str("blobId", s.BlobID)
			}
			o.int("size", s.Size)
			if s.LFS != nil {
				o.key("lfs")
				l := obj{b: o.b}
				l.open()
				l.str("sha256", s.LFS.SHA256)
				l.int("size", s.LFS.Size)
				l.int("pointerSize", s.LFS.PointerSize)
				l.close()
				o.b = l.b
			}
		}
		o.close()
		b = o.b
	}
	return append(b, ']')
}
