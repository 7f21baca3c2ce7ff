package session

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// DecodeConfigJSON reads a configuration written as JSON outside a request
// (the "config" of an imported model file) the way the API reads a body:
// unknown fields and a key given twice are refused, and every key present
// is marked as given (MarkGiven), so that Validate refuses a field present
// with an out-of-range value, 0 included, and only a missing one gets its
// default.
func DecodeConfigJSON(raw []byte) (Config, error) {
	var c Config
	keys, err := topLevelKeys(raw)
	if err != nil {
		return c, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, err
	}
	if dec.More() {
		return c, fmt.Errorf("it must be a single JSON object, with nothing after it")
	}
	c.MarkGiven(keys...)
	return c, nil
}

// topLevelKeys lists the keys of the JSON object raw, lower-cased as
// encoding/json matches them to fields, refusing a key given twice. A body
// that is not an object returns no keys and no error: the decoder explains
// it.
func topLevelKeys(raw []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, nil
	}
	var keys []string
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil
		}
		k, _ := t.(string)
		k = strings.ToLower(k)
		if seen[k] {
			return nil, fmt.Errorf("the field %q is given twice: give it once", k)
		}
		seen[k] = true
		keys = append(keys, k)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, nil
		}
	}
	return keys, nil
}
