package handlers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/aelab/aelab/session"
)

// The shape of a JSON body, checked before it is decoded: what
// encoding/json lets pass silently but a request never means. A key given
// twice in one object (encoding/json keeps the last, so {"epochs": 5,
// "EPOCHS": 0} would train with what a reader of the first key does not
// expect) and null inside a list (decoded as 0, so a NaN that a browser's
// JSON.stringify turned into null would become a 0 code or example 0) are
// refused, naming the field; so is nesting deeper than any request needs.

// maxJSONDepth is the deepest nesting of objects and lists a request body
// may have (a class's preset's noise is three levels deep; decode's codes
// two).
const maxJSONDepth = 32

// bodyShape is what scanBody learns of a well-formed JSON body.
type bodyShape struct {
	object bool                // the body is an object
	keys   []string            // its keys, in order
	nested map[string][]string // for each key whose value is an object, that object's keys
}

// shapeFrame is one open object or list of the walk.
type shapeFrame struct {
	object  bool
	wantKey bool            // an object's next token is a key
	key     string          // an object's current key
	index   int             // a list's current element
	seen    map[string]bool // an object's keys so far, lower-cased
	path    string          // where this value is, like preset.noise or z[3]
}

// child is the path of the value this frame is at now.
func (f *shapeFrame) child() string {
	if f.object {
		if f.path == "" {
			return f.key
		}
		return f.path + "." + f.key
	}
	return f.path + "[" + strconv.Itoa(f.index) + "]"
}

// scanBody walks body's tokens once. It returns an error (EInvalid, naming
// the field) for a duplicate key, a null list element or nesting beyond
// maxJSONDepth; a body that is not well-formed JSON gives a zero shape and
// no error, for the decoder to explain.
// errTrailingJSON refuses a body with more after its JSON object.
func errTrailingJSON() error {
	return session.Errorf(session.EInvalid, "the body must hold a single JSON object, with nothing after it")
}

func scanBody(body []byte) (bodyShape, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var (
		shape   bodyShape
		stack   []*shapeFrame
		started bool // the first value has begun
	)
	done := func() { // the value at the top frame's position has ended
		if n := len(stack); n > 0 {
			if f := stack[n-1]; f.object {
				f.wantKey = true
			} else {
				f.index++
			}
		}
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF && len(stack) == 0 {
			return shape, nil
		}
		if err != nil { // malformed or cut short
			return bodyShape{}, nil
		}
		// A second value after the first: its keys are not the body's
		// (they were taken for unknown fields of the first).
		if len(stack) == 0 && started {
			return bodyShape{}, errTrailingJSON()
		}
		started = true
		var top *shapeFrame
		if n := len(stack); n > 0 {
			top = stack[n-1]
		}
		if top != nil && top.object && top.wantKey {
			k, ok := tok.(string)
			if !ok { // the closing brace
				stack = stack[:len(stack)-1]
				done()
				continue
			}
			lk := strings.ToLower(k)
			top.key, top.wantKey = k, false
			if top.seen[lk] {
				path := top.child()
				return bodyShape{}, &session.Error{Code: session.EInvalid, Field: path,
					Message: fmt.Sprintf("%q is given twice: send each field once (keys are matched ignoring case)", path)}
			}
			top.seen[lk] = true
			switch len(stack) {
			case 1:
				shape.keys = append(shape.keys, k)
			case 2:
				if p := stack[0]; p.object {
					shape.nested[p.key] = append(shape.nested[p.key], k)
				}
			}
			continue
		}
		path := ""
		if top != nil {
			path = top.child()
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if len(stack) >= maxJSONDepth {
				return bodyShape{}, &session.Error{Code: session.EInvalid, Field: fieldOf(path),
					Message: fmt.Sprintf("%s is nested more than %d levels deep: no request needs that", orBody(path), maxJSONDepth)}
			}
			obj := tok == json.Delim('{')
			f := &shapeFrame{object: obj, wantKey: obj, path: path}
			if obj {
				f.seen = map[string]bool{}
			}
			if top == nil {
				shape.object = obj
				if obj {
					shape.nested = map[string][]string{}
				}
			}
			stack = append(stack, f)
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			done()
		case nil:
			if top != nil && !top.object {
				return bodyShape{}, &session.Error{Code: session.EInvalid, Field: fieldOf(path),
					Message: fmt.Sprintf("%s is null: every element of a list must be a value (JSON has no NaN or Infinity, and JSON.stringify writes them as null)", path)}
			}
			done()
		default:
			done()
		}
	}
}

// fieldOf is the field a path names, without list indices: z[3][1] → z.
func fieldOf(path string) string {
	if i := strings.IndexByte(path, '['); i >= 0 {
		return path[:i]
	}
	return path
}

func orBody(path string) string {
	if path == "" {
		return "the body"
	}
	return path
}

// markNestedGiven tells the struct fields of v (a pointer to a struct)
// that are themselves givenMarkers, such as a class's preset
// configuration, which of their fields the body set: nested, as at the top
// level, a field sent as 0 is refused and only a missing one gets its
// default.
func markNestedGiven(v any, nested map[string][]string) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct || len(nested) == 0 {
		return
	}
	lower := make(map[string][]string, len(nested))
	for k, keys := range nested {
		lower[strings.ToLower(k)] = keys
	}
	st := rv.Elem()
	for i := range st.NumField() {
		sf := st.Type().Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if !sf.IsExported() || sf.Anonymous || name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		keys, ok := lower[strings.ToLower(name)]
		if !ok {
			continue
		}
		fv := st.Field(i)
		if fv.Kind() != reflect.Pointer {
			fv = fv.Addr()
		}
		if fv.IsNil() {
			continue
		}
		g, ok := fv.Interface().(givenMarker)
		if !ok {
			continue
		}
		known := jsonFields(fv.Interface())
		names := make([]string, 0, len(keys))
		for _, k := range keys {
			if n, ok := known[strings.ToLower(k)]; ok {
				names = append(names, n)
			}
		}
		g.MarkGiven(names...)
	}
}
