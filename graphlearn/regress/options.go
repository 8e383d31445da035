package regress

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
)

// The option structs are written to JSON with snake_case keys (their json
// tags). Configs written before the tags existed hold the Go field names
// ("Trees", "MaxDepth", "Ridge"); UnmarshalJSON reads both, refuses a
// field given twice and, like a Decoder with DisallowUnknownFields, any
// key it does not know.

// UnmarshalJSON reads o from snake_case keys or the older Go field names.
func (o *GBDTOptions) UnmarshalJSON(b []byte) error {
	type plain GBDTOptions
	return decodeOptions(b, (*plain)(o))
}

// UnmarshalJSON reads o from snake_case keys or the older Go field names.
func (o *ForestOptions) UnmarshalJSON(b []byte) error {
	type plain ForestOptions
	return decodeOptions(b, (*plain)(o))
}

// UnmarshalJSON reads o from snake_case keys or the older Go field names.
func (o *LinearOptions) UnmarshalJSON(b []byte) error {
	type plain LinearOptions
	return decodeOptions(b, (*plain)(o))
}

// decodeOptions decodes the JSON object b into v, a pointer to a struct
// whose fields all have json tags, renaming keys that are a field's Go name
// to its tag first. Fields absent from b keep their values.
func decodeOptions(b []byte, v any) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	t := reflect.TypeOf(v).Elem()
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		old, ok := obj[f.Name]
		if tag == "" || tag == f.Name || !ok {
			continue
		}
		if _, both := obj[tag]; both {
			return fmt.Errorf("both %q and %q given: they are the same option", f.Name, tag)
		}
		obj[tag] = old
		delete(obj, f.Name)
	}
	renamed, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(renamed))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// optionCheck is one option's range check: the field's Go name, its value,
// whether the value is in range and, for the error, the range wanted.
type optionCheck struct {
	field string
	value any
	ok    bool
	want  string
}

// firstInvalid returns an error wrapping ErrInvalidOptions that names the
// model and the first failing check, such as
// "gbdt: Lambda = -1, want finite ≥ 0", or nil when every check passes.
func firstInvalid(model string, checks ...optionCheck) error {
	for _, c := range checks {
		if !c.ok {
			return fmt.Errorf("%w: %s: %s = %v, want %s", ErrInvalidOptions, model, c.field, c.value, c.want)
		}
	}
	return nil
}

// atLeast checks an integer option against its lower bound.
func atLeast(field string, n, lo int) optionCheck {
	return optionCheck{field, n, n >= lo, fmt.Sprintf("≥ %d", lo)}
}

// inUnit checks a rate or fraction option: in (0, 1].
func inUnit(field string, x float64) optionCheck {
	return optionCheck{field, x, x > 0 && x <= 1, "in (0, 1]"}
}

// finiteNonNeg checks a penalty or threshold option: finite and ≥ 0 (NaN
// fails).
func finiteNonNeg(field string, x float64) optionCheck {
	return optionCheck{field, x, x >= 0 && !math.IsInf(x, 1), "finite ≥ 0"}
}

// maxBins checks MaxBins: 0 (the default) or a count the bin codes hold.
func maxBins(n int) optionCheck {
	return optionCheck{"MaxBins", n, n == 0 || n >= 2 && n <= maxBinLimit, fmt.Sprintf("0 or in [2, %d]", maxBinLimit)}
}
