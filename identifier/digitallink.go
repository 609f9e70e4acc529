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

// ParseDigitalLink parses a GS1 Digital Link URI
// ("https://id.gs1.org/01/09506000134352/10/ABC?17=250131") or its path
// ("/01/09506000134352/21/XYZ").
//
// The path may carry any prefix before the primary key /01/ or /00/. After
// /01/ the qualifiers /22/, /10/ and /21/ may follow, each at most once and in
// that order. The query may carry 17=YYMMDD; other numeric AIs are rejected,
// non-AI parameters (linkType, …) and the fragment are ignored. A GTIN-8, -12
// or -13 is accepted and normalised to 14 digits. Values are
// percent-decoded. Errors have code INVALID_DIGITAL_LINK (INVALID_GTIN for a
// bad GTIN) with Pos pointing into s.
func ParseDigitalLink(s string) (GS1Data, error) {
	var d GS1Data
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	pathPos, err := digitalLinkPathStart(s)
	if err != nil {
		return d, err
	}
	path, query := s[pathPos:], ""
	if q := strings.IndexByte(path, '?'); q >= 0 {
		path, query = path[:q], path[q+1:]
	}
	var segs [maxSegments]segment
	n := 0
	for i := 0; i < len(path); {
		if n == maxSegments {
			return d, newError(CodeInvalidDigitalLink, pathPos+i, "path has too many segments")
		}
		j := strings.IndexByte(path[i+1:], '/')
		if j < 0 {
			j = len(path) - i - 1
		}
		if j == 0 {
			return d, newError(CodeInvalidDigitalLink, pathPos+i+1, "path has an empty segment")
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
		return d, newError(CodeInvalidDigitalLink, pathPos, "path needs a primary key /01/{gtin} or /00/{sscc} followed by AI/value pairs")
	}
	last := 0
	for j := k; j < n; j += 2 {
		ai, val := segs[j].v, segs[j+1]
		if j > k {
			rank := qualifierRank(ai)
			switch {
			case segs[k].v == AISSCC || rank == 0:
				return d, newError(CodeInvalidDigitalLink, segs[j].pos, "unsupported qualifier /"+ai+"/ after /"+segs[k].v+"/")
			case rank == last:
				return d, newError(CodeInvalidDigitalLink, segs[j].pos, "qualifier /"+ai+"/ appears twice")
			case rank < last:
				return d, newError(CodeInvalidDigitalLink, segs[j].pos, "qualifier /"+ai+"/ out of order: use /22/, /10/, /21/")
			}
			last = rank
		}
		v, err := digitalLinkValue(ai, val)
		if err != nil {
			return d, err
		}
		d.set(ai, v)
	}
	if err := parseDigitalLinkQuery(&d, query, len(s)-len(query)); err != nil {
		return GS1Data{}, err
	}
	if err := d.validate(CodeInvalidDigitalLink); err != nil {
		return GS1Data{}, err
	}
	return d, nil
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

// digitalLinkValue percent-decodes and checks one AI value. Problems inside a
// decoded value are reported at the start of its segment.
func digitalLinkValue(ai string, seg segment) (string, error) {
	v, err := url.PathUnescape(seg.v)
	if err != nil {
		return "", newError(CodeInvalidDigitalLink, seg.pos, "bad percent-encoding in /"+ai+"/ value")
	}
	pos := seg.pos
	if v != seg.v {
		pos = -1
	}
	v, err = checkAIValue(ai, v, pos, CodeInvalidDigitalLink, true)
	if e, ok := err.(*Error); ok && e.Pos < 0 {
		e.Pos = seg.pos
	}
	return v, err
}

// parseDigitalLinkQuery reads 17=YYMMDD from query, whose offset in the
// input is pos.
func parseDigitalLinkQuery(d *GS1Data, query string, pos int) error {
	for query != "" {
		var part string
		part, query, _ = strings.Cut(query, "&")
		key, val, _ := strings.Cut(part, "=")
		switch {
		case key == AIExpiry:
			if d.Expiry != "" {
				return newError(CodeInvalidDigitalLink, pos, "query has 17 twice")
			}
			if off, reason := checkYYMMDD(val); reason != "" {
				at := pos
				if off >= 0 {
					at += len(key) + 1 + off
				}
				return newError(CodeInvalidDigitalLink, at, "query 17 "+reason)
			}
			d.Expiry = val
		case isDigits(key):
			return newError(CodeInvalidDigitalLink, pos, "unsupported AI "+key+" in query")
		}
		pos += len(part) + 1
	}
	return nil
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
