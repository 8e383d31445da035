package hubtest

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strings"
	"time"
)

// Repo is one model or dataset repository of the replica: the metadata the
// API serves (typed where the replica needs the value for filtering,
// sorting or access rules), its README, and its access state.
//
// Fields that only apply to one repository type are ignored for the other.
// Zero values are derived where the Hub always has a value: OID from
// CreatedAt and ID, SHA from ID and LastModified, Siblings from Card,
// Config and Safetensors (as for a generated repo).
type Repo struct {
	ID  string `json:"id"`  // "owner/name" (or a legacy single segment)
	OID string `json:"_id"` // 24 lowercase hex digits (Mongo ObjectId)
	SHA string `json:"sha"` // 40 hex digits: the head commit

	CreatedAt    time.Time `json:"createdAt"`
	LastModified time.Time `json:"lastModified"`

	Private  bool   `json:"private"`  // visible only with the valid token
	Gated    string `json:"-"`        // "", "auto" or "manual": files need approval (the API's false is "")
	Approved bool   `json:"-"`        // the valid token's owner may read a gated repo's files
	Disabled bool   `json:"disabled"` // every access but listing answers 403

	Downloads        int64    `json:"downloads"`
	DownloadsAllTime int64    `json:"downloadsAllTime"`
	Likes            int64    `json:"likes"`
	TrendingScore    *float64 `json:"trendingScore"` // nil: null (sorts last)

	Tags        []string `json:"tags"`
	PipelineTag string   `json:"pipeline_tag"` // models
	LibraryName string   `json:"library_name"` // models

	// CardData is the parsed YAML front matter of Card, as the Hub serves
	// it; nil when the card has none. "model-index" inside it is also
	// served as the top-level model-index key of a model.
	CardData map[string]any `json:"cardData"`
	// Config is the API's config subset (architectures, model_type, ...);
	// models only.
	Config      map[string]any `json:"config"`
	Safetensors *Safetensors   `json:"safetensors"` // models
	Siblings    []Sibling      `json:"siblings"`
	Spaces      []string       `json:"spaces"` // models
	UsedStorage int64          `json:"usedStorage"`

	Description      string `json:"description"`       // datasets
	Citation         string `json:"citation"`          // datasets
	PapersWithCodeID string `json:"paperswithcode_id"` // datasets

	// Card is README.md; nil means the repo has none (404 EntryNotFound).
	Card []byte `json:"-"`

	// Extra holds any other key of the detail response (widgetData,
	// transformersInfo, mask_token, inference, inferenceProviderMapping,
	// gguf, ...). Detail calls serve them all; listings only on expand.
	Extra map[string]any `json:"-"`
}

// Safetensors is the parameter count the Hub derives from safetensors
// headers.
type Safetensors struct {
	Parameters map[string]int64 `json:"parameters"` // per dtype, e.g. "F32"
	Total      int64            `json:"total"`
}

// Sibling is one file of the repo.
type Sibling struct {
	RFilename string `json:"rfilename"`
}

// Owner returns the namespace of the id ("" for a legacy id).
func (r *Repo) Owner() string {
	if owner, _, ok := strings.Cut(r.ID, "/"); ok {
		return owner
	}
	return ""
}

// clone copies r deeply: what the replica stores or hands out may then be
// changed freely.
func (r *Repo) clone() *Repo {
	c := *r
	c.Tags = slices.Clone(r.Tags)
	c.Siblings = slices.Clone(r.Siblings)
	c.Spaces = slices.Clone(r.Spaces)
	c.Card = slices.Clone(r.Card)
	c.CardData = deepCopyMap(r.CardData)
	c.Config = deepCopyMap(r.Config)
	c.Extra = deepCopyMap(r.Extra)
	if r.TrendingScore != nil {
		v := *r.TrendingScore
		c.TrendingScore = &v
	}
	if r.Safetensors != nil {
		s := *r.Safetensors
		s.Parameters = maps.Clone(r.Safetensors.Parameters)
		c.Safetensors = &s
	}
	return &c
}

func deepCopyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = deepCopy(v)
	}
	return out
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return deepCopyMap(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	case []string:
		return slices.Clone(x)
	}
	return v
}

// fillDerived sets the derived zero fields.
func (r *Repo) fillDerived() {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = legacyCreated
	}
	if r.LastModified.IsZero() {
		r.LastModified = r.CreatedAt
	}
	if r.OID == "" {
		r.OID = deriveOID(r.CreatedAt, r.ID)
	}
	if r.SHA == "" {
		h := sha1.Sum([]byte(r.ID + "@" + r.LastModified.UTC().Format(time.RFC3339Nano)))
		r.SHA = hex.EncodeToString(h[:])
	}
	if r.Siblings == nil {
		r.Siblings = genSiblings(r)
	}
}

// legacyCreated is the createdAt of every repo older than March 2022 (the
// Hub did not store creation dates before its migration).
var legacyCreated = time.Date(2022, 3, 2, 23, 29, 5, 0, time.UTC)

// deriveOID builds a 12-byte ObjectId in hex: 4 bytes of creation time, 8
// of a hash of id.
func deriveOID(created time.Time, id string) string {
	h := fnv.New64a()
	h.Write([]byte(id))
	var b [12]byte
	binary.BigEndian.PutUint32(b[:4], uint32(created.Unix()))
	binary.BigEndian.PutUint64(b[4:], h.Sum64())
	return hex.EncodeToString(b[:])
}

// blobSHA is git's blob id of content: sha1("blob <len>\0" + content).
func blobSHA(content []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(content))
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}

// validID reports whether id is a well-formed repo id (the rules of the
// Hub's clients: [A-Za-z0-9_.-], at most one slash, word characters at the
// ends of each part, no "--" or "..", at most 96 characters per part).
func validID(id string) bool {
	if id == "" || strings.Count(id, "/") > 1 || strings.Contains(id, "--") ||
		strings.Contains(id, "..") || strings.HasSuffix(id, ".git") {
		return false
	}
	for _, part := range strings.Split(id, "/") {
		if part == "" || len(part) > 96 {
			return false
		}
		for i := 0; i < len(part); i++ {
			c := part[i]
			word := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
			if !word && c != '-' && c != '.' {
				return false
			}
			if (i == 0 || i == len(part)-1) && !word {
				return false
			}
		}
	}
	return true
}

// formatTime is the Hub's timestamp format: UTC, milliseconds, Z.
func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
