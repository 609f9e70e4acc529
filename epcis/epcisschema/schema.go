// Package epcisschema loads GS1's EPCIS 2.0 JSON schema for validation in
// tests. GS1's schema uses two negative look-ahead patterns
// ("^(?!(urn:epcglobal:cbv|…))"), which Go's RE2 cannot compile; Load
// rewrites each {"pattern": "^(?!X)"} into the equivalent
// {"not": {"pattern": "^X"}} and leaves the rest of GS1's text as it is.
package epcisschema

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/xeipuuv/gojsonschema"
)

// Load reads the schema file at path and compiles it.
func Load(path string) (*gojsonschema.Schema, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("epcis schema: %w", err)
	}
	s, err := gojsonschema.NewSchema(gojsonschema.NewGoLoader(rewrite(doc)))
	if err != nil {
		return nil, fmt.Errorf("epcis schema: %w", err)
	}
	return s, nil
}

// rewrite replaces negative look-ahead patterns in place.
func rewrite(v any) any {
	switch t := v.(type) {
	case map[string]any:
		if p, ok := t["pattern"].(string); ok && strings.HasPrefix(p, "^(?!") && strings.HasSuffix(p, ")") {
			delete(t, "pattern")
			t["not"] = map[string]any{"pattern": "^" + p[len("^(?!"):len(p)-1]}
		}
		for k, x := range t {
			t[k] = rewrite(x)
		}
	case []any:
		for i, x := range t {
			t[i] = rewrite(x)
		}
	}
	return v
}
