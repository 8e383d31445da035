package main

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
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
	if err := reparse(fs, args, cfg, bind); err != nil {
		return &flagError{err: err}
	}
	// A value out of range while the flags alone, over the defaults, are
	// valid is the file's: say so. Others are reported by the caller's
	// validation, as without a file.
	if err := cfg.Validate(); err != nil {
		flagsOnly := base
		if reparse(fs, args, &flagsOnly, bind) == nil && flagsOnly.Validate() == nil {
			return usagef("--config %s: %v", file, err)
		}
	}
	return nil
}

// reparse parses args again onto cfg: the experiment flags bound to cfg,
// the command's own flags of fs with the values they already hold.
func reparse(fs *flag.FlagSet, args []string, cfg *pipeline.Config, bind func(*flag.FlagSet, *pipeline.Config)) error {
	again := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
	again.SetOutput(io.Discard)
	bind(again, cfg)
	fs.VisitAll(func(f *flag.Flag) {
		if again.Lookup(f.Name) == nil {
			again.Var(f.Value, f.Name, f.Usage)
		}
	})
	return again.Parse(args)
}

// bindModelFlags binds the flags of the model itself, shared by run, ablate
// and rank: seeds, learner, regressor and how the settings are chosen.
func bindModelFlags(fs *flag.FlagSet, cfg *pipeline.Config) {
	fs.IntVar(&cfg.Seeds, "seeds", cfg.Seeds, "repetitions (a count): seeds seed, seed+1, …, seed+N-1")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "base seed")
	fs.Var(learnerValue{cfg}, "learner", "graph `learner`: "+joinNames(pipeline.Learners())+"; given, it is the only one; without it, nested selection chooses among the config's selection.learners (node2vec or none by default), and --selection fixed runs the config's learner (node2vec by default)")
	fs.TextVar(&cfg.Regressor, "regressor", cfg.Regressor, "`regressor`: "+joinNames(pipeline.Regressors()))
	fs.StringVar(&cfg.Selection.Mode, "selection", cfg.Selection.Mode, "how learner, edge weighting, tree depth and rounds, prior and its blend, and the metadata stacking are chosen per target: "+
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

// String is empty: the flag has no one default (selection may choose), so
// the help prints none; the usage text says what happens without it.
func (v learnerValue) String() string { return "" }

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
// element checked by check when it is set, none given twice. An empty
// value is the empty list.
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
		if slices.Contains(out, v) { // a protocol given twice was evaluated twice
			return fmt.Errorf("%q given twice", x)
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
// "FILE:LINE:COL: ...", an unknown field with its path; an error
// without a position in the file (a value's own, a type error inside the
// regressors' options) names the file alone.
func loadConfig(path string, cfg pipeline.Config) (pipeline.Config, error) {
	file, err := readInputFile(path)
	if err != nil {
		return cfg, err
	}
	b, base, err := unwrapConfig(file, reflect.TypeOf(cfg))
	if err != nil {
		line, col := lineCol(file, base+1) // at the byte at base
		return cfg, fmt.Errorf("%s:%d:%d: %w", path, line, col, err)
	}
	detach(reflect.ValueOf(&cfg).Elem())
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		var off int64
		switch {
		case errors.As(err, &syntax):
			off = syntax.Offset
		case errors.As(err, &typ) && !ownDecoder(reflect.TypeOf(cfg), typ.Field):
			off, err = typ.Offset, typeError(typ)
		case errors.As(err, &typ): // the options' decoder's offsets are not the file's
			return cfg, fmt.Errorf("%s: %w", path, typeError(typ))
		case errors.Is(err, io.ErrUnexpectedEOF):
			off, err = int64(len(b)), fmt.Errorf("the JSON ends early: %w", err)
		default:
			// The decoder goes on after an unknown field and may stop at
			// a later error, a value's own; only an unknown field found
			// where the decoder names it gets a position.
			name, unknown := unknownFieldName(err)
			var field string
			var ok bool
			if unknown {
				field, off, ok = unknownField(b, reflect.TypeOf(cfg), name)
			}
			if !ok {
				return cfg, fmt.Errorf("%s: %w", path, err)
			}
			err = fmt.Errorf("unknown field %q", field)
		}
		line, col := lineCol(file, base+int(off))
		return cfg, fmt.Errorf("%s:%d:%d: %w", path, line, col, err)
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		rest := b[end:]
		line, col := lineCol(file, base+len(b)-len(bytes.TrimLeft(rest, " \t\r\n"))+1)
		return cfg, fmt.Errorf("%s:%d:%d: more JSON after the config", path, line, col)
	}
	return cfg, nil
}

// typeError says a value of the wrong JSON type in the config's words
// ("seeds": a JSON string where a whole number belongs), not in Go's
// (cannot unmarshal string into Go struct field Config.seeds of type int).
func typeError(e *json.UnmarshalTypeError) error {
	want := "a " + e.Type.String()
	switch e.Type.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		want = "a whole number"
	case reflect.Float32, reflect.Float64:
		want = "a number"
	case reflect.String:
		want = "a string"
	case reflect.Bool:
		want = "true or false"
	case reflect.Slice, reflect.Array:
		want = "a list"
	case reflect.Map, reflect.Struct:
		want = "an object"
	}
	return fmt.Errorf("%q: a JSON %s where %s belongs", e.Field, e.Value, want)
}

// unwrapConfig returns the config of file — a run's config.json holds it
// under "config", beside the zoo checksum; any other file is one — and its
// offset in file. In a wrapped file a config that is not an object, or a
// config field beside "config" (which would be silently ignored), is an
// error at the offset returned.
func unwrapConfig(file []byte, t reflect.Type) (b []byte, base int, err error) {
	dec := json.NewDecoder(bytes.NewReader(file))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return file, 0, nil // not an object: the decoder says what is wrong
	}
	var keys []string
	var offs []int
	found := -1
	for dec.More() {
		off := int(dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return file, 0, nil
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return file, 0, nil
		}
		if strings.EqualFold(key, "config") { // as encoding/json matches it; the last wins
			found, b, base = len(keys), raw, int(dec.InputOffset())-len(raw)
		}
		keys, offs = append(keys, key), append(offs, off)
	}
	if found < 0 {
		return file, 0, nil
	}
	if _, err := dec.Token(); err == nil { // the closing brace
		if end := int(dec.InputOffset()); len(bytes.TrimSpace(file[end:])) > 0 {
			return nil, end + len(file[end:]) - len(bytes.TrimLeft(file[end:], " \t\r\n")), errors.New("more JSON after the run's config")
		}
	}
	if !bytes.HasPrefix(b, []byte("{")) {
		return nil, base, fmt.Errorf("config: want an object of settings, not %s", clipJSON(b))
	}
	for i, k := range keys {
		if _, isField := jsonField(t, k, false); isField && i != found {
			// offs[i] is where the value before the key ended: the key's quote is after it.
			return nil, offs[i] + bytes.IndexByte(file[offs[i]:], '"'), fmt.Errorf("%q beside \"config\": put it inside it", k)
		}
	}
	return b, base, nil
}

// clipJSON returns a JSON value for a message, cut to 40 bytes.
func clipJSON(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}

// ownDecoder reports whether the field path of a type error (json names,
// dotted) runs into a struct with its own UnmarshalJSON, the regressors'
// options: the offsets of their decoder count the bytes of its own input,
// not of the file.
func ownDecoder(t reflect.Type, path string) bool {
	names := strings.Split(path, ".")
	for i := 0; ; i++ {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch {
		case t.Kind() != reflect.Struct:
			return false
		case reflect.PointerTo(t).Implements(jsonUnmarshaler):
			return true
		case i == len(names):
			return false
		}
		f, ok := jsonField(t, names[i], false)
		if !ok {
			return false
		}
		t = f
	}
}

// unknownFieldName returns the key of encoding/json's unknown-field error.
// The error has no type of its own: its text is all there is to match.
func unknownFieldName(err error) (string, bool) {
	rest, ok := strings.CutPrefix(err.Error(), "json: unknown field ")
	if !ok {
		return "", false
	}
	name, err := strconv.Unquote(rest)
	return name, err == nil
}

// unknownField finds the key name of the JSON value b where a decoder of
// type t with DisallowUnknownFields rejects it: its dotted path (a.b, list
// elements as a[]) and the offset of its opening quote plus one, the
// convention of lineCol. Maps, interfaces and values other than structs
// decoded by their own Unmarshal methods take any key. The decoder stops
// at the first error of a struct's own UnmarshalJSON (the regressors'
// options) but only notes an unknown field elsewhere and goes on, so a key
// in the former wins over an earlier one in the latter.
func unknownField(b []byte, t reflect.Type, name string) (path string, off int64, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	var found bool // a key of a struct with its own UnmarshalJSON
	var walk func(t reflect.Type, at string) bool
	walk = func(t reflect.Type, at string) bool {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		own := reflect.PointerTo(t).Implements(jsonUnmarshaler)
		if t.Kind() != reflect.Struct && (own || reflect.PointerTo(t).Implements(textUnmarshaler)) {
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
				start := dec.InputOffset() // before the comma, if any, and the key
				key, err := dec.Token()
				if err != nil {
					return false
				}
				k, _ := key.(string)
				sub := join(at, k)
				ft := anyType
				switch t.Kind() {
				case reflect.Struct:
					f, known := jsonField(t, k, own)
					if !known {
						if k == name && (!ok || own) {
							quote := start + int64(bytes.IndexByte(b[start:], '"'))
							path, off, ok, found = sub, quote+1, true, own
						}
						if found {
							return true
						}
						f = anyType
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
	walk(t, "")
	return path, off, ok
}

var (
	anyType         = reflect.TypeFor[any]()
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// jsonField returns the type of the field of struct t that the key name
// is decoded into, as encoding/json matches: its json tag, or its Go name
// when it has none, exactly, else in any case. With goNames, for a struct
// whose own UnmarshalJSON reads regress's options, a field's Go name
// exactly is read as well.
func jsonField(t reflect.Type, name string, goNames bool) (reflect.Type, bool) {
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
		case tag == name || goNames && f.Name == name:
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

// detach gives the slices, maps and pointers of v (a settable value, and
// what it holds) backing stores of their own. A config is copied by
// value, and decoding JSON into the copy appends into the backing array of
// each of its slices (and adds to each map): without this, loading a file
// over the command's defaults would change the defaults it was copied from.
func detach(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				detach(f)
			}
		}
	case reflect.Slice:
		if v.IsNil() {
			return
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(c, v)
		for i := range c.Len() {
			detach(c.Index(i))
		}
		v.Set(c)
	case reflect.Map:
		if v.IsNil() {
			return
		}
		c := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			c.SetMapIndex(it.Key(), it.Value())
		}
		v.Set(c)
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(v.Elem())
		detach(c.Elem())
		v.Set(c)
	case reflect.Array:
		for i := range v.Len() {
			detach(v.Index(i))
		}
	}
}
