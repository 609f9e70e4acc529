package identifier

import "strings"

// ParseElementString parses a GS1 element string in its bracketed
// human-readable form, such as "(01)09506000134352(17)250131(10)AB-12".
//
// Supported AIs are (00), (01), (10), (17), (21) and (22); each may appear
// once, in any order, and exactly one of (00) and (01) is required. (01) must
// have 14 digits. A value runs to the next '(' or the end; a literal '(' in a
// lot, serial or variant is written "\(" (as the GS1 Barcode Syntax Engine
// does). Errors have code INVALID_ELEMENT_STRING, or INVALID_GTIN for a bad
// (01), with Pos pointing into s.
func ParseElementString(s string) (GS1Data, error) {
	var d GS1Data
	if s == "" {
		return d, newError(CodeInvalidElement, 0, "element string is empty")
	}
	for i := 0; i < len(s); {
		if s[i] != '(' {
			return d, newError(CodeInvalidElement, i, "expected '(' to open an AI")
		}
		end := strings.IndexByte(s[i:], ')')
		if end < 0 {
			return d, newError(CodeInvalidElement, i, "AI is not closed with ')'")
		}
		ai := s[i+1 : i+end]
		if !isDigits(ai) || len(ai) < 2 || len(ai) > 4 {
			return d, newError(CodeInvalidElement, i+1, "AI must be 2 to 4 digits")
		}
		start := i + end + 1
		raw, next := elementValue(s, start)
		v, err := unescapeElement(raw, start)
		if err != nil {
			return d, err
		}
		if v == "" {
			return d, newError(CodeInvalidElement, start, "AI ("+ai+") has no value")
		}
		if v, err = checkAIValue(ai, v, start, CodeInvalidElement, false); err != nil {
			return d, err
		}
		if !d.set(ai, v) {
			return d, newError(CodeInvalidElement, i, "AI ("+ai+") appears twice")
		}
		i = next
	}
	if err := d.validate(CodeInvalidElement); err != nil {
		return GS1Data{}, err
	}
	return d, nil
}

// elementValue returns the raw value starting at s[start] and the offset of
// the next AI: the first '(' not preceded by a backslash.
func elementValue(s string, start int) (string, int) {
	for j := start; j < len(s); j++ {
		switch s[j] {
		case '\\':
			if j+1 < len(s) && s[j+1] == '(' {
				j++
			}
		case '(':
			return s[start:j], j
		}
	}
	return s[start:], len(s)
}

// unescapeElement turns "\(" into "("; any other backslash is an error
// (backslash is not in character set 82). pos is raw's offset in the input.
func unescapeElement(raw string, pos int) (string, error) {
	i := strings.IndexByte(raw, '\\')
	if i < 0 {
		return raw, nil
	}
	var b strings.Builder
	b.Grow(len(raw))
	for j := 0; j < len(raw); j++ {
		if raw[j] == '\\' {
			if j+1 == len(raw) || raw[j+1] != '(' {
				return "", newError(CodeInvalidElement, pos+j, "backslash must escape '('")
			}
			j++
		}
		b.WriteByte(raw[j])
	}
	return b.String(), nil
}

// ElementString returns the bracketed element string for d, fixed-length AIs
// first: (00)/(01), (17), (22), (10), (21). It validates d first.
func (d GS1Data) ElementString() (string, error) {
	if err := d.validate(CodeInvalidElement); err != nil {
		return "", err
	}
	var b strings.Builder
	b.Grow(64)
	for _, f := range d.fields() {
		if f.v == "" {
			continue
		}
		b.WriteByte('(')
		b.WriteString(f.ai)
		b.WriteByte(')')
		for i := 0; i < len(f.v); i++ {
			if f.v[i] == '(' {
				b.WriteByte('\\')
			}
			b.WriteByte(f.v[i])
		}
	}
	return b.String(), nil
}
