package hubtest

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// RepoFromJSON builds a Repo from a detail response body of the real Hub
// (e.g. a recorded GET /api/models/{id}), so recorded repos can be served
// by the replica. Keys the Repo types are decoded into its fields; every
// other key goes to Extra verbatim. Numbers inside CardData, Config and
// Extra are json.Number, so they are served back exactly.
func RepoFromJSON(body []byte) (Repo, error) {
	var r Repo
	var withGated struct {
		*Repo
		Gated any `json:"gated"` // false or "auto" / "manual"
	}
	withGated.Repo = &r
	var all map[string]any
	for _, v := range []any{&withGated, &all} {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(v); err != nil {
			return Repo{}, fmt.Errorf("hubtest: detail JSON: %w", err)
		}
	}
	r.Gated, _ = withGated.Gated.(string)
	for key, v := range all {
		// A model-index beside cardData is served from cardData.
		if typedKeys[key] || key == "model-index" && r.CardData != nil {
			continue
		}
		if r.Extra == nil {
			r.Extra = map[string]any{}
		}
		r.Extra[key] = v
	}
	if !validID(r.ID) {
		return Repo{}, fmt.Errorf("hubtest: detail JSON: invalid id %q", r.ID)
	}
	return r, nil
}

// typedKeys are the keys Repo's fields hold, or that the replica derives
// from them (modelId, author).
var typedKeys = setOf("_id", "id", "modelId", "author", "sha", "createdAt", "lastModified", "private",
	"disabled", "gated", "downloads", "downloadsAllTime", "likes", "usedStorage", "trendingScore",
	"tags", "pipeline_tag", "library_name", "description", "citation", "paperswithcode_id",
	"cardData", "config", "safetensors", "siblings", "spaces")
