package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/aelab/aelab/session"
)

// maxJSONBody bounds API request bodies; a configuration is a few hundred
// bytes.
const maxJSONBody = 64 << 10

// decodeJSON reads exactly one JSON object into v, refusing unknown fields,
// wrong types, trailing data and oversized bodies with a message that names
// the field and says what to change.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	return decodeJSONLimit(w, r, v, maxJSONBody)
}

// decodeJSONLimit is decodeJSON for bodies of at most limit bytes.
func decodeJSONLimit(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return session.Errorf(session.EInvalid, "send the body as JSON with Content-Type: application/json (got %q)", ct)
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if dec.More() || dec.Decode(&struct{}{}) != io.EOF {
			return session.Errorf(session.EInvalid, "the body must hold a single JSON object, with nothing after it")
		}
		return nil
	}
	var (
		syn  *json.SyntaxError
		typ  *json.UnmarshalTypeError
		size *http.MaxBytesError
	)
	switch {
	case errors.As(err, &size):
		return &session.Error{Code: codeTooLarge, Message: fmt.Sprintf("the body is larger than %d bytes", limit)}
	case errors.As(err, &syn):
		return session.Errorf(session.EInvalid, "malformed JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		field := typ.Field
		return &session.Error{Code: session.EInvalid, Field: field,
			Message: fmt.Sprintf("field %q must be %s, not a JSON %s", field, describeType(typ.Type.String()), typ.Value)}
	case errors.Is(err, io.EOF):
		return session.Errorf(session.EInvalid, "the body is empty: send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return session.Errorf(session.EInvalid, "the JSON body ends too early")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &session.Error{Code: session.EInvalid, Field: name,
			Message: fmt.Sprintf("unknown field %q: see docs/api.md for the fields of a configuration", name)}
	default:
		return session.Errorf(session.EInvalid, "could not read the JSON body: %v", err)
	}
}

func describeType(t string) string {
	switch t {
	case "int", "uint64", "int64":
		return "a whole number"
	case "float64":
		return "a number"
	case "string", "session.State":
		return "a string"
	case "[]int":
		return "a list of whole numbers, like [256, 64]"
	default:
		return t
	}
}
