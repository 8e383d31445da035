// Package hubtest is an in-process replica of the Hugging Face Hub HTTP API,
// for tests and for the offline demo. It is an http.Handler: serve it with
// httptest.NewServer or Hub.Start (127.0.0.1 on a free port) and point a
// client's endpoint at it. It does not import "testing" and needs no files.
//
// # What it serves
//
// The behaviour a crawler depends on, as the Hub's official clients
// (huggingface_hub, huggingface.js), its documentation and recorded real
// responses show it:
//
//   - GET /api/models and /api/datasets: bare JSON arrays; keyset order on
//     the sort key (downloads, downloadsAllTime, likes, createdAt,
//     lastModified, trendingScore) descending, ties by _id ascending,
//     missing values last; direction accepted and ignored; limit capped at
//     1000; search (substring of the id, case-insensitive), author, filter
//     (tags, pipeline tag or library, AND); the default item, and expand (or
//     expand[]) returning only _id, id and the keys, with 400 for an
//     unknown key or a detail-only key. The next page is announced by
//     Link: <...>; rel="next" whose URL is built from the request's own
//     host, carries every original parameter plus an opaque cursor, and
//     is absent on the last page.
//   - GET /api/{models,datasets}/{id} with expand: the detail shape of the
//     recorded responses (same keys and types; keys are written sorted;
//     siblings carry rfilename only).
//   - GET /{id}/resolve/{rev}/README.md (and the /datasets/ form): the card
//     with X-Repo-Commit and a strong ETag (the git blob id); with Options.ResolveCache
//     first a relative 307 to /api/resolve-cache/..., as the Hub does.
//   - Renames (Rename): 307 with a relative Location to the new id, query
//     kept, text/plain body — byte for byte the recorded redirects.
//   - Access rules: anonymous requests for missing or private repos get
//     401 RepoNotFound, authenticated ones 404; gated repos' metadata is
//     public but their files need the valid token and approval (401 / 403
//     GatedRepo with the Hub's messages); disabled repos answer 403
//     "Access to this resource is disabled."; any token other than
//     Options.Token gets 401 "Invalid credentials in Authorization header",
//     even on public calls; errors carry X-Error-Code, X-Error-Message and
//     {"error": ...}.
//   - Quota: fixed windows per client and bucket (api, resolvers),
//     RateLimit and RateLimit-Policy headers on every answer, 429 with
//     Retry-After over the quota.
//   - Faults, drawn from Options.Seed: 5xx answers, connection resets and
//     bodies cut off under a full Content-Length; and a fixed latency.
//
// # The zoo
//
// Repos come from AddModel / AddDataset (e.g. RepoFromJSON of a recorded
// detail) and from a synthetic Zoo of any size, generated on the fly from
// (index, seed); Zoo says what of the Hub it imitates. Cards' YAML front
// matter is exactly the served cardData. Repos can be updated, renamed and
// deleted while the replica serves (UpdateModel, Rename, DeleteModel), to
// test incremental and interrupted crawls.
//
// JSON goes through encoding/json and card front matter through
// go.yaml.in/yaml/v4.
//
// The replica is the truth a crawl is checked against: Models and Datasets
// yield every repo with its _id and lastModified; Stats counts requests by
// route and status, 429s and injected faults.
//
// Not served: methods other than GET, details at other revisions than
// the head, spaces, file trees, commits, paths-info, the new
// evalResults system, search by num_parameters or inference provider.
// The dataset list/detail keys and the default dataset list item are the
// replica's own guess: no real recording of them exists.
package hubtest
