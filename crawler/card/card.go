package card

import (
	"errors"
	"fmt"
)

// Errors returned by Parse. Each error wraps exactly one of them, so callers
// can tell a card they should skip (ErrInvalid) from one that hit a safety
// limit (ErrTooLarge, ErrTooComplex).
var (
	// ErrInvalid reports front matter that PyYAML's safe_load (and so
	// huggingface_hub) would refuse: a YAML syntax error, a tab where
	// PyYAML forbids one, several documents, an unhashable key, or a
	// document that is not a mapping.
	ErrInvalid = errors.New("card: invalid front matter")
	// ErrTooLarge reports front matter longer than Options.MaxBytes.
	ErrTooLarge = errors.New("card: front matter too large")
	// ErrTooComplex reports front matter whose aliases expand beyond
	// Options.MaxAliases nodes or whose nesting exceeds Options.MaxDepth.
	ErrTooComplex = errors.New("card: front matter too complex")
)

// Options bounds the work Parse does on one card. A zero or negative field
// takes the value DefaultOptions gives it, so Options{} is usable.
type Options struct {
	// MaxBytes is the largest front matter (the YAML between the ---
	// lines) Parse decodes. The Markdown body is never decoded, so its size
	// does not count. Beyond the limit Parse fails with ErrTooLarge.
	// Decoding allocates about 45 bytes per byte of real front matter, up to
	// about 150 on hostile input such as a flow list of one-letter items
	// (2 MiB of it: 300 MB allocated, about a second of CPU), so this is
	// also the memory bound.
	MaxBytes int
	// MaxAliases is the most nodes alias expansion may add: every *alias
	// costs the number of nodes of the value it stands for, aliases inside
	// included. A "billion laughs" document fails with ErrTooComplex after
	// at most this much work. Documents without aliases cost nothing.
	MaxAliases int
	// MaxDepth is the deepest nesting of mappings and sequences accepted;
	// deeper documents fail with ErrTooComplex.
	MaxDepth int
}

// DefaultOptions returns the limits Parse uses for zero fields: 2 MiB of
// front matter (leaderboard cards are the largest: an MTEB card with 1,391
// results has 120 KB), 10,000 alias nodes and 100 nested collections (cards
// nest about 6 deep).
func DefaultOptions() Options {
	return Options{MaxBytes: 2 << 20, MaxAliases: 10_000, MaxDepth: 100}
}

// withDefaults fills zero and negative fields from DefaultOptions.
func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.MaxBytes <= 0 {
		o.MaxBytes = d.MaxBytes
	}
	if o.MaxAliases <= 0 {
		o.MaxAliases = d.MaxAliases
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = d.MaxDepth
	}
	return o
}

// Metadata is the typed subset of card metadata zoograph keeps, from model
// cards and dataset cards alike.
//
// Every list field accepts a single string or a list in the card (the Hub
// has both for license, language, datasets, base_model, tags, ...); it holds
// the non-empty elements with surrounding spaces trimmed, duplicates
// dropped, in card order. Scalars keep the text as written: "language: no"
// is Norwegian, not PyYAML's false. Fields whose value has the wrong shape
// (a mapping where a string or list belongs) are left empty and noted in
// Warnings.
type Metadata struct {
	// License is the card's license id(s). Model cards write one string
	// ("apache-2.0", "other"); dataset cards and some model cards list
	// several, so it is always a list.
	License     []string
	LicenseName string   // license_name, for license: other
	LicenseLink string   // license_link, for license: other
	Languages   []string // language
	Tags        []string
	Datasets    []string // datasets: training datasets (Hub dataset ids)
	BaseModels  []string // base_model: the model(s) this one derives from
	// BaseModelRelation is base_model_relation: adapter, merge, quantized
	// or finetune when the card says so.
	BaseModelRelation string
	Metrics           []string // metrics: metric ids the card declares
	PipelineTag       string   // pipeline_tag
	LibraryName       string   // library_name

	// Dataset-card fields.
	PrettyName       string   // pretty_name
	TaskCategories   []string // task_categories
	TaskIDs          []string // task_ids
	SizeCategories   []string // size_categories
	SourceDatasets   []string // source_datasets
	PaperswithcodeID string   // paperswithcode_id

	// ModelIndex is model-index flattened into one row per metric (see
	// Flatten). It is nil when the card has no model-index or when
	// model-index is not a list, and non-nil but empty when the list yields
	// no metrics.
	ModelIndex []EvalRow

	// Warnings describe the parts of the metadata that were skipped because
	// of their shape (model-index given as a mapping, a result without a
	// task, a license given as a mapping, ...). They are for logs.
	Warnings []string
}

// Parse parses the front matter of a whole README into Metadata. A README
// without front matter gives empty Metadata and no error. The error wraps
// ErrInvalid, ErrTooLarge or ErrTooComplex; the Metadata is then nil. Parse
// never panics, whatever the input.
func Parse(readme []byte, opt Options) (*Metadata, error) {
	fm, _, ok := Split(readme)
	if !ok {
		return &Metadata{}, nil
	}
	return ParseFrontMatter(fm, opt)
}

// ParseFrontMatter is Parse for front matter already cut out of its README
// (the YAML without the --- lines).
func ParseFrontMatter(frontMatter []byte, opt Options) (*Metadata, error) {
	opt = opt.withDefaults()
	v, err := decodeFrontMatter(frontMatter, opt)
	if err != nil {
		return nil, err
	}
	switch m := v.(type) {
	case nil:
		return &Metadata{}, nil // null document: PyYAML gives None, the client {}
	case map[string]any:
		md, _ := fromMap(m)
		return md, nil
	default:
		return nil, fmt.Errorf("%w: the front matter is a %s, not a mapping", ErrInvalid, kindName(v))
	}
}

// FromCardData converts the cardData object of a Hub API response (the
// server's parse of the front matter, decoded from JSON into map[string]any)
// into Metadata, so that eval rows are harvested even where the README
// cannot be fetched (gated or disabled repos). Numbers may be float64 or
// json.Number (Decoder.UseNumber keeps them as written, which ValueRaw then
// shows). A nil map gives empty Metadata.
//
// The error wraps ErrInvalid when a field zoograph reads holds a Go value that
// decoding JSON or YAML into any cannot produce (a struct, a pointer, a
// channel, ...), which means the caller passed the wrong object; the
// Metadata is still filled from everything else.
func FromCardData(cardData map[string]any) (*Metadata, error) {
	md, err := fromMap(cardData)
	if err != nil {
		return md, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return md, nil
}

// fromMap pulls the typed fields out of a decoded front-matter mapping.
func fromMap(m map[string]any) (*Metadata, error) {
	r := &reader{}
	md := &Metadata{
		License:           r.list(m, "license"),
		LicenseName:       r.str(m, "license_name"),
		LicenseLink:       r.str(m, "license_link"),
		Languages:         r.list(m, "language"),
		Tags:              r.list(m, "tags"),
		Datasets:          r.list(m, "datasets"),
		BaseModels:        r.list(m, "base_model"),
		BaseModelRelation: r.str(m, "base_model_relation"),
		Metrics:           r.list(m, "metrics"),
		PipelineTag:       r.str(m, "pipeline_tag"),
		LibraryName:       r.str(m, "library_name"),
		PrettyName:        r.str(m, "pretty_name"),
		TaskCategories:    r.list(m, "task_categories"),
		TaskIDs:           r.list(m, "task_ids"),
		SizeCategories:    r.list(m, "size_categories"),
		SourceDatasets:    r.list(m, "source_datasets"),
		PaperswithcodeID:  r.str(m, "paperswithcode_id"),
	}
	if mi, ok := m["model-index"]; ok {
		md.ModelIndex = r.flatten(mi)
	}
	md.Warnings = r.warnings
	return md, r.err
}
