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

// MarshalJSON writes false for NotGated and the string otherwise, as the
// API does.
func (g Gated) MarshalJSON() ([]byte, error) {
	if g == NotGated {
		return []byte("false"), nil
	}
	return json.Marshal(string(g))
}

// ModelInfo mirrors a model as GET /api/models and GET /api/models/{id}
// return it. Which keys are present depends on the call: a default list
// item has no author, sha or lastModified; full, cardData, config and
// expand add keys. A key the response lacks leaves its
// field at the zero value.
//
// Loosely typed parts of the API stay loose: cardData is the server's parse
// of the card's YAML front matter (any shape), and keys whose shape varies
// or that zoograph does not interpret are kept as raw JSON.
type ModelInfo struct {
	RepoInfo
	ModelID     string `json:"modelId,omitempty"` // legacy duplicate of ID
	PipelineTag string `json:"pipeline_tag,omitempty"`
	LibraryName string `json:"library_name,omitempty"`
	MaskToken   string `json:"mask_token,omitempty"`

	// ModelIndex is the top-level "model-index" (the same list as
	// CardData["model-index"]); the literal null when the card has none.
	ModelIndex       json.RawMessage   `json:"model-index,omitempty"`
	Config           *ModelConfig      `json:"config,omitempty"`
	TransformersInfo *TransformersInfo `json:"transformersInfo,omitempty"`
	Safetensors      *Safetensors      `json:"safetensors,omitempty"`
	Spaces           []string          `json:"spaces,omitempty"`
	Inference        string            `json:"inference,omitempty"` // "warm" when served
	// BaseModels and ChildrenModelCount come only from a detail call with
	// expand (the Hub rejects them in lists).
	BaseModels         *BaseModels `json:"baseModels,omitempty"`
	ChildrenModelCount int64       `json:"childrenModelCount,omitempty"`

	// Raw keys: shape varies (inferenceProviderMapping is an object in a
	// detail and an array in a list) or is not interpreted here.
	InferenceProviderMapping json.RawMessage `json:"inferenceProviderMapping,omitempty"`
	WidgetData               json.RawMessage `json:"widgetData,omitempty"`
	GGUF                     json.RawMessage `json:"gguf,omitempty"`
	EvalResults              json.RawMessage `json:"evalResults,omitempty"`
	SecurityRepoStatus       json.RawMessage `json:"securityRepoStatus,omitempty"`
}

// RepoInfo holds the keys models and datasets share.
type RepoInfo struct {
	OID              string    `json:"_id,omitempty"` // Mongo ObjectId; stable across renames
	ID               string    `json:"id"`            // canonical "owner/name"
	Author           string    `json:"author,omitempty"`
	SHA              string    `json:"sha,omitempty"` // commit of the requested revision
	CreatedAt        time.Time `json:"createdAt,omitzero"`
	LastModified     time.Time `json:"lastModified,omitzero"`
	Private          bool      `json:"private,omitempty"`
	Gated            Gated     `json:"gated,omitempty"`
	Disabled         bool      `json:"disabled,omitempty"`
	Downloads        int64     `json:"downloads,omitempty"`        // last 30 days
	DownloadsAllTime int64     `json:"downloadsAllTime,omitempty"` // only via expand
	Likes            int64     `json:"likes,omitempty"`
	TrendingScore    float64   `json:"trendingScore,omitempty"`
	Tags             []string  `json:"tags,omitempty"`

	CardData      map[string]any  `json:"cardData,omitempty"`
	Siblings      []Sibling       `json:"siblings,omitempty"`
	UsedStorage   int64           `json:"usedStorage,omitempty"` // detail only
	ResourceGroup json.RawMessage `json:"resourceGroup,omitempty"`

	// RenamedFrom is the id the caller asked for when the Hub answered
	// under another (canonical) id, i.e. after a rename redirect. Not part
	// of the API.
	RenamedFrom string `json:"-"`
}

// ModelConfig is the API's "config" key: a subset of config.json.
type ModelConfig struct {
	Architectures   []string        `json:"architectures,omitempty"`
	ModelType       string          `json:"model_type,omitempty"`
	TokenizerConfig json.RawMessage `json:"tokenizer_config,omitempty"`
	Diffusers       json.RawMessage `json:"diffusers,omitempty"`   // diffusers pipelines: {_class_name, ...}
	Speechbrain     json.RawMessage `json:"speechbrain,omitempty"` // speechbrain models
}

// TransformersInfo is the API's "transformersInfo" key.
type TransformersInfo struct {
	AutoModel   string `json:"auto_model,omitempty"`
	PipelineTag string `json:"pipeline_tag,omitempty"`
	Processor   string `json:"processor,omitempty"`
	CustomClass string `json:"custom_class,omitempty"`
}

// Safetensors gives parameter counts per dtype and in total, computed by the
// Hub from the safetensors headers. Absent for repos without safetensors.
type Safetensors struct {
	Parameters map[string]int64 `json:"parameters,omitempty"`
	Total      int64            `json:"total,omitempty"`
}

// Sibling is one file of the repo at the revision. Lists carry rfilename
// only; a detail with blobs=true adds blobId, size and lfs.
type Sibling struct {
	RFilename string   `json:"rfilename"`
	BlobID    string   `json:"blobId,omitempty"`
	Size      int64    `json:"size,omitempty"`
	LFS       *LFSInfo `json:"lfs,omitempty"`
}

// LFSInfo describes the real content of an LFS-tracked file.
type LFSInfo struct {
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
	PointerSize int64  `json:"pointerSize"`
}

// BaseModels is the detail-only "baseModels" expand key: the models this
// one derives from and how.
type BaseModels struct {
	Models   []RepoRef `json:"models,omitempty"`
	Relation string    `json:"relation,omitempty"` // finetune, adapter, quantized, merge
}

// RepoRef names a repository by its ObjectId and id.
type RepoRef struct {
	OID string `json:"_id,omitempty"`
	ID  string `json:"id"`
}

// DatasetInfo mirrors a dataset as GET /api/datasets and
// GET /api/datasets/{id} return it. As with ModelInfo, keys
// the response lacks leave zero values.
type DatasetInfo struct {
	RepoInfo
	Description      string `json:"description,omitempty"`
	Citation         string `json:"citation,omitempty"`
	PapersWithCodeID string `json:"paperswithcode_id,omitempty"`
	MainSize         int64  `json:"mainSize,omitempty"`
}

// Expand keys zoograph's models and datasets tables need from a listing,
// without cardData (large; the card is fetched separately) — a reasonable
// default for ListOptions.Expand. Slices are fresh copies.
func DefaultModelExpand() []string {
	return []string{
		"author", "sha", "createdAt", "lastModified", "private", "gated", "disabled",
		"downloads", "downloadsAllTime", "likes", "trendingScore", "tags",
		"pipeline_tag", "library_name", "config", "safetensors",
	}
}

// DefaultDatasetExpand: see DefaultModelExpand.
func DefaultDatasetExpand() []string {
	return []string{
		"author", "sha", "createdAt", "lastModified", "private", "gated", "disabled",
		"downloads", "downloadsAllTime", "likes", "trendingScore", "tags",
	}
}
