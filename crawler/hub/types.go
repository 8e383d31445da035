package hub

import (
	"encoding/json"
	"fmt"
	"time"
)

// Gated is a repository's access gate. The API sends the JSON value false
// for an ungated repository and the strings "auto" or "manual" otherwise;
// Gated holds "" for false and the string verbatim for anything else.
type Gated string

// Values of Gated the Hub sends.
const (
	NotGated    Gated = ""
	GatedAuto   Gated = "auto"
	GatedManual Gated = "manual"
)

// UnmarshalJSON accepts false, null, true (kept as "true") and any string.
func (g *Gated) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "false", "null":
		*g = NotGated
		return nil
	case "true":
		*g = "true"
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("gated: want false or a string, got %s", clip(string(b), 40))
	}
	*g = Gated(s)
	return nil
}

// ModelInfo mirrors a model as GET /api/models and GET /api/models/{id}
// return it: the keys the crawl reads. Which keys are present depends on
// the call: a default list item has no author, sha or lastModified;
// expand adds keys. A key the response lacks leaves its field at the zero
// value; keys the crawl does not read are not decoded.
//
// cardData is the server's parse of the card's YAML front matter (any
// shape) and stays loosely typed.
type ModelInfo struct {
	RepoInfo
	PipelineTag string       `json:"pipeline_tag,omitempty"`
	LibraryName string       `json:"library_name,omitempty"`
	Config      *ModelConfig `json:"config,omitempty"`
	Safetensors *Safetensors `json:"safetensors,omitempty"`
	// BaseModels comes only from a detail call with expand (the Hub
	// rejects it in lists).
	BaseModels *BaseModels `json:"baseModels,omitempty"`
}

// RepoInfo holds the keys models and datasets share.
type RepoInfo struct {
	OID              string         `json:"_id,omitempty"` // Mongo ObjectId; stable across renames
	ID               string         `json:"id"`            // canonical "owner/name"
	Author           string         `json:"author,omitempty"`
	SHA              string         `json:"sha,omitempty"` // commit of the requested revision
	CreatedAt        time.Time      `json:"createdAt,omitzero"`
	LastModified     time.Time      `json:"lastModified,omitzero"`
	Private          bool           `json:"private,omitempty"`
	Gated            Gated          `json:"gated,omitempty"`
	Disabled         bool           `json:"disabled,omitempty"`
	Downloads        int64          `json:"downloads,omitempty"`        // last 30 days
	DownloadsAllTime int64          `json:"downloadsAllTime,omitempty"` // only via expand
	Likes            int64          `json:"likes,omitempty"`
	Tags             []string       `json:"tags,omitempty"`
	CardData         map[string]any `json:"cardData,omitempty"`
}

func (r *RepoInfo) repoID() string { return r.ID }

// ModelConfig is the API's "config" key: a subset of config.json.
type ModelConfig struct {
	Architectures []string `json:"architectures,omitempty"`
	ModelType     string   `json:"model_type,omitempty"`
}

// UnmarshalJSON reads config.json as users write it, by hand: architectures
// as a list or one string; an entry or a model_type that is not a string is
// left out, so that one odd repo does not fail a listing page.
func (c *ModelConfig) UnmarshalJSON(b []byte) error {
	var raw struct {
		Architectures any `json:"architectures"`
		ModelType     any `json:"model_type"`
	}
	*c = ModelConfig{}
	_ = json.Unmarshal(b, &raw) // a config that is not an object is none
	c.ModelType, _ = raw.ModelType.(string)
	list, ok := raw.Architectures.([]any)
	if !ok {
		list = []any{raw.Architectures}
	}
	for _, a := range list {
		if s, ok := a.(string); ok {
			c.Architectures = append(c.Architectures, s)
		}
	}
	return nil
}

// Safetensors gives parameter counts per dtype and in total, computed by the
// Hub from the safetensors headers. Absent for repos without safetensors.
type Safetensors struct {
	Parameters map[string]int64 `json:"parameters,omitempty"`
	Total      int64            `json:"total,omitempty"`
}

// BaseModels is the detail-only "baseModels" expand key: the models this
// one derives from.
type BaseModels struct {
	Models []RepoRef `json:"models,omitempty"`
}

// RepoRef names a repository by its id.
type RepoRef struct {
	ID string `json:"id"`
}

// DatasetInfo mirrors a dataset as GET /api/datasets and
// GET /api/datasets/{id} return it; see ModelInfo.
type DatasetInfo struct {
	RepoInfo
}

// Expand keys zoograph's models and datasets tables need from a listing,
// without cardData (large; the card is fetched separately) — a reasonable
// default for ListOptions.Expand. Slices are fresh copies.
func DefaultModelExpand() []string {
	return append(DefaultDatasetExpand(), "pipeline_tag", "library_name", "config", "safetensors")
}

// DefaultDatasetExpand: see DefaultModelExpand; a model's keys begin with these.
func DefaultDatasetExpand() []string {
	return []string{
		"author", "sha", "createdAt", "lastModified", "private", "gated", "disabled",
		"downloads", "downloadsAllTime", "likes", "tags",
	}
}
