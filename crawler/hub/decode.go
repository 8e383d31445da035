package hub

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Bodies are decoded with encoding/json: the crawl is bounded by the Hub's
// quota, not by decoding (BenchmarkDecodePage; BenchmarkListModels measures
// the whole ingest over loopback HTTP against the replica). What the
// decoder adds is the split a retry loop needs: a body that ends early (the
// connection broke, or the JSON stops before its end) is
// io.ErrUnexpectedEOF, which the client retries; a body that is not the
// JSON the API promises is ErrDecode, which it does not.

// decodeList decodes a listing page: a JSON array of T, streamed item by
// item.
func decodeList[T any](r io.Reader) ([]T, error) {
	dec := json.NewDecoder(r)
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, decodeErr(r, err, fmt.Sprintf("want a JSON array, got %v", tok))
	}
	var out []T
	for dec.More() {
		var v T
		if err := dec.Decode(&v); err != nil {
			return out, decodeErr(r, cut(err), "")
		}
		out = append(out, v)
	}
	if _, err := dec.Token(); err != nil { // the closing bracket
		return out, decodeErr(r, cut(err), "")
	}
	return out, end(r, dec)
}

// decodeObject decodes a single JSON value, the whole body, into v (a
// detail response).
func decodeObject(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	if err := dec.Decode(v); err != nil {
		return decodeErr(r, err, "")
	}
	return end(r, dec)
}

// end checks that nothing but white space follows the value.
func end(r io.Reader, dec *json.Decoder) error {
	if _, err := dec.Token(); err != io.EOF {
		return decodeErr(r, err, "data after the JSON value")
	}
	return nil
}

// cut turns the end of the body where more JSON was due into
// io.ErrUnexpectedEOF.
func cut(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// decodeErr keeps a broken-off body (a read error of the body, or
// io.ErrUnexpectedEOF: retry) apart from malformed JSON (ErrDecode: fail).
// msg describes a well-formed body of the wrong shape.
func decodeErr(r io.Reader, err error, msg string) error {
	if br, ok := r.(*bodyReader); ok && br.err != nil {
		return br.err
	}
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return err
	case err == io.EOF:
		return fmt.Errorf("%w: empty body", ErrDecode)
	case err == nil:
		return fmt.Errorf("%w: %s", ErrDecode, msg)
	}
	return fmt.Errorf("%w: %w", ErrDecode, err)
}
