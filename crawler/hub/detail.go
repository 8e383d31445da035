package hub

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// DetailOptions shape a detail call.
type DetailOptions struct {
	// Expand returns only _id, id and these keys; detail-only keys
	// (baseModels, childrenModelCount, usedStorage) are allowed here.
	Expand []string
}

// Model fetches GET /api/models/{id} at the current head. A renamed repo
// is followed to its new id: the result's ID is canonical (it differs from
// id after a rename). Errors: ErrInvalidRepoID before any request,
// ErrNotFound (and ErrRevisionNotFound), ErrDisabled, ErrUnauthorized, ...
// as *Error.
func (c *Client) Model(ctx context.Context, id string, opt DetailOptions) (*ModelInfo, error) {
	return detail[ModelInfo](ctx, c, kindModel, id, opt)
}

// Dataset fetches GET /api/datasets/{id}; see Model.
func (c *Client) Dataset(ctx context.Context, id string, opt DetailOptions) (*DatasetInfo, error) {
	return detail[DatasetInfo](ctx, c, kindDataset, id, opt)
}

func detail[T any](ctx context.Context, c *Client, k kind, id string, opt DetailOptions) (*T, error) {
	if err := ValidateRepoID(id); err != nil {
		return nil, err
	}
	var q []string
	for _, e := range opt.Expand {
		q = append(q, "expand="+url.QueryEscape(e))
	}
	var v T
	cl := &call{
		url:    c.url(k.apiPath()+"/"+id, strings.Join(q, "&")), // id validated: nothing to escape
		accept: "application/json",
		handle: func(r *response) error {
			v = *new(T) // a retried attempt starts afresh
			if r.status != 200 {
				return fmt.Errorf("%w: status %d", ErrDecode, r.status)
			}
			if err := decodeObject(r.body, &v); err != nil {
				return err
			}
			// The id becomes a row's key and a later URL: hold it to the
			// rules a listed id is held to.
			if err := ValidateRepoID(any(&v).(interface{ repoID() string }).repoID()); err != nil {
				return fmt.Errorf("%w: field id: %w", ErrDecode, err)
			}
			return nil
		},
	}
	if err := c.do(ctx, cl); err != nil {
		return nil, err
	}
	return &v, nil
}

// Card is a fetched README.md.
type Card struct {
	// RepoID is the repository's canonical id: the id asked for, or the
	// new id when the Hub redirected a renamed repo.
	RepoID string
	Commit string // X-Repo-Commit: the commit main resolved to
	ETag   string
	Text   []byte
}

// ModelCard fetches a model's README.md via /{id}/resolve/main/README.md,
// following relative redirects (renames, the resolve cache). A repo
// without a README answers ErrEntryNotFound; gated files ErrGated.
func (c *Client) ModelCard(ctx context.Context, id string) (*Card, error) {
	return c.card(ctx, kindModel, id)
}

// DatasetCard fetches a dataset's README.md via
// /datasets/{id}/resolve/main/README.md; see ModelCard.
func (c *Client) DatasetCard(ctx context.Context, id string) (*Card, error) {
	return c.card(ctx, kindDataset, id)
}

func (c *Client) card(ctx context.Context, k kind, id string) (*Card, error) {
	if err := ValidateRepoID(id); err != nil {
		return nil, err
	}
	var card Card
	cl := &call{
		url: c.url(resolvePrefix(k)+id+"/resolve/main/README.md", ""),
		handle: func(r *response) error {
			card = Card{Commit: r.header.Get("X-Repo-Commit"), ETag: r.header.Get("ETag")}
			b, err := io.ReadAll(r.body)
			if err != nil {
				return err
			}
			card.Text = b
			return nil
		},
	}
	if err := c.do(ctx, cl); err != nil {
		return nil, err
	}
	card.RepoID = id
	for _, hop := range cl.hops {
		if moved, ok := c.resolveRepoID(k, hop); ok && moved != card.RepoID {
			card.RepoID = moved
		}
	}
	return &card, nil
}

func resolvePrefix(k kind) string {
	if k == kindDataset {
		return "/datasets/"
	}
	return "/"
}

// resolveRepoID extracts the repo id from a /resolve/ URL on the endpoint
// (a redirect target), e.g. /google-bert/bert-base-uncased/resolve/main/README.md.
func (c *Client) resolveRepoID(k kind, u *url.URL) (string, bool) {
	if !sameOrigin(u, c.base) {
		return "", false
	}
	p := strings.TrimPrefix(u.Path, c.base.Path)
	p = strings.TrimPrefix(p, strings.TrimSuffix(resolvePrefix(k), "/"))
	before, _, found := strings.Cut(p, "/resolve/")
	if !found {
		return "", false
	}
	id := strings.TrimPrefix(before, "/")
	if ValidateRepoID(id) != nil {
		return "", false
	}
	return id, true
}
