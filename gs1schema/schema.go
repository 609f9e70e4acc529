// Package gs1schema loads GS1's published JSON schemas (the EPCIS 2.0
// schema, GS1's linkset schema) for validation in tests, with gojsonschema.
//
// GS1 writes a few patterns with negative look-ahead, which Go's RE2
// cannot compile. Load rewrites them and leaves the rest of GS1's text as
// it is:
//
//   - {"pattern": "^(?!X)"} becomes the equivalent {"not": {"pattern": "^X"}}
//     (the EPCIS schema's two vocabulary patterns);
//   - a patternProperties key "(?!(a|b))REST" (the linkset schema's
//     relation types, which exclude its declared properties anchor and
//     itemDescription) becomes "REST", its subschema accepting in addition
//     the string values of those declared properties, which "properties"
//     still checks.
package gs1schema

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
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
		return nil, fmt.Errorf("gs1 schema %s: %w", path, err)
	}
	s, err := gojsonschema.NewSchema(gojsonschema.NewGoLoader(rewrite(doc)))
	if err != nil {
		return nil, fmt.Errorf("gs1 schema %s: %w", path, err)
	}
	return s, nil
}

// excludeKey matches "(?!(a|b))REST".
var excludeKey = regexp.MustCompile(`^\(\?!\(([A-Za-z|]+)\)\)(.*)$`)

// rewrite replaces look-ahead patterns in place.
func rewrite(v any) any {
	switch t := v.(type) {
	case map[string]any:
		if p, ok := t["pattern"].(string); ok && strings.HasPrefix(p, "^(?!") && strings.HasSuffix(p, ")") {
			delete(t, "pattern")
			t["not"] = map[string]any{"pattern": "^" + p[len("^(?!"):len(p)-1]}
		}
		if pp, ok := t["patternProperties"].(map[string]any); ok {
			for k, sub := range pp {
				m := excludeKey.FindStringSubmatch(k)
				if m == nil {
					continue
				}
				delete(pp, k)
				pp[m[2]] = map[string]any{"anyOf": []any{sub, map[string]any{"type": "string"}}}
			}
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
