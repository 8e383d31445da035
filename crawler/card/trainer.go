package card

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
)

// Trainer is what the card body says in the sentences the Hugging Face
// Trainer writes into the cards it generates (transformers' modelcard.py):
//
//	This model is a fine-tuned version of [B](https://huggingface.co/B) on the D dataset.
//	It achieves the following results on the evaluation set:
//	- Loss: 0.4550
//	- Accuracy: 0.8921
//
// Most fine-tuned models name their base model only there, not in the
// base_model front matter.
type Trainer struct {
	// BaseModel is the Hub id of the model the card says this one was
	// fine-tuned from: the path of the link (the link text is sometimes a
	// nickname, "[Bertweet](https://huggingface.co/vinai/bertweet-base)").
	// "" when the card has no such sentence or the link is not a model id.
	BaseModel string
	// Dataset is D as written ("emotion", "GLUE RTE", "imagefolder"); ""
	// when the sentence names none ("on an unknown dataset", "on the None
	// dataset") or there is no sentence.
	Dataset string
	// EvalResults are the "evaluation set" results, keyed by the metric as
	// printed, lower-cased with spaces as underscores ("accuracy", "f1",
	// "matthews_correlation", "loss"); the Trainer rounds them to 4
	// decimals. Nil when the card has no such list.
	EvalResults map[string]float64
}

var (
	fineTunedRe = regexp.MustCompile(`This model is a fine-tuned version of \[[^\]\n]*\]\(\s*https?://huggingface\.co/([^)\s]*)\s*\)(?:\s+on\s+(?:the\s+)?([^\n]*?)\s+dataset\b)?`)
	modelIDRe   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$`)
)

// ParseTrainer reads the Trainer's sentences from a README (front matter
// included or not; only the body is searched). It never fails: a card
// without the sentences gives the zero Trainer.
func ParseTrainer(readme []byte) Trainer {
	_, body, ok := Split(readme)
	if !ok {
		body = readme
	}
	var t Trainer
	if m := fineTunedRe.FindSubmatch(body); m != nil {
		t.BaseModel = modelIDFromPath(string(m[1]))
		if d := strings.TrimSpace(string(m[2])); d != "" && !strings.EqualFold(d, "none") && !strings.HasPrefix(d, "an unknown") {
			t.Dataset = d
		}
	}
	t.EvalResults = evalSetResults(body)
	return t
}

// modelIDFromPath turns the path of a huggingface.co link into a model id:
// "owner/name" or a legacy "name", without a trailing slash or a /tree/...
// suffix. Dataset and space links and local paths give "".
func modelIDFromPath(p string) string {
	p = strings.Trim(p, "/")
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	parts := strings.Split(p, "/")
	switch {
	case p == "" || parts[0] == "datasets" || parts[0] == "spaces" || parts[0] == "." || parts[0] == "..":
		return ""
	case len(parts) > 2 && (parts[2] == "tree" || parts[2] == "blob" || parts[2] == "resolve"):
		parts = parts[:2]
	}
	id := strings.Join(parts, "/")
	if !modelIDRe.MatchString(id) {
		return ""
	}
	return id
}

const evalSetHeader = "It achieves the following results on the evaluation set:"

// evalSetResults reads the "- Name: value" list that follows the
// evaluation-set sentence, up to the first line that is not such an item.
func evalSetResults(body []byte) map[string]float64 {
	i := bytes.Index(body, []byte(evalSetHeader))
	if i < 0 {
		return nil
	}
	rest := body[i+len(evalSetHeader):]
	out := map[string]float64{}
	started := false
	for line := range strings.Lines(string(rest)) {
		line = strings.TrimSpace(line)
		if line == "" && !started {
			continue
		}
		item, ok := strings.CutPrefix(line, "- ")
		if !ok {
			break
		}
		started = true
		name, value, ok := strings.Cut(item, ":")
		if !ok {
			break
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			continue // "- Accuracy: {'accuracy': 0.9}" and the like
		}
		key := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(name)), " ", "_")
		if _, dup := out[key]; !dup {
			out[key] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
