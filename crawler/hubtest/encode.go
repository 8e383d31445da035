package hubtest

import (
	"bytes"
	"encoding/json"
	"slices"
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

// The keys of a detail and of a default list item: those of the recorded
// responses of real GET /api/models/{id} answers and those reported for GET
// /api/models by client issue threads. Dataset keys are not recorded
// anywhere and are the replica's own.
var (
	modelDetailKeys = []string{
		"_id", "id", "private", "pipeline_tag", "library_name", "tags", "downloads", "likes",
		"modelId", "author", "sha", "lastModified", "gated", "disabled", "mask_token",
		"widgetData", "model-index", "config", "cardData", "transformersInfo", "siblings",
		"spaces", "createdAt", "safetensors", "inference", "usedStorage",
	}
	modelListKeys = []string{
		"_id", "id", "likes", "trendingScore", "private", "downloads", "tags",
		"pipeline_tag", "library_name", "createdAt", "modelId",
	}
	datasetDetailKeys = []string{
		"_id", "id", "author", "sha", "lastModified", "private", "gated", "disabled",
		"tags", "citation", "description", "downloads", "likes", "paperswithcode_id",
		"cardData", "siblings", "createdAt", "usedStorage",
	}
	datasetListKeys = []string{
		"_id", "id", "author", "sha", "lastModified", "private", "gated", "disabled",
		"downloads", "likes", "tags", "trendingScore", "createdAt",
	}
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
	keys   []string // in output order
	detail bool     // detail: Extra keys not in keys are appended
}

// expandSelection is _id, id and the requested keys.
func expandSelection(expand []string) []string {
	return append([]string{"_id", "id"}, expand...)
}

// object is a JSON object the replica writes. encoding/json writes its
// keys sorted: the Hub's own key order is not kept (no client depends on
// it).
type object = map[string]any

// marshal encodes a value the replica built (it cannot fail on them)
// without HTML escapes, as the Hub's JSON.stringify does.
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'})
}

// repoObject is r's JSON object for sel.
func (h *Hub) repoObject(k repoKind, r *Repo, sel *selection) object {
	o := make(object, len(sel.keys)+2)
	for _, key := range sel.keys {
		if v, ok := h.value(k, r, key, sel); ok {
			o[key] = v
		}
	}
	if sel.detail {
		for key, v := range r.Extra {
			if !slices.Contains(sel.keys, key) {
				o[key] = v
			}
		}
	}
	return o
}

// value is r's value for key, if r has one.
func (h *Hub) value(k repoKind, r *Repo, key string, sel *selection) (any, bool) {
	model, dataset := k == kindModel, k == kindDataset
	extra, inExtra := r.Extra[key]
	switch key {
	case "_id":
		return r.OID, true
	case "id":
		return r.ID, true
	case "modelId":
		return r.ID, model
	case "author":
		return r.Owner(), r.Owner() != ""
	case "sha":
		return r.SHA, true
	case "createdAt":
		return formatTime(r.CreatedAt), true
	case "lastModified":
		return formatTime(r.LastModified), true
	case "private":
		return r.Private, true
	case "disabled":
		return r.Disabled, true
	case "gated":
		if r.Gated == "" {
			return false, true
		}
		return r.Gated, true
	case "downloads":
		return r.Downloads, true
	case "downloadsAllTime":
		return r.DownloadsAllTime, true
	case "likes":
		return r.Likes, true
	case "trendingScore":
		return r.TrendingScore, r.TrendingScore != nil
	case "tags":
		return append([]string{}, r.Tags...), true // [] when none
	case "pipeline_tag":
		return r.PipelineTag, model && r.PipelineTag != ""
	case "library_name":
		return r.LibraryName, model && r.LibraryName != ""
	case "cardData":
		return r.CardData, r.CardData != nil
	case "model-index":
		if inExtra {
			return extra, model
		}
		return r.CardData["model-index"], model && r.CardData != nil // null when absent
	case "config":
		return r.Config, model && r.Config != nil
	case "safetensors":
		return r.Safetensors, model && r.Safetensors != nil
	case "siblings":
		return append([]Sibling{}, r.Siblings...), true
	case "spaces":
		return append([]string{}, r.Spaces...), model
	case "usedStorage":
		return r.UsedStorage, true
	case "description":
		return r.Description, dataset && r.Description != ""
	case "citation":
		return r.Citation, dataset && r.Citation != ""
	case "paperswithcode_id":
		if r.PapersWithCodeID == "" {
			return nil, dataset
		}
		return r.PapersWithCodeID, dataset
	case "baseModels":
		if inExtra {
			return extra, true
		}
		return h.baseModels(r)
	}
	return extra, inExtra
}

// baseModels derives the detail-only baseModels key from the card's
// base_model, with the _id of each base the replica knows.
func (h *Hub) baseModels(r *Repo) (any, bool) {
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
		return nil, false
	}
	models := make([]object, len(ids))
	for i, id := range ids {
		models[i] = object{"id": id}
		if oid, ok := h.models.oidOf(id); ok {
			models[i]["_id"] = oid
		}
	}
	return object{"models": models, "relation": "finetune"}, true
}
