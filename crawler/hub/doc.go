// Package hub is a typed client of the Hugging Face Hub HTTP API: model and
// dataset listings, details and model cards, as a crawler needs them.
//
// # What it provides
//
//   - Listings (GET /api/models, /api/datasets) as a Pager that follows the
//     Hub's Link rel="next" cursor page by page and exposes that cursor
//     (Page.NextURL), so a crawl can checkpoint after each stored page and
//     resume with ResumeModels / ResumeDatasets. ListOptions carry search,
//     author, filter (AND), sort (camelCase, descending, ties by _id),
//     limit and expand.
//   - Details (Model, Dataset, with expand) and cards (ModelCard,
//     DatasetCard via /resolve/main/README.md, with the commit and ETag).
//     A renamed repository (307) is followed and the result carries the
//     canonical id.
//   - Types mirroring the keys of the API's JSON that a crawl reads
//     (ModelInfo, DatasetInfo, Gated, ...), decoded with encoding/json
//     (decode.go says why). A body that ends early is retried; one that is
//     not the JSON promised is ErrDecode.
//   - Errors as values: an HTTP error is an *Error that unwraps to one of
//     the sentinels of errors.go (ErrNotFound, ErrGated, ErrRateLimited,
//     ...), classified the way huggingface_hub does. Note the Hub's 401 for
//     an anonymous caller asking for a private or missing repo: both are
//     ErrNotFound.
//   - One retry loop around each call: 408, 429, 5xx, timeouts, connection
//     failures and truncated bodies are retried with exponential backoff
//     and jitter, honouring Retry-After and the RateLimit / RateLimit-Policy
//     headers (a spent bucket, r=0, pauses every worker until t), bounded by
//     MaxRetries and MaxElapsed, and ended at once by ctx. A pause for the
//     Hub's window is waited out apart from MaxElapsed (Options.MaxPause).
//     A call that never got an answer gives up with an *UnreachableError.
//   - Client-side pacing per rate-limit bucket (api, resolvers) with
//     golang.org/x/time/rate, configured by Quota (ParseQuota reads the
//     --quota flag), so a crawl stays under the Hub's 5-minute quotas
//     instead of provoking 429s.
//   - Stats for a crawl summary: requests, retries, 429s, redirects, bytes.
//
// # What it never does
//
// It never sends the token anywhere but the endpoint's own origin (scheme
// and host): a redirect to another host is followed without it, and a
// Link naming another host is rewritten onto the endpoint. It refuses a
// token over plain http to a host that is not loopback, and never logs or
// stores it. It never puts an unvalidated repository id into a URL
// (ValidateRepoID). It never reads an unbounded body (MaxBodyBytes). It
// knows nothing of storage: converting ModelInfo into table rows is the
// crawler's job.
//
// The HTTP work goes through one resty client (github.com/go-resty/resty/v2)
// over one pooled transport sized to Options.Workers; resty's own retries
// are not used (they ignore 429 and Retry-After) — the retry loop here is
// the only one.
//
// Tests run against crawler/hubtest, an in-process replica of the Hub.
package hub
