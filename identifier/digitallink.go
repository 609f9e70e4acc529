package identifier

import (
	"net/url"
	"strings"
)

// DefaultResolver is the Digital Link base used when none is given.
const DefaultResolver = "https://id.gs1.org"

// maxSegments bounds the path segments ParseDigitalLink looks at.
const maxSegments = 32

// qualifierRank gives the position of each /01/ qualifier in the GS1
// Digital Link path: /01/{gtin}/22/{cpv}/10/{lot}/21/{serial}.
func qualifierRank(ai string) int {
	switch ai {
	case AICPV:
		return 1
	case AILot:
		return 2
	case AISerial:
		return 3
	}
	return 0
}

type segment struct {
	v   string
	pos int
}

// AIValue is one AI with its value, such as a query data attribute.
type AIValue struct {
	AI    string `json:"ai"`
	Value string `json:"value"`
}

// DigitalLink is a parsed GS1 Digital Link URI: the key and its
// qualifiers (with the expiry date), the other query data attributes in
// query order, and the resolver's own parameters.
type DigitalLink struct {
	GS1Data
	// Attributes are the query's data attributes other than 17.
	Attributes []AIValue
	// LinkType is the linkType parameter ("" when absent).
	LinkType string
}

// ParseDigitalLink parses a GS1 Digital Link URI
// ("https://id.gs1.org/01/09506000134352/10/ABC?17=250131") or its path
// ("/01/09506000134352/21/XYZ") and returns its key data. See
// ParseDigitalLinkURI for the rules.
func ParseDigitalLink(s string) (GS1Data, error) {
	dl, err := ParseDigitalLinkURI(s)
	return dl.GS1Data, err
}

// ParseDigitalLinkURI parses a GS1 Digital Link URI by the GS1 Digital Link
// URI syntax (1.4):
//
//   - the path may carry any prefix before the primary key /01/{gtin} or
//     /00/{sscc}; a GTIN has exactly 14 digits (a GTIN-8, -12 or -13 is
//     padded with leading zeros, and a zero-suppressed GTIN-14 is wrong),
//     both keys with a correct check digit;
//   - after /01/ the key qualifiers /22/, /10/, /21/ may follow, each at
//     most once, in that order, never empty; an SSCC takes none; data
//     attributes (AI 17, 99, …) never stand in the path;
//   - the query may carry data attributes from the AI table (dates such as
//     17=YYMMDD, measures, 90–99, …), each at most once and never empty;
//     key qualifiers and keys never stand in the query; unknown numeric
//     keys are rejected, other parameters (linkType, context, …) kept or
//     ignored, the fragment is ignored.
//
// Values are percent-decoded and checked against the AI's format. Every
// error has code INVALID_DIGITAL_LINK (INVALID_GTIN for a bad GTIN), a
// reason and a position in s.
func ParseDigitalLinkURI(s string) (DigitalLink, error) {
	var dl DigitalLink
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	pathPos, err := digitalLinkPathStart(s)
	if err != nil {
		return dl, err
	}
	path, query := s[pathPos:], ""
	if q := strings.IndexByte(path, '?'); q >= 0 {
		path, query = path[:q], path[q+1:]
	}
	// A resolver should tolerate one trailing slash (GS1-Conformant
	// Resolver standard).
	if len(path) > 1 && path[len(path)-1] == '/' && path[len(path)-2] != '/' {
		path = path[:len(path)-1]
	}
	var segs [maxSegments]segment
	n := 0
	for i := 0; i < len(path); {
		if n == maxSegments {
			return dl, newError(CodeInvalidDigitalLink, pathPos+i, "path has too many segments")
		}
		j := strings.IndexByte(path[i+1:], '/')
		if j < 0 {
			j = len(path) - i - 1
		}
		if j == 0 {
			return dl, newError(CodeInvalidDigitalLink, pathPos+i+1, "path has an empty segment (an AI without a value?)")
		}
		segs[n] = segment{path[i+1 : i+1+j], pathPos + i + 1}
		n++
		i += 1 + j
	}
	k := -1
	for i := 0; i < n; i++ {
		if (segs[i].v == AIGTIN || segs[i].v == AISSCC) && (n-i)%2 == 0 {
			k = i
			break
		}
	}
	if k < 0 {
		for i := 0; i+2 < n; i++ {
			if segs[i].v == AIGTIN || segs[i].v == AISSCC {
				return dl, newError(CodeInvalidDigitalLink, segs[n-1].pos, "path does not pair each AI with a value after /"+segs[i].v+"/ (/"+segs[n-1].v+" has none)")
			}
		}
		return dl, newError(CodeInvalidDigitalLink, pathPos, "path needs a primary key /01/{gtin} or /00/{sscc} followed by AI/value pairs")
	}
	last := 0
	for j := k; j < n; j += 2 {
		ai, val := segs[j].v, segs[j+1]
		if j > k {
			if err := checkQualifier(segs[k].v, ai, segs[j].pos, &last); err != nil {
				return dl, err
			}
		}
		v, err := digitalLinkValue(ai, val)
		if err != nil {
			return dl, err
		}
		dl.set(ai, v)
	}
	if err := dl.parseQuery(query, len(s)-len(query)); err != nil {
		return DigitalLink{}, err
	}
	if err := dl.validate(CodeInvalidDigitalLink); err != nil {
		return DigitalLink{}, err
	}
	return dl, nil
}

// checkQualifier checks that ai may follow the primary key at this point;
// last is the rank of the previous qualifier.
func checkQualifier(primary, ai string, pos int, last *int) error {
	rank := qualifierRank(ai)
	if spec, known := lookupAI(ai); rank == 0 && known && spec.role == roleAttribute {
		return newError(CodeInvalidDigitalLink, pos, "AI "+ai+" ("+spec.title+") is a data attribute: it goes in the query string (?"+ai+"=…), not the path")
	}
	switch {
	case primary == AISSCC:
		return newError(CodeInvalidDigitalLink, pos, "an SSCC (/00/) takes no key qualifier, got /"+ai+"/")
	case rank == 0:
		return newError(CodeInvalidDigitalLink, pos, "/"+ai+"/ is not a key qualifier of a GTIN (use /22/, /10/, /21/)")
	case rank == *last:
		return newError(CodeInvalidDigitalLink, pos, "qualifier /"+ai+"/ appears twice")
	case rank < *last:
		return newError(CodeInvalidDigitalLink, pos, "qualifier /"+ai+"/ out of order: use /22/, /10/, /21/")
	}
	*last = rank
	return nil
}

// digitalLinkPathStart returns the offset of the path in s, which is either
// a path starting with '/' or an http(s) URI with a host.
func digitalLinkPathStart(s string) (int, error) {
	if strings.HasPrefix(s, "/") {
		return 0, nil
	}
	scheme := 0
	if len(s) >= 8 && strings.EqualFold(s[:8], "https://") {
		scheme = 8
	} else if len(s) >= 7 && strings.EqualFold(s[:7], "http://") {
		scheme = 7
	}
	if scheme == 0 {
		return 0, newError(CodeInvalidDigitalLink, 0, "must be an http(s) URI or a path starting with '/'")
	}
	host := strings.IndexAny(s[scheme:], "/?")
	if host < 0 || s[scheme+host] != '/' {
		return 0, newError(CodeInvalidDigitalLink, len(s), "URI has no path")
	}
	if host == 0 {
		return 0, newError(CodeInvalidDigitalLink, scheme, "URI has no host")
	}
	return scheme + host, nil
}

// digitalLinkValue percent-decodes and checks one path AI value. Problems
// inside a decoded value are reported at the start of its segment.
func digitalLinkValue(ai string, seg segment) (string, error) {
	v, err := url.PathUnescape(seg.v)
	if err != nil {
		return "", newError(CodeInvalidDigitalLink, seg.pos, "bad percent-encoding in /"+ai+"/ value")
	}
	if ai == AIGTIN && len(v) != 14 && isDigits(v) {
		reason := "GTIN in a Digital Link must have 14 digits, got " + itoa(len(v)) + ": pad a GTIN-8, -12 or -13 with leading zeros"
		if len(v) == 13 {
			reason = "GTIN has 13 digits: a Digital Link carries the GTIN as 14 digits, leading zeros included"
		}
		return "", newError(CodeInvalidGTIN, seg.pos, reason)
	}
	pos := seg.pos
	if v != seg.v {
		pos = -1
	}
	v, err = checkAIValue(ai, v, pos, CodeInvalidDigitalLink, false)
	if e, ok := err.(*Error); ok && e.Pos < 0 {
		e.Pos = seg.pos
	}
	return v, err
}

// parseQuery reads the query string, whose offset in the input is pos:
// data attributes from the AI table, each once, plus linkType.
func (dl *DigitalLink) parseQuery(query string, pos int) error {
	seen := map[string]bool{}
	for query != "" {
		var part string
		part, query, _ = strings.Cut(query, "&")
		key, raw, hasValue := strings.Cut(part, "=")
		valPos := pos + len(key)
		if hasValue {
			valPos++
		}
		if key == "linkType" {
			v, err := url.QueryUnescape(raw)
			if err != nil {
				return newError(CodeInvalidDigitalLink, valPos, "bad percent-encoding in linkType")
			}
			dl.LinkType = v
		}
		if isDigits(key) {
			if err := dl.queryAI(key, raw, pos, valPos, seen); err != nil {
				return err
			}
		}
		pos += len(part) + 1
	}
	return nil
}

// queryAI checks one numeric query parameter.
func (dl *DigitalLink) queryAI(ai, raw string, pos, valPos int, seen map[string]bool) error {
	spec, known := lookupAI(ai)
	switch {
	case !known:
		return newError(CodeInvalidDigitalLink, pos, "unknown or unsupported AI "+ai+" in query")
	case spec.role == rolePrimary:
		return newError(CodeInvalidDigitalLink, pos, "AI "+ai+" ("+spec.title+") is a primary key: it goes in the path, not the query")
	case spec.role == roleQualifier && dl.hasQualifier(ai):
		return newError(CodeInvalidDigitalLink, pos, "AI "+ai+" ("+spec.title+") in the query repeats the path's /"+ai+"/")
	case spec.role == roleQualifier:
		return newError(CodeInvalidDigitalLink, pos, "AI "+ai+" ("+spec.title+") is a key qualifier: it goes in the path (/01/{gtin}/"+ai+"/…), not the query")
	case seen[ai]:
		return newError(CodeInvalidDigitalLink, pos, "query has AI "+ai+" twice")
	}
	seen[ai] = true
	v, err := url.QueryUnescape(raw)
	if err != nil {
		return newError(CodeInvalidDigitalLink, valPos, "bad percent-encoding in query AI "+ai)
	}
	if v == "" {
		return newError(CodeInvalidDigitalLink, valPos, "query AI "+ai+" has no value")
	}
	if off, reason := spec.check(ai, v); reason != "" {
		at := valPos
		if off >= 0 && v == raw {
			at += off
		}
		return newError(CodeInvalidDigitalLink, at, "query "+reason)
	}
	if ai == AIExpiry {
		dl.Expiry = v
		return nil
	}
	dl.Attributes = append(dl.Attributes, AIValue{ai, v})
	return nil
}

func (dl *DigitalLink) hasQualifier(ai string) bool {
	switch ai {
	case AILot:
		return dl.Lot != ""
	case AISerial:
		return dl.Serial != ""
	case AICPV:
		return dl.CPV != ""
	}
	return false
}

// DigitalLinkPath returns the Digital Link path for d, with the expiry date
// as query: "/01/09506000134352/10/AB%2F1?17=250131". Values are
// percent-encoded except for RFC 3986 unreserved characters.
func (d GS1Data) DigitalLinkPath() (string, error) {
	if err := d.validate(CodeInvalidDigitalLink); err != nil {
		return "", err
	}
	var b strings.Builder
	b.Grow(64)
	for _, f := range d.fields() {
		if f.v == "" || f.ai == AIExpiry {
			continue
		}
		b.WriteByte('/')
		b.WriteString(f.ai)
		b.WriteByte('/')
		escapeSegment(&b, f.v)
	}
	if d.Expiry != "" {
		b.WriteString("?17=")
		b.WriteString(d.Expiry)
	}
	return b.String(), nil
}

// DigitalLink returns the Digital Link URI for d under base, an http(s) URI
// without query or fragment ("" means DefaultResolver).
func (d GS1Data) DigitalLink(base string) (string, error) {
	if base == "" {
		base = DefaultResolver
	}
	base = strings.TrimRight(base, "/")
	if strings.ContainsAny(base, "?#") {
		return "", newError(CodeInvalidDigitalLink, -1, "base URI must not have a query or fragment")
	}
	if _, err := digitalLinkPathStart(base + "/"); err != nil {
		return "", newError(CodeInvalidDigitalLink, -1, "base must be an http(s) URI with a host")
	}
	p, err := d.DigitalLinkPath()
	if err != nil {
		return "", err
	}
	return base + p, nil
}

func escapeSegment(b *strings.Builder, v string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(v); i++ {
		c := v[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
}
