package main

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"

	"github.com/zoograph/zoograph/pipeline"
	"github.com/zoograph/zoograph/pipeline/evaluate"
)

// parseConfigFlags parses args into cfg, the cli/cli way: bind defines the
// experiment flags straight on the fields of cfg (with cfg's values as
// defaults, so -h shows them), beside a --config flag and the command's own
// flags already on fs. When --config names a file, the file is read into
// cfg and the same arguments are parsed again onto it, so that a flag given
// explicitly overrides the file and the file overrides the defaults.
func parseConfigFlags(fs *flag.FlagSet, args []string, cfg *pipeline.Config, configUsage string, bind func(*flag.FlagSet, *pipeline.Config)) error {
	var file string
	fs.StringVar(&file, "config", "", configUsage)
	base := *cfg // the command's defaults, which a file's missing fields keep
	bind(fs, cfg)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if file == "" {
		return nil
	}
	loaded, err := loadConfig(file, base)
	if err != nil {
		return usagef("--config: %v", err)
	}
	*cfg = loaded
	again := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
	again.SetOutput(io.Discard)
	bind(again, cfg)
	fs.VisitAll(func(f *flag.Flag) { // the command's own flags: same values again
		if again.Lookup(f.Name) == nil {
			again.Var(f.Value, f.Name, f.Usage)
		}
	})
	if err := again.Parse(args); err != nil {
		return &flagError{err: err}
	}
	return nil
}

// bindModelFlags binds the flags of the model itself, shared by run, ablate
// and rank: seeds, learner, regressor and how the settings are chosen.
func bindModelFlags(fs *flag.FlagSet, cfg *pipeline.Config) {
	fs.IntVar(&cfg.Seeds, "seeds", cfg.Seeds, "repetitions (a count): seeds seed, seed+1, …, seed+N-1")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "base seed")
	fs.Var(learnerValue{cfg}, "learner", "graph `learner` (given, it is not searched over): "+joinNames(pipeline.Learners()))
	fs.TextVar(&cfg.Regressor, "regressor", cfg.Regressor, "`regressor`: "+joinNames(pipeline.Regressors()))
	fs.StringVar(&cfg.Selection.Mode, "selection", cfg.Selection.Mode, "how learner, edge weighting, tree depth and prior blend are chosen per target: "+
		"nested (leave-one-dataset-out over the other datasets, from the config's selection space) or fixed (as configured)")
}

// bindExperimentFlags binds the flags of run and ablate: the model's and
// what is evaluated, how and with what resources.
func bindExperimentFlags(fs *flag.FlagSet, cfg *pipeline.Config) {
	bindModelFlags(fs, cfg)
	fs.TextVar(&cfg.Features, "features", cfg.Features, "feature `set`: zoograph or paper (the paper's features minus its runtime leak)")
	fs.Var(&listValue[string]{list: &cfg.Targets}, "targets", "target datasets, a comma-separated `list` (default: the zoo's benchmark targets)")
	fs.Var(&listValue[string]{list: &cfg.Protocols, check: checkProtocol}, "protocol", "evaluation protocols, a comma-separated `list`: clean, paper or clean,paper")
	fs.Var(&listValue[pipeline.Baseline]{list: &cfg.Baselines, check: checkText[pipeline.Baseline]}, "baselines",
		"baselines, a comma-separated `list` of "+joinNames(pipeline.Baselines())+" (empty for none; those the zoo has no data for are left out)")
	fs.IntVar(&cfg.Probe, "probe", cfg.Probe, "warm targets: reveal the accuracy of this many of each target's models, drawn per seed, "+
		"to the graph and features, and leave them out of its evaluation (0: cold targets); history datasets reveal as many, "+
		"so one with K or fewer models gives no training rows, which a warning says")
	fs.IntVar(&cfg.Workers, "workers", cfg.Workers, "parallel tasks")
	fs.StringVar(&cfg.ReferencePredictions, "reference-predictions", cfg.ReferencePredictions,
		"someone else's predictions to evaluate beside zoograph's: a TransferGraph rank directory or a predictions CSV")
}

// learnerValue is --learner: a learner given explicitly is the one used,
// so it also empties the learners nested selection searches over.
type learnerValue struct{ cfg *pipeline.Config }

func (v learnerValue) String() string {
	if v.cfg == nil {
		return ""
	}
	return v.cfg.Learner.String()
}

func (v learnerValue) Set(s string) error {
	var l pipeline.Learner
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return err
	}
	v.cfg.Learner, v.cfg.Selection.Learners = l, nil
	return nil
}

// listValue is a comma-separated `list` flag bound to a slice: the flag's
// list replaces the slice's (the config file's or the default), each
// element checked by check when it is set. An empty value is the empty
// list.
type listValue[T ~string] struct {
	list  *[]T
	check func(T) error
}

func (l *listValue[T]) String() string {
	if l == nil || l.list == nil {
		return ""
	}
	s := make([]string, len(*l.list))
	for i, v := range *l.list {
		s[i] = string(v)
	}
	return strings.Join(s, ",")
}

func (l *listValue[T]) Set(s string) error {
	var out []T
	for _, x := range splitList(s) {
		v := T(x)
		if l.check != nil {
			if err := l.check(v); err != nil {
				return err
			}
		}
		out = append(out, v)
	}
	*l.list = out
	return nil
}

// checkText reports whether v is a valid value of its type, by its
// UnmarshalText.
func checkText[T ~string, P interface {
	*T
	encoding.TextUnmarshaler
}](v T) error {
	var x T
	return P(&x).UnmarshalText([]byte(v))
}

func checkProtocol(p string) error {
	_, err := evaluate.ParseProtocol(p)
	return err
}

// joinNames lists typed names, comma-separated, for help texts.
func joinNames[T ~string](names []T) string {
	s := make([]string, len(names))
	for i, n := range names {
		s[i] = string(n)
	}
	return strings.Join(s, ", ")
}

// loadConfig reads an experiment config file over cfg (the command's defaults): a run's
// config.json (the config wrapped with the zoo checksum) or a config, whole
// or in part, such as {"clean": {"min_dataset_models": 3}}. Unknown fields
// are errors. An error names the file, the line and the column:
// "config FILE:LINE:COL: ...", an unknown field with its path.
func loadConfig(path string, cfg pipeline.Config) (pipeline.Config, error) {
	file, err := os.ReadFile(path)
	if err != nil {
		return cfg, err
	}
	b, base := file, 0
	var wrapped struct {
		Config *json.RawMessage `json:"config"`
	}
	if err := json.Unmarshal(file, &wrapped); err == nil && wrapped.Config != nil {
		b = *wrapped.Config
		base = max(bytes.Index(file, b), 0)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		var off int64
		switch {
		case errors.As(err, &syntax):
			off = syntax.Offset
		case errors.As(err, &typ):
			off = typ.Offset
		case errors.Is(err, io.ErrUnexpectedEOF):
			off, err = int64(len(b)), fmt.Errorf("the JSON ends early: %w", err)
		default: // an unknown field: the decoder has no position for it
			field, at, ok := unknownField(b, reflect.TypeOf(cfg))
			if !ok {
				return cfg, fmt.Errorf("config %s: %w", path, err)
			}
			off, err = at, fmt.Errorf("unknown field %q", field)
		}
		line, col := lineCol(file, base+int(off))
		return cfg, fmt.Errorf("config %s:%d:%d: %w", path, line, col, err)
	}
	return cfg, nil
}

// unknownField finds the first key of the JSON value b that names no field
// of type t at its place, as json.Decoder.DisallowUnknownFields rejects it:
// its dotted path (a.b, list elements as a[]) and the offset of its opening
// quote plus one, the convention of lineCol. Maps, interfaces and values
// other than structs decoded by their own Unmarshal methods take any key.
func unknownField(b []byte, t reflect.Type) (path string, off int64, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	var walk func(t reflect.Type, at string) bool
	walk = func(t reflect.Type, at string) bool {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct && (reflect.PointerTo(t).Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler)) {
			t = anyType
		}
		tok, err := dec.Token()
		switch d, _ := tok.(json.Delim); {
		case err != nil || d != '[' && d != '{': // a scalar, or the end
			return false
		case d == '[':
			elem := anyType
			if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
				elem = t.Elem()
			}
			for dec.More() {
				if walk(elem, at+"[]") {
					return true
				}
			}
		default:
			for dec.More() {
				key, err := dec.Token()
				if err != nil {
					return false
				}
				name, _ := key.(string)
				sub := join(at, name)
				ft := anyType
				switch t.Kind() {
				case reflect.Struct:
					f, found := jsonField(t, name)
					if !found {
						end := dec.InputOffset()
						path, off = sub, int64(bytes.LastIndexByte(b[:end-1], '"'))+1
						return true
					}
					ft = f
				case reflect.Map:
					ft = t.Elem()
				}
				if walk(ft, sub) {
					return true
				}
			}
		}
		_, _ = dec.Token() // the closing delimiter
		return false
	}
	return path, off, walk(t, "")
}

var (
	anyType         = reflect.TypeFor[any]()
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// jsonField returns the type of the field of struct t that the key name
// is decoded into: its json tag or Go name (regress's options read both),
// else its tag in any case, as encoding/json matches.
func jsonField(t reflect.Type, name string) (reflect.Type, bool) {
	var fold reflect.Type
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() {
			continue
		}
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" || f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		switch {
		case tag == name || f.Name == name:
			return f.Type, true
		case fold == nil && strings.EqualFold(tag, name):
			fold = f.Type
		}
	}
	return fold, fold != nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// lineCol returns the 1-based line and column of the byte before offset
// off of b (the decoders' offsets count the bytes read up to and including
// the bad one).
func lineCol(b []byte, off int) (line, col int) {
	off = min(max(off, 1), len(b))
	before := b[:off-1]
	nl := bytes.LastIndexByte(before, '\n')
	return bytes.Count(before, []byte{'\n'}) + 1, len(before) - nl
}
