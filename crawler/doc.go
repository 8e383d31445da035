// Package crawler harvests the Hugging Face Hub into a zoo: it lists model
// or dataset repositories, converts the API's shapes into the store's rows
// and merges them into the zoo's tables models (or datasets), evals and
// cards. Crawl is its one entry point; the `zoograph crawl` command and the
// offline demo both call it.
//
// # Data
//
// Listings ask for the expand keys of DefaultExpand, cardData included, so
// one listing call per page yields every models column: identity and
// counters, config (architectures, model_type), safetensors (parameter
// counts) and the card metadata (license, languages, base models, training
// datasets, model-index). Eval rows come from the README's model-index
// when Options.Cards fetched it (source "card"), else from cardData (source
// "card_data"); gated and disabled repos, whose README cannot be fetched,
// still get theirs from cardData. ModelRow, DatasetRow, EvalRows and
// CardRow are the conversions between the Hub's shapes and the store's.
//
// # Concurrency
//
// One goroutine follows the listing's Link cursor page by page; a pool of
// Options.Workers goroutines (errgroup with SetLimit) converts repos and
// fetches details and READMEs; one writer goroutine takes pages back in
// listing order and appends them to part files, Arrow IPC scratch files
// that cost little more than a copy (store.ArrowIPC). At most a few pages
// are in flight, so memory does not grow with the size of the Hub.
//
// # Checkpoints and resume
//
// The crawl state lives in ZOO/.crawl/KIND/: part files
// TABLE-NNNNNN.arrow, each written atomically, and state.json, the
// checkpoint, replaced atomically after every part: it holds the query, the
// cursor URL of the next page, the durable counts and the list of parts.
// The writer flushes a part every Options.PartRows repos or
// Options.FlushInterval. A crawl killed at any point (even SIGKILL) resumes
// with Options.Resume from the last checkpoint: parts written after it are
// swept away and their pages listed again, so nothing is lost and nothing is
// stored twice. On cancellation the writer still flushes the pages it has
// finished.
//
// When the listing ends, store.MergeParts merges the parts into the zoo
// (commit.go), the same way for a first crawl and for later ones:
// deduplicated by the Hub's _id (else the id), the newest lastModified
// winning; rows of the crawl replace the zoo's Hub rows of the same repo;
// eval and card rows follow their repo's row (a README not fetched this
// time leaves the zoo's card; one the Hub says the repo no longer has
// removes it). The merge streams, holding an index of a few dozen bytes per
// repo, and one manifest replacement commits every table, so a crawl killed
// during it merges again from the same parts. Then the state directory is
// removed.
//
// # Incremental crawls
//
// A complete crawl records a watermark in the zoo manifest's provenance:
// the newest lastModified it saw, but no later than its start time minus a
// skew margin. The next crawl with the same query (kind, filters, search,
// author), unless it fetches READMEs or details that crawl did not, lists
// by lastModified, newest first, stops at the watermark (or at
// Options.Since) and merges the few changed repos into the tables.
// Options.Full ignores the watermark.
//
// # What it never does
//
// It never logs, prints, checkpoints or stores the Hub token: the token
// goes to the hub client only, which sends it to the endpoint's origin
// only. It never writes outside the zoo directory, never leaves a
// half-written table visible (the manifest is replaced last), never deletes
// rows of other sources (imported benchmarks), and never stops for one
// repo's failed detail or README fetch (they are counted by class in the
// Summary); a listing page that fails after the client's retries stops the
// crawl, resumable. It does not notice repos deleted from the Hub: their
// rows stay in the zoo.
package crawler
