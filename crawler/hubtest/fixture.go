package hubtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// RepoFromJSON builds a Repo from a detail response body of the real Hub
// (e.g. a recorded GET /api/models/{id}), so recorded repos can be served
// by the replica. Keys the Repo types are copied into typed fields; every
// other key goes to Extra verbatim. Numbers inside CardData, Config and
// Extra are json.Number, so they are served back exactly.
func RepoFromJSON(body []byte) (Repo, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return Repo{}, fmt.Errorf("hubtest: detail JSON: %w", err)
	}
	var r Repo
	var err error
	str := func(key string) string {
		s, _ := m[key].(string)
		return s
	}
	num := func(key string) int64 {
		n, ok := m[key].(json.Number)
		if !ok {
			return 0
		}
		v, e := n.Int64()
		if e != nil && err == nil {
			err = fmt.Errorf("hubtest: %s: %w", key, e)
		}
		return v
	}
	tm := func(key string) time.Time {
		s := str(key)
		if s == "" {
			return time.Time{}
		}
		t, e := time.Parse(time.RFC3339Nano, s)
		if e != nil && err == nil {
			err = fmt.Errorf("hubtest: %s: %w", key, e)
		}
		return t
	}
	r.ID, r.OID, r.SHA = str("id"), str("_id"), str("sha")
	r.CreatedAt, r.LastModified = tm("createdAt"), tm("lastModified")
	r.Private, _ = m["private"].(bool)
	r.Disabled, _ = m["disabled"].(bool)
	r.Gated = str("gated")
	r.Downloads, r.DownloadsAllTime, r.Likes = num("downloads"), num("downloadsAllTime"), num("likes")
	r.UsedStorage = num("usedStorage")
	if n, ok := m["trendingScore"].(json.Number); ok {
		if f, e := n.Float64(); e == nil {
			r.TrendingScore = &f
		}
	}
	if tags, ok := m["tags"].([]any); ok {
		r.Tags = make([]string, 0, len(tags))
		for _, t := range tags {
			if s, ok := t.(string); ok {
				r.Tags = append(r.Tags, s)
			}
		}
	}
	r.PipelineTag, r.LibraryName = str("pipeline_tag"), str("library_name")
	r.Description, r.Citation, r.PapersWithCodeID = str("description"), str("citation"), str("paperswithcode_id")
	r.CardData, _ = m["cardData"].(map[string]any)
	r.Config, _ = m["config"].(map[string]any)
	if st, ok := m["safetensors"].(map[string]any); ok {
		s := &Safetensors{Parameters: map[string]int64{}}
		if params, ok := st["parameters"].(map[string]any); ok {
			for dtype, v := range params {
				if n, ok := v.(json.Number); ok {
					s.Parameters[dtype], _ = n.Int64()
				}
			}
		}
		if n, ok := st["total"].(json.Number); ok {
			s.Total, _ = n.Int64()
		}
		r.Safetensors = s
	}
	if sibs, ok := m["siblings"].([]any); ok {
		r.Siblings = make([]Sibling, 0, len(sibs))
		for _, e := range sibs {
			sm, ok := e.(map[string]any)
			if !ok {
				continue
			}
			s := Sibling{}
			s.RFilename, _ = sm["rfilename"].(string)
			s.BlobID, _ = sm["blobId"].(string)
			if n, ok := sm["size"].(json.Number); ok {
				s.Size, _ = n.Int64()
			}
			if l, ok := sm["lfs"].(map[string]any); ok {
				lfs := &LFS{}
				lfs.SHA256, _ = l["sha256"].(string)
				if n, ok := l["size"].(json.Number); ok {
					lfs.Size, _ = n.Int64()
				}
				if n, ok := l["pointerSize"].(json.Number); ok {
					lfs.PointerSize, _ = n.Int64()
				}
				s.LFS = lfs
			}
			r.Siblings = append(r.Siblings, s)
		}
	}
	if sp, ok := m["spaces"].([]any); ok {
		r.Spaces = make([]string, 0, len(sp))
		for _, e := range sp {
			if s, ok := e.(string); ok {
				r.Spaces = append(r.Spaces, s)
			}
		}
	}
	typed := setOf("_id", "id", "modelId", "author", "sha", "createdAt", "lastModified", "private",
		"disabled", "gated", "downloads", "downloadsAllTime", "likes", "usedStorage", "trendingScore",
		"tags", "pipeline_tag", "library_name", "description", "citation", "paperswithcode_id",
		"cardData", "config", "safetensors", "siblings", "spaces")
	for key, v := range m {
		if typed[key] {
			continue
		}
		if key == "model-index" && r.CardData != nil {
			continue // served from cardData
		}
		if r.Extra == nil {
			r.Extra = map[string]any{}
		}
		r.Extra[key] = v
	}
	if err != nil {
		return Repo{}, err
	}
	if !validID(r.ID) {
		return Repo{}, fmt.Errorf("hubtest: detail JSON: invalid id %q", r.ID)
	}
	return r, nil
}
