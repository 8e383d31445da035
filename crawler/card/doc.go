// Package card parses Hugging Face model and dataset cards: the YAML front
// matter of a README.md into typed Metadata (license, languages, datasets,
// base models, tags, pipeline tag, dataset-card categories, ...), and the
// model-index in it into flat evaluation rows, one per metric.
//
// The Hub's own client, huggingface_hub, reads cards with PyYAML's
// safe_load, and the Hub server splits them with the same pattern. This
// package reads cards with go.yaml.in/yaml and keeps PyYAML's reading where
// it changes which cards parse on the real Hub:
//
//   - Split cuts the front matter exactly as the Hub's pattern does (leading
//     whitespace and a UTF-8 byte order mark are skipped; CRLF is accepted).
//   - Scalars keep their text as written ("language: no" is Norwegian, a
//     metric value 0.90 keeps "0.90"); numbers and booleans are read from
//     that text where a number or a boolean belongs.
//   - Duplicate keys are accepted and the last one wins; merge keys (<<)
//     work; cards PyYAML refuses for tabs where its scanner forbids them,
//     unhashable keys, several documents or a list instead of a mapping
//     fail with ErrInvalid.
//
// Flattening model-index follows huggingface_hub's
// model_index_to_eval_results, leniently: a malformed part (a mapping
// instead of a list, a result without a task, a metric value like
// "250.52 +/- 20.12" or "72%") loses that part only, never the card, and
// never panics. Values keep their raw text beside the number.
//
// ParseTrainer reads what the Trainer writes into the body of the cards it
// generates: the base model and dataset of "This model is a fine-tuned
// version of [B](https://huggingface.co/B) on the D dataset." and the
// evaluation-set results listed under it. Most fine-tuned models name their
// base model only there.
//
// The same Metadata comes from FromCardData, for the cardData object the
// Hub API returns, which is all there is for gated and disabled repos.
//
// Parsing is bounded (Options): a size limit on the front matter, a limit on
// the nodes alias expansion may add (a "billion laughs" card fails fast with
// ErrTooComplex) and a nesting limit.
//
// The package does no I/O and no network access, keeps no state between
// calls, and is safe for concurrent use. It imports nothing of zoograph's:
// the crawler converts Metadata and EvalRow into store rows.
package card
