package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/aelab/aelab/session"
)

// maxJSONBody bounds API request bodies; a configuration is a few hundred
// bytes.
const maxJSONBody = 64 << 10

// errUnknownField is wrapped by the error of a body with a field its
// endpoint does not take.
var errUnknownField = errors.New("unknown field")

// givenMarker is a body that wants to know which of its fields the request
// set (session.Config: a field sent as 0 is refused, a missing one gets its
// default).
type givenMarker interface{ MarkGiven(fields ...string) }

// decodeValid is the one decode-and-validate path of the JSON API: it
// decodes the body into a T (see decodeJSON) and checks it with check,
// returning every field at fault in one error.
func decodeValid[T any](w http.ResponseWriter, r *http.Request, check func(T) session.FieldErrors) (T, error) {
	var v T
	if err := decodeJSON(w, r, &v); err != nil {
		return v, err
	}
	if check != nil {
		if err := check(v).Err(); err != nil {
			return v, err
		}
	}
	return v, nil
}

// decodeJSON reads exactly one JSON object into v, refusing unknown fields,
// wrong types, trailing data and oversized bodies with a message that names
// the field and says what to change. When v is a givenMarker, it is told
// which top-level fields the body held.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	return decodeJSONLimit(w, r, v, maxJSONBody)
}

// decodeJSONLimit is decodeJSON for bodies of at most limit bytes.
func decodeJSONLimit(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	if err := checkJSONType(r.Header.Get("Content-Type")); err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var size *http.MaxBytesError
		if errors.As(err, &size) {
			return &session.Error{Code: codeTooLarge, Message: fmt.Sprintf("the body is larger than %d bytes", limit)}
		}
		return session.Errorf(session.EInvalid, "could not read the body: %v", err)
	}
	// Unknown top-level fields are found by comparing the body's keys with
	// v's JSON fields; keys is nil when the body is not a well-formed
	// object, which the decoder below then explains.
	shape, err := scanBody(body)
	if err != nil {
		return err
	}
	keys := shape.keys
	if known := jsonFields(v); known != nil {
		if err := mustBeObject(body, shape); err != nil {
			return err
		}
		for i, k := range keys {
			name, ok := known[strings.ToLower(k)]
			if !ok {
				return unknownField(k)
			}
			keys[i] = name
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() || dec.Decode(&struct{}{}) != io.EOF {
		return errTrailingJSON()
	}
	if g, ok := v.(givenMarker); ok {
		g.MarkGiven(keys...)
	}
	markNestedGiven(v, shape.nested)
	return nil
}

// mustBeObject refuses a well-formed body that is not a JSON object (a
// list, a number, a string, null) for an endpoint that takes an object.
func mustBeObject(body []byte, shape bodyShape) error {
	if shape.object || !json.Valid(body) {
		return nil // an object, or malformed JSON that the decoder explains
	}
	what := "a JSON value that is not an object"
	switch t := bytes.TrimSpace(body); {
	case len(t) == 0:
		return nil // empty: the decoder says so
	case t[0] == '[':
		what = "a JSON list"
	case t[0] == '"':
		what = "a JSON string"
	case bytes.Equal(t, []byte("null")):
		what = "null"
	case bytes.Equal(t, []byte("true")) || bytes.Equal(t, []byte("false")):
		what = "a JSON boolean"
	default:
		what = "a JSON number"
	}
	return session.Errorf(session.EInvalid, "the body is %s: send a JSON object, {\"field\": value, …} (see docs/api.md)", what)
}

// checkJSONType accepts an absent Content-Type (scripts) and
// application/json with any parameters; anything else (application/jsonp,
// text/plain, a form) is refused.
func checkJSONType(ct string) error {
	if ct == "" {
		return nil
	}
	if mt, _, err := mime.ParseMediaType(ct); err == nil && mt == "application/json" {
		return nil
	}
	return session.Errorf(session.EInvalid, "send the body as JSON with Content-Type: application/json (got %q)", ct)
}

// jsonError explains a decoding error.
func jsonError(err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syn):
		return session.Errorf(session.EInvalid, "malformed JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		field := typ.Field
		if lit, ok := strings.CutPrefix(typ.Value, "number "); ok {
			return &session.Error{Code: session.EInvalid, Field: field, Message: numberMismatch(field, typ.Type, lit)}
		}
		return &session.Error{Code: session.EInvalid, Field: field,
			Message: fmt.Sprintf("field %q must be %s, not a JSON %s", field, describeType(typ.Type.String()), typ.Value)}
	case errors.Is(err, io.EOF):
		return session.Errorf(session.EInvalid, "the body is empty: send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return session.Errorf(session.EInvalid, "the JSON body ends too early")
	}
	if name, ok := nestedUnknownField(err); ok {
		return unknownField(name)
	}
	return session.Errorf(session.EInvalid, "could not read the JSON body: %v", err)
}

func unknownField(name string) error {
	return &session.Error{Code: session.EInvalid, Field: name, Err: errUnknownField,
		Message: fmt.Sprintf("unknown field %q: see docs/api.md for the fields this endpoint takes", name)}
}

// nestedUnknownField recognises encoding/json's error for an unknown field
// inside a nested object (top-level ones are found by jsonFields first).
// encoding/json reports it only as text, so this is the one place that
// reads an error's text.
func nestedUnknownField(err error) (string, bool) {
	const prefix = "json: unknown field "
	msg := err.Error()
	if !strings.HasPrefix(msg, prefix) {
		return "", false
	}
	return strings.Trim(strings.TrimPrefix(msg, prefix), `"`), true
}

// jsonFields maps the lower-cased JSON names of the fields of the struct v
// points to (embedded structs' fields included) to their names; nil when v
// is not a pointer to a struct. encoding/json matches keys to names without
// regard to case, and so does this.
func jsonFields(v any) map[string]string {
	t := reflect.TypeOf(v)
	if t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return nil
	}
	out := map[string]string{}
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			name, _, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			out[strings.ToLower(name)] = name
		}
	}
	walk(t.Elem())
	return out
}

// numberMismatch says what is wrong with the JSON number lit that
// encoding/json could not store in a field of type t: a fraction where a
// whole number belongs, a whole number written with a decimal point or an
// exponent (encoding/json reads integers only as plain digits), a
// negative number for an unsigned field, or a number too large for t.
func numberMismatch(field string, t reflect.Type, lit string) string {
	f, err := strconv.ParseFloat(lit, 64)
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
	default:
		if err != nil {
			return fmt.Sprintf("field %q: %s is too large to be a number", field, lit)
		}
		return fmt.Sprintf("field %q must be %s, not the number %s", field, describeType(t.String()), lit)
	}
	unsigned := t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uintptr
	var limit float64 // the largest value t holds, as a float
	if unsigned {
		limit = math.Ldexp(1, t.Bits())
	} else {
		limit = math.Ldexp(1, t.Bits()-1)
	}
	switch {
	case err == nil && f != math.Trunc(f):
		return fmt.Sprintf("field %q must be a whole number, not %s", field, lit)
	case err == nil && unsigned && f < 0:
		return fmt.Sprintf("field %q must not be negative, not %s", field, lit)
	case err != nil || f >= limit || f < -limit:
		return fmt.Sprintf("field %q: %s is too large; see docs/api.md for the field's range", field, lit)
	default: // a whole number in range, written like 1e9 or 2.0
		return fmt.Sprintf("field %q must be written as plain digits, without a decimal point or exponent: %s, not %s",
			field, strconv.FormatFloat(f, 'f', -1, 64), lit)
	}
}

// describeType is how an error message names the Go type t.
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

// decodeOptionalJSON is decodeJSON for bodies whose every field has a
// default: an empty body means {}.
func decodeOptionalJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	return decodeJSON(w, r, v)
}

// repeatedParams names each query parameter of q given more than once
// (?step=1&step=2), except those in multi, which take a list: one error
// per parameter, naming it. A second value would otherwise be
// silently dropped (url.Values.Get takes the first).
func repeatedParams(q url.Values, multi ...string) session.FieldErrors {
	var fe session.FieldErrors
	for _, name := range slices.Sorted(maps.Keys(q)) {
		if n := len(q[name]); n > 1 && !slices.Contains(multi, name) {
			fe = append(fe, session.FieldError{Field: name,
				Message: fmt.Sprintf("the query parameter %q is given %d times: give it once", truncated(name, 40), n)})
		}
	}
	return fe
}

// queryParams is the query of r, each parameter given at most once except
// those in multi: the one way handlers read query parameters. A parameter
// given twice is refused with an EInvalid error naming it.
func queryParams(r *http.Request, multi ...string) (url.Values, error) {
	q := r.URL.Query()
	return q, repeatedParams(q, multi...).Err()
}

// queryInt reads an optional whole-number query parameter of q within
// [lo, hi]: def when it is missing, an error naming it when it is present
// and empty, not a whole number, or out of range.
func queryInt(q url.Values, name string, def, lo, hi int) (int, error) {
	if !q.Has(name) {
		return def, nil
	}
	v, err := strconv.Atoi(q.Get(name))
	if err != nil || v < lo || v > hi {
		return 0, &session.Error{Code: session.EInvalid, Field: name,
			Message: name + " must be a whole number from " + strconv.Itoa(lo) + " to " + strconv.Itoa(hi) + " (or leave it out)"}
	}
	return v, nil
}
