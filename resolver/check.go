package resolver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"sort"
)

// relName is a registered relation type name (RFC 8288 §3.3: a
// lower-case token; RFC 9264 keeps them as JSON member names).
var relName = regexp.MustCompile(`^[a-z][a-z0-9.\-]*$`)

// CheckLinkset checks a JSON linkset document structurally, with rules
// written from RFC 9264 §4.2 and the GS1-Conformant Resolver standard (no
// schema is copied in: no npm package publishes GS1's linkset schema).
// RFC 9264: the document is an object whose only member "linkset" is an
// array of link context objects; each has an "anchor" (an absolute URI)
// and relation members named by a registered relation type or an absolute
// URI, each an array of target objects; a target has "href" (a URI),
// optional "type"/"media"/"title" strings, "hreflang" an array of strings,
// "title*" and extension attributes arrays of {"value"[, "language"]}
// objects. GS1 resolver rules on top: a context object carries
// "itemDescription" and every target a non-empty "title".
func CheckLinkset(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("not a JSON object: %w", err)
	}
	if len(doc) != 1 {
		return fmt.Errorf("want exactly the member linkset, got %d members", len(doc))
	}
	list, ok := doc["linkset"].([]any)
	if !ok || len(list) == 0 {
		return fmt.Errorf("linkset is not a non-empty array")
	}
	for i, c := range list {
		ctx, ok := c.(map[string]any)
		if !ok {
			return fmt.Errorf("linkset[%d] is not an object", i)
		}
		if err := checkContext(ctx); err != nil {
			return fmt.Errorf("linkset[%d]: %w", i, err)
		}
	}
	return nil
}

func checkContext(ctx map[string]any) error {
	anchor, ok := ctx["anchor"].(string)
	if !ok || !absURI(anchor) {
		return fmt.Errorf("anchor %v is not an absolute URI", ctx["anchor"])
	}
	if d, ok := ctx["itemDescription"].(string); !ok || d == "" {
		return fmt.Errorf("no itemDescription")
	}
	names := make([]string, 0, len(ctx))
	for k := range ctx {
		names = append(names, k)
	}
	sort.Strings(names)
	rels := 0
	for _, rel := range names {
		if rel == "anchor" || rel == "itemDescription" {
			continue
		}
		if !relName.MatchString(rel) && !absURI(rel) {
			return fmt.Errorf("relation %q is neither a registered name nor a URI", rel)
		}
		targets, ok := ctx[rel].([]any)
		if !ok || len(targets) == 0 {
			return fmt.Errorf("relation %s: not a non-empty array of targets", rel)
		}
		for j, t := range targets {
			obj, ok := t.(map[string]any)
			if !ok {
				return fmt.Errorf("relation %s target %d is not an object", rel, j)
			}
			if err := checkTarget(obj); err != nil {
				return fmt.Errorf("relation %s target %d: %w", rel, j, err)
			}
		}
		rels++
	}
	if rels == 0 {
		return fmt.Errorf("no links")
	}
	return nil
}

func checkTarget(t map[string]any) error {
	href, ok := t["href"].(string)
	if !ok {
		return fmt.Errorf("no href")
	}
	if _, err := url.Parse(href); err != nil || href == "" {
		return fmt.Errorf("href %q is not a URI", href)
	}
	if s, ok := t["title"].(string); !ok || s == "" {
		return fmt.Errorf("no title")
	}
	for k, v := range t {
		switch k {
		case "href", "title":
		case "type", "media":
			if _, ok := v.(string); !ok {
				return fmt.Errorf("%s is not a string", k)
			}
		case "hreflang":
			l, ok := v.([]any)
			if !ok || len(l) == 0 {
				return fmt.Errorf("hreflang is not a non-empty array")
			}
			for _, s := range l {
				if _, ok := s.(string); !ok {
					return fmt.Errorf("hreflang holds a non-string")
				}
			}
		default: // title* and extension target attributes
			l, ok := v.([]any)
			if !ok || len(l) == 0 {
				return fmt.Errorf("attribute %s is not an array of value objects", k)
			}
			for _, o := range l {
				m, ok := o.(map[string]any)
				if _, isStr := m["value"].(string); !ok || !isStr {
					return fmt.Errorf("attribute %s holds an entry without a string value", k)
				}
			}
		}
	}
	return nil
}

func absURI(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && (u.Host != "" || u.Opaque != "")
}
