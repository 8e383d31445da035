package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/zoograph/zoograph/store"
)

// Description says what a dataset is without a forward pass over it: what
// `rank --describe FILE` reads, and what rank derives from a datasets row.
// The YAML fields:
//
//	name: my-reviews            # how the dataset is called in the output (required)
//	modality: text              # text, image, audio, video, tabular, time-series, multimodal (required)
//	task: text-classification   # the Hub's task vocabulary (required)
//	subtask: sentiment-classification  # optional: the finer task (the Hub's task_ids)
//	num_classes: 2              # 0 or absent: unknown
//	num_examples: 12000         # 0 or absent: unknown
//	language: en                # one code or a list, any case (EN, pt_br)
//	domain: product reviews     # free text: what the data are about
//	tags: [sentiment, retail]   # optional, like the Hub's tags
//	distances:                  # optional: known distances to datasets of the zoo,
//	  imdb: 3.1                 #   on the zoo's distance scale
//	scores:                     # optional: transferability scores of the zoo's models on it,
//	  logme: {google-bert/bert-base-uncased: 1.92}  # logme or reg_h_score, methods the zoo has
//	finetuned:                  # optional: accuracies (0–1) of zoo models already fine-tuned
//	  google-bert/bert-base-uncased: 0.91  # on it: a warm target (see Recommend)
type Description struct {
	Name     string `yaml:"name" json:"name"`
	Modality string `yaml:"modality" json:"modality"`
	Task     string `yaml:"task" json:"task"`
	// Subtask is the finer task within Task, e.g. "natural language
	// inference" or the Hub's task_ids ("natural-language-inference").
	Subtask     string                        `yaml:"subtask" json:"subtask,omitempty"`
	NumClasses  int64                         `yaml:"num_classes" json:"num_classes,omitempty"`
	NumExamples int64                         `yaml:"num_examples" json:"num_examples,omitempty"`
	Languages   []string                      `yaml:"language" json:"language,omitempty"` // the Hub card's field name, in both
	Domain      string                        `yaml:"domain" json:"domain,omitempty"`
	Tags        []string                      `yaml:"tags" json:"tags,omitempty"`
	Distances   map[string]float64            `yaml:"distances" json:"distances,omitempty"`
	Scores      map[string]map[string]float64 `yaml:"scores" json:"scores,omitempty"`
	Finetuned   map[string]float64            `yaml:"finetuned" json:"finetuned,omitempty"`

	// src is where ParseDescription read the fields, so that a problem
	// found later (a distance to a dataset the zoo lacks) names the line.
	src *descriptionSource
}

// descriptionSource is a description's file and the line of each field,
// nested fields by their dotted path (distances.imdb, scores.logme.m).
type descriptionSource struct {
	file  string
	lines map[string]int
}

// fieldError is a DescriptionError on field, with the file and the line of
// the field, or of the nearest enclosing field, when d was parsed.
func (d *Description) fieldError(field, format string, args ...any) *DescriptionError {
	e := &DescriptionError{Field: field, Msg: fmt.Sprintf(format, args...)}
	if d.src == nil {
		return e
	}
	e.File = d.src.file
	for path := field; path != "" && e.Line == 0; {
		e.Line = d.src.lines[path]
		i := strings.LastIndexByte(path, '.')
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return e
}

// ErrDescription is wrapped by every error about a dataset description, so
// that callers can tell bad input (exit code 2) from a failure.
var ErrDescription = errors.New("bad dataset description")

// DescriptionError is a problem with one field of a description file.
type DescriptionError struct {
	File  string // "" when not read from a file
	Line  int    // 0 when unknown
	Field string // "" for the whole document
	Msg   string
}

func (e *DescriptionError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	} else if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

func (e *DescriptionError) Unwrap() error { return ErrDescription }

// Modalities are the accepted values of Description.Modality.
var Modalities = []string{"text", "image", "audio", "video", "tabular", "time-series", "multimodal"}

// taskInfo places a Hub task: its modality and its family. Models fit a
// dataset's task when their task is of the same family (see FitsTask).
type taskInfo struct{ modality, family string }

// Task families.
const (
	familyTextUnderstanding  = "text understanding"
	familyTextGeneration     = "text generation"
	familyImageUnderstanding = "image understanding"
	familyImageGeneration    = "image generation"
	familyAudioUnderstanding = "audio understanding"
	familyAudioGeneration    = "audio generation"
	familyVideo              = "video understanding"
	familyVisionLanguage     = "vision-language"
	familyTabular            = "tabular"
	familyTimeSeries         = "time series"
	familyRL                 = "reinforcement learning"
)

// hubTasks is the Hub's task vocabulary (pipeline tags and dataset
// task_categories) with the modality and family zoograph gives each.
// Backbone tasks (fill-mask, feature-extraction) belong to the family of
// the tasks they are fine-tuned for.
var hubTasks = map[string]taskInfo{
	"text-classification":            {"text", familyTextUnderstanding},
	"token-classification":           {"text", familyTextUnderstanding},
	"question-answering":             {"text", familyTextUnderstanding},
	"zero-shot-classification":       {"text", familyTextUnderstanding},
	"fill-mask":                      {"text", familyTextUnderstanding},
	"feature-extraction":             {"text", familyTextUnderstanding},
	"sentence-similarity":            {"text", familyTextUnderstanding},
	"multiple-choice":                {"text", familyTextUnderstanding},
	"natural-language-inference":     {"text", familyTextUnderstanding},
	"table-question-answering":       {"text", familyTextUnderstanding},
	"text-ranking":                   {"text", familyTextUnderstanding},
	"text-retrieval":                 {"text", familyTextUnderstanding},
	"text-generation":                {"text", familyTextGeneration},
	"text2text-generation":           {"text", familyTextGeneration},
	"summarization":                  {"text", familyTextGeneration},
	"translation":                    {"text", familyTextGeneration},
	"conversational":                 {"text", familyTextGeneration},
	"image-classification":           {"image", familyImageUnderstanding},
	"image-feature-extraction":       {"image", familyImageUnderstanding},
	"object-detection":               {"image", familyImageUnderstanding},
	"image-segmentation":             {"image", familyImageUnderstanding},
	"depth-estimation":               {"image", familyImageUnderstanding},
	"keypoint-detection":             {"image", familyImageUnderstanding},
	"mask-generation":                {"image", familyImageUnderstanding},
	"zero-shot-object-detection":     {"image", familyImageUnderstanding},
	"zero-shot-image-classification": {"image", familyImageUnderstanding},
	"image-to-image":                 {"image", familyImageGeneration},
	"unconditional-image-generation": {"image", familyImageGeneration},
	"text-to-image":                  {"image", familyImageGeneration},
	"audio-classification":           {"audio", familyAudioUnderstanding},
	"automatic-speech-recognition":   {"audio", familyAudioUnderstanding},
	"voice-activity-detection":       {"audio", familyAudioUnderstanding},
	"audio-to-audio":                 {"audio", familyAudioGeneration},
	"text-to-speech":                 {"audio", familyAudioGeneration},
	"text-to-audio":                  {"audio", familyAudioGeneration},
	"video-classification":           {"video", familyVideo},
	"text-to-video":                  {"video", familyVideo},
	"image-to-text":                  {"multimodal", familyVisionLanguage},
	"image-text-to-text":             {"multimodal", familyVisionLanguage},
	"visual-question-answering":      {"multimodal", familyVisionLanguage},
	"document-question-answering":    {"multimodal", familyVisionLanguage},
	"visual-document-retrieval":      {"multimodal", familyVisionLanguage},
	"video-text-to-text":             {"multimodal", familyVisionLanguage},
	"any-to-any":                     {"multimodal", familyVisionLanguage},
	"tabular-classification":         {"tabular", familyTabular},
	"tabular-regression":             {"tabular", familyTabular},
	"time-series-forecasting":        {"time-series", familyTimeSeries},
	"reinforcement-learning":         {"reinforcement-learning", familyRL},
	"robotics":                       {"reinforcement-learning", familyRL},
}

// taskModalities says which declared modalities a task allows beyond its
// own: a zero-shot image classifier works on images and text.
func taskAllows(task, modality string) bool {
	ti, ok := hubTasks[task]
	if !ok {
		return false
	}
	if ti.modality == modality {
		return true
	}
	switch ti.family {
	case familyVisionLanguage:
		return modality == "image" || modality == "text"
	}
	return task == "zero-shot-image-classification" && modality == "multimodal"
}

// classification tasks need two classes or more.
var classificationTasks = map[string]bool{
	"text-classification": true, "token-classification": true, "image-classification": true,
	"audio-classification": true, "video-classification": true, "tabular-classification": true,
	"natural-language-inference": true, "zero-shot-classification": true, "zero-shot-image-classification": true,
}

var yamlLineRe = regexp.MustCompile(`^line (\d+): `)

var languageRe = regexp.MustCompile(`^([a-z]{2,3}(-[A-Za-z0-9]{2,8})*|multilingual)$`)

// canonicalLanguage writes a language code the way the Hub's language tags,
// and so the zoo, write it (BCP 47 casing): the language lower case, a
// script title case, a region upper case, subtags joined by "-", so that
// EN, en_us and pt-br read as en, en-US and pt-BR. The zoo's codes are
// compared as they are: a description matches them only in this form.
func canonicalLanguage(code string) string {
	parts := strings.FieldsFunc(strings.ToLower(strings.TrimSpace(code)), func(r rune) bool { return r == '-' || r == '_' })
	for i, p := range parts {
		switch {
		case i == 0:
		case len(p) == 2 && p[0] >= 'a' && p[0] <= 'z': // a region (ISO 3166)
			parts[i] = strings.ToUpper(p)
		case len(p) == 4 && p[0] >= 'a' && p[0] <= 'z': // a script (ISO 15924)
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "-")
}

// descriptionFields are the YAML keys of a description, in order.
var descriptionFields = []string{"name", "modality", "task", "subtask", "num_classes", "num_examples", "language", "domain", "tags", "distances", "scores", "finetuned"}

// ParseDescription reads a dataset description (YAML, see Description).
// file names the source in errors. Every error is a *DescriptionError
// naming the field and line, and wraps ErrDescription.
func ParseDescription(data []byte, file string) (*Description, error) {
	fail := func(line int, field, format string, args ...any) error {
		return &DescriptionError{File: file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fail(0, "", "empty: a description needs at least name, modality and task")
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg, line := yamlMessage(err), 0
		if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
			fmt.Sscan(m[1], &line)
			msg = msg[len(m[0]):]
		}
		return nil, fail(line, "", "not valid YAML: %s", msg)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, fail(root.Line, "", "expected a mapping of fields (name: ..., modality: ...), found a %s", nodeKind(root))
	}
	d := &Description{}
	lines := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		key := k.Value
		if _, dup := lines[key]; dup {
			return nil, fail(k.Line, key, "given twice (first on line %d)", lines[key])
		}
		lines[key] = k.Line
		known, err := d.decodeField(key, v, lines)
		if !known {
			return nil, fail(k.Line, key, "unknown field (the fields are %s)", strings.Join(descriptionFields, ", "))
		}
		if err != nil {
			// The error names the field and the line: the decoder's own
			// line where it gives one (a value nested below the field's),
			// said once.
			msg, line := strings.TrimPrefix(yamlMessage(err), "construct errors: "), v.Line
			if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
				fmt.Sscan(m[1], &line)
				msg = msg[len(m[0]):]
			}
			return nil, fail(line, key, "%s", msg)
		}
	}
	d.src = &descriptionSource{file: file, lines: lines}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return d, nil
}

// decodeField decodes v, the value of the field key, into d, and records
// the lines of the keys nested in distances and scores; known is false for
// a key that is no field.
func (d *Description) decodeField(key string, v *yaml.Node, lines map[string]int) (known bool, err error) {
	switch key {
	case "name":
		return true, decodeScalar(v, &d.Name)
	case "modality":
		return true, decodeScalar(v, &d.Modality)
	case "task":
		return true, decodeScalar(v, &d.Task)
	case "subtask":
		return true, decodeScalar(v, &d.Subtask)
	case "num_classes":
		return true, decodeScalar(v, &d.NumClasses)
	case "num_examples":
		return true, decodeScalar(v, &d.NumExamples)
	case "language":
		if v.Kind != yaml.ScalarNode {
			return true, decodeNode(v, &d.Languages)
		}
		var s string
		if err = v.Decode(&s); err == nil && s != "" {
			d.Languages = []string{s}
		}
		return true, err
	case "domain":
		return true, decodeScalar(v, &d.Domain)
	case "tags":
		return true, decodeNode(v, &d.Tags)
	case "distances":
		keyLines(v, key, lines)
		return true, decodeNode(v, &d.Distances)
	case "scores":
		keyLines(v, key, lines)
		for j := 0; j+1 < len(v.Content) && v.Kind == yaml.MappingNode; j += 2 {
			keyLines(v.Content[j+1], key+"."+v.Content[j].Value, lines)
		}
		return true, decodeNode(v, &d.Scores)
	case "finetuned":
		keyLines(v, key, lines)
		return true, decodeNode(v, &d.Finetuned)
	}
	return false, nil
}

// decodeNode decodes n into v. Keys repeated in a mapping are an error
// (dupKeys), found in one pass: the decoder's own check compares every pair
// of keys, minutes for a description that lists every model of a large zoo.
func decodeNode(n *yaml.Node, v any) error {
	if err := dupKeys(n); err != nil {
		return err
	}
	return n.Load(v, yaml.WithUniqueKeys(false))
}

// dupKeys reports the first key repeated in a mapping of the tree n, in
// the decoder's words ("line L: mapping key ... already defined at line
// M"). It does not follow aliases: the nodes they name are checked where
// they are written.
func dupKeys(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		first := make(map[string]int, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.Value == "<<" {
				continue
			}
			if line, dup := first[k.Value]; dup {
				return fmt.Errorf("line %d: mapping key %q already defined at line %d", k.Line, k.Value, line)
			}
			first[k.Value] = k.Line
		}
	}
	for _, c := range n.Content {
		if err := dupKeys(c); err != nil {
			return err
		}
	}
	return nil
}

// keyLines records the line of each key of the mapping n under
// prefix.key; it does nothing when n is not a mapping.
func keyLines(n *yaml.Node, prefix string, lines map[string]int) {
	if n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		lines[prefix+"."+n.Content[i].Value] = n.Content[i].Line
	}
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "scalar"
	case yaml.MappingNode:
		return "mapping"
	}
	return "document"
}

// decodeScalar decodes a scalar node; a list or a mapping is an error.
func decodeScalar(n *yaml.Node, v any) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("expected a single value, found a %s", nodeKind(n))
	}
	return n.Decode(v)
}

// yamlMessage shortens the YAML decoder's error to what the user needs,
// and says a value that is not a number so ("cannot construct !!str
// `12,000` into int64" is "12,000" is not a whole number).
func yamlMessage(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	if i := strings.Index(msg, "unmarshal errors:\n"); i >= 0 {
		msg = strings.TrimSpace(msg[i+len("unmarshal errors:\n"):])
	}
	return yamlNumberRe.ReplaceAllStringFunc(msg, func(m string) string {
		sub := yamlNumberRe.FindStringSubmatch(m)
		if !strings.HasPrefix(sub[2], "float") {
			if strings.Contains(sub[1], ",") {
				return fmt.Sprintf("%q is not a whole number: write it without separators", sub[1])
			}
			return fmt.Sprintf("%q is not a whole number", sub[1])
		}
		return fmt.Sprintf("%q is not a number", sub[1])
	})
}

// yamlNumberRe is the YAML decoder's error for a value that is no number
// where one is wanted.
var yamlNumberRe = regexp.MustCompile("cannot construct !!\\w+ `([^`]*)` into (u?int\\d*|float\\d*)")

// Validate checks a description: name, modality and task are required; the
// modality is one of Modalities; the task is in the Hub's vocabulary and
// fits the modality; counts are not negative (a classification task has at
// least 2 classes when they are given); languages look like language codes,
// any case, and are written as the zoo writes them (canonicalLanguage);
// distances are finite and not negative; scores are finite, and of a method
// zoograph reads (logme, reg_h_score). Errors are
// *DescriptionError naming the field, and the file and line of a parsed
// description.
func (d *Description) Validate() error {
	fail := func(field, format string, args ...any) error {
		return d.fieldError(field, format, args...)
	}
	d.Name = strings.TrimSpace(d.Name)
	d.Modality = strings.ToLower(strings.TrimSpace(d.Modality))
	d.Task = strings.ToLower(strings.TrimSpace(d.Task))
	switch {
	case d.Name == "":
		return fail("name", "missing: how the dataset is called in the output")
	case d.Modality == "":
		return fail("modality", "missing: one of %s", strings.Join(Modalities, ", "))
	case !slices.Contains(Modalities, d.Modality):
		return fail("modality", "unknown modality %q: want one of %s", d.Modality, strings.Join(Modalities, ", "))
	case d.Task == "":
		return fail("task", "missing: a task of the Hub's vocabulary, e.g. %s", exampleTask(d.Modality))
	}
	if _, ok := hubTasks[d.Task]; !ok {
		return fail("task", "unknown task %q: want a task of the Hub's vocabulary, e.g. %s", d.Task, exampleTask(d.Modality))
	}
	if !taskAllows(d.Task, d.Modality) {
		return fail("task", "%s is a task for %s data, not %s", d.Task, hubTasks[d.Task].modality, d.Modality)
	}
	switch {
	case d.NumClasses < 0:
		return fail("num_classes", "%d is negative: give the number of classes, or leave it out when unknown", d.NumClasses)
	case d.NumClasses == 1 && classificationTasks[d.Task]:
		return fail("num_classes", "1: a classification task has at least 2 classes")
	case d.NumExamples < 0:
		return fail("num_examples", "%d is negative: give the number of examples, or leave it out when unknown", d.NumExamples)
	}
	for i, l := range d.Languages {
		d.Languages[i] = canonicalLanguage(l)
		if !languageRe.MatchString(d.Languages[i]) {
			return fail("language", "%q is not a language code: want an ISO 639 code of 2 or 3 letters, a region or script after it (en, pt-BR, zh-Hant), or multilingual", strings.TrimSpace(l))
		}
	}
	for _, name := range sortedKeys(d.Distances) {
		if v := d.Distances[name]; math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return fail("distances."+name, "%v: want a finite distance ≥ 0", v)
		}
	}
	for _, method := range sortedKeys(d.Scores) {
		if !slices.Contains(transferMethods, method) {
			return fail("scores."+method, "unknown method %q: want %s, the transferability scores zoograph reads", method, strings.Join(transferMethods, " or "))
		}
		for _, m := range sortedKeys(d.Scores[method]) {
			if v := d.Scores[method][m]; math.IsNaN(v) || math.IsInf(v, 0) {
				return fail("scores."+method+"."+m, "%v: want a finite score", v)
			}
		}
	}
	for _, m := range sortedKeys(d.Finetuned) {
		if v := d.Finetuned[m]; !(v >= 0 && v <= 1) {
			return fail("finetuned."+m, "%v: want the accuracy the fine-tune reached, in [0, 1]", v)
		}
	}
	return nil
}

func exampleTask(modality string) string {
	switch modality {
	case "image":
		return "image-classification"
	case "audio":
		return "audio-classification"
	case "tabular":
		return "tabular-classification"
	case "video":
		return "video-classification"
	case "time-series":
		return "time-series-forecasting"
	case "multimodal":
		return "image-to-text"
	}
	return "text-classification"
}

// HowToDescribe is the hint an unknown target gets.
const HowToDescribe = `describe it in a YAML file and pass --describe FILE:

	name: my-dataset
	modality: text              # text, image, audio, video, tabular, time-series, multimodal
	task: text-classification   # the Hub's task vocabulary
	num_classes: 2
	num_examples: 12000
	language: en
	domain: product reviews

or crawl its Hub page first (zoograph crawl datasets --search NAME --out ZOO)`

// describeDataset derives a description from a datasets row: the modality
// from the Hub's modality: tags, else from its task; the task from its task
// categories (or task_categories: tags); the size from num_examples, else
// the geometric middle of its size category; the domain from its pretty
// name words and free tags. Fields it cannot derive stay empty.
func describeDataset(ds store.Dataset) Description {
	d := Description{Name: ds.DatasetID, NumClasses: ds.NumClasses, NumExamples: ds.NumExamples}
	for _, l := range ds.Languages {
		if l = canonicalLanguage(l); l != "" && !slices.Contains(d.Languages, l) {
			d.Languages = append(d.Languages, l)
		}
	}
	tasks := slices.Clone(ds.TaskCategories)
	var free []string
	for _, t := range ds.Tags {
		key, value, ok := strings.Cut(t, ":")
		if !ok {
			free = append(free, t)
			continue
		}
		switch key {
		case "modality":
			if d.Modality == "" && slices.Contains(Modalities, value) {
				d.Modality = value
			}
		case "task_categories":
			tasks = append(tasks, value)
		case "language": // written as a description's are, so that they compare
			if value = canonicalLanguage(value); value != "" && !slices.Contains(d.Languages, value) {
				d.Languages = append(d.Languages, value)
			}
		case "domain":
			free = append(free, value)
		case "task", "task_ids": // an imported benchmark's finer task; the Hub's task ids
			if d.Subtask == "" {
				d.Subtask = value
			}
		}
	}
	for _, t := range tasks {
		if _, ok := hubTasks[t]; ok {
			d.Task = t
			break
		}
	}
	if d.Modality == "" && d.Task != "" {
		d.Modality = hubTasks[d.Task].modality
	}
	if d.NumExamples == 0 {
		for _, s := range ds.SizeCategories {
			if n := sizeCategoryMiddle(s); n > 0 {
				d.NumExamples = n
				break
			}
		}
	}
	d.Tags = free
	return d
}

// sizeCategoryMiddle is the geometric middle of a Hub size category:
// "1K<n<10K" is 3162; "n<1K" counts from 100, "n>1T" as 10T.
func sizeCategoryMiddle(s string) int64 {
	parse := func(x string) float64 {
		x = strings.TrimSpace(x)
		mult := 1.0
		switch {
		case strings.HasSuffix(x, "K"):
			mult, x = 1e3, strings.TrimSuffix(x, "K")
		case strings.HasSuffix(x, "M"):
			mult, x = 1e6, strings.TrimSuffix(x, "M")
		case strings.HasSuffix(x, "B"):
			mult, x = 1e9, strings.TrimSuffix(x, "B")
		case strings.HasSuffix(x, "T"):
			mult, x = 1e12, strings.TrimSuffix(x, "T")
		}
		var v float64
		if _, err := fmt.Sscanf(x, "%g", &v); err != nil {
			return math.NaN()
		}
		return v * mult
	}
	switch {
	case strings.HasPrefix(s, "n<"):
		return int64(math.Sqrt(100 * parse(s[2:])))
	case strings.HasPrefix(s, "n>"):
		return int64(10 * parse(s[2:]))
	}
	lo, rest, ok := strings.Cut(s, "<n<")
	if !ok {
		return 0
	}
	a, b := parse(lo), parse(rest)
	if math.IsNaN(a) || math.IsNaN(b) || a <= 0 || b <= a {
		return 0
	}
	return int64(math.Sqrt(a * b))
}

// words are the lower-case words of a description's name, domain and tags
// (without structural tags and stop words): what metadata similarity
// compares as the domain.
func (d *Description) words() map[string]bool {
	out := map[string]bool{}
	add := func(s string) {
		for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127)
		}) {
			if len(w) < 3 || stopWords[w] {
				continue
			}
			out[w] = true
		}
	}
	name := d.Name
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	add(name)
	add(d.Domain)
	for _, t := range d.Tags {
		add(t)
	}
	return out
}

var stopWords = map[string]bool{"the": true, "and": true, "for": true, "with": true, "dataset": true, "data": true,
	"set": true, "from": true, "v1": true, "v2": true, "label": true, "labels": true, "classification": true,
	"train": true, "test": true, "split": true, "small": true, "large": true, "base": true, "full": true}

// subtaskKey is a subtask as MetadataDistance compares it: lower case, "-"
// and "_" as spaces, runs of spaces as one.
func subtaskKey(s string) string {
	s = strings.NewReplacer("-", " ", "_", " ").Replace(strings.ToLower(s))
	return strings.Join(strings.Fields(s), " ")
}

// MetadataDistance is zoograph's distance between two datasets from their
// descriptions alone, in [0, 1] (NaN when nothing comparable is known):
//
//   - datasets of different (known) modalities are at distance 1;
//   - otherwise the distance is the mean of the components both know:
//     task and subtask (each 0 same, 1 different; subtasks compare in any
//     case, with "-" and "_" read as spaces), classes |ln k_a − ln k_b| / ln 100 and
//     examples |ln n_a − ln n_b| / ln 1000 (each capped at 1), language
//     (0 when the sets share a code, else 1) and domain 1 − J, J the
//     Jaccard index of the words of names, domains and tags.
//
// The components weigh alike: nothing was tuned. How well this ranks
// datasets like a real (probe-embedding) distance is measured by
// ValidateMetadataDistance.
func MetadataDistance(a, b *Description) float64 {
	if a.Modality != "" && b.Modality != "" && a.Modality != b.Modality {
		return 1
	}
	var sum, n float64
	add := func(v float64) {
		sum += math.Min(v, 1)
		n++
	}
	if a.Task != "" && b.Task != "" {
		if a.Task == b.Task {
			add(0)
		} else {
			add(1)
		}
	}
	if sa, sb := subtaskKey(a.Subtask), subtaskKey(b.Subtask); sa != "" && sb != "" {
		if sa == sb {
			add(0)
		} else {
			add(1)
		}
	}
	if a.NumClasses > 0 && b.NumClasses > 0 {
		add(math.Abs(math.Log(float64(a.NumClasses))-math.Log(float64(b.NumClasses))) / math.Log(100))
	}
	if a.NumExamples > 0 && b.NumExamples > 0 {
		add(math.Abs(math.Log(float64(a.NumExamples))-math.Log(float64(b.NumExamples))) / math.Log(1000))
	}
	if len(a.Languages) > 0 && len(b.Languages) > 0 {
		shared := slices.ContainsFunc(a.Languages, func(l string) bool { return slices.Contains(b.Languages, l) })
		if shared {
			add(0)
		} else {
			add(1)
		}
	}
	wa, wb := a.words(), b.words()
	if len(wa) > 0 && len(wb) > 0 {
		inter := 0
		for w := range wa {
			if wb[w] {
				inter++
			}
		}
		add(1 - float64(inter)/float64(len(wa)+len(wb)-inter))
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / n
}
