package regress

import (
	"bytes"
	"encoding/json"
	"fmt"
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
