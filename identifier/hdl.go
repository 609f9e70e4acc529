package identifier

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of a 标识 (Handle limits).
const (
	MaxIDLen     = 255 // bytes, whole identifier
	MaxPrefixLen = 64  // bytes (a prefix is ASCII)
)

// NationalPrefix starts every prefix allocated by the national
// industrial-internet identifier resolution system.
const NationalPrefix = "88."

// ID is a parsed, normalised 标识 PREFIX/SUFFIX. The prefix is lower-case;
// the suffix is kept exactly as given (it is case-sensitive). Two IDs denote
// the same identifier exactly when they are ==.
type ID struct {
	Prefix string
	Suffix string
}

// Parse validates and normalises a 标识 such as "88.608.8899/META_zj02".
//
// Prefix: dot-separated segments of ASCII letters, digits, '-' and '_', no
// empty segment, at most 64 bytes, stored lower-case.
// Suffix: at least one character of valid UTF-8 without '/', '?', '#', '%',
// whitespace or control/format characters (Unicode Cc, Cf).
// Whole identifier: at most 255 bytes.
//
// Errors have code INVALID_IDENTIFIER. Parse allocates only when the prefix
// has to be lower-cased.
func Parse(s string) (ID, error) {
	if s == "" {
		return ID{}, newError(CodeInvalidIdentifier, 0, "identifier is empty")
	}
	if len(s) > MaxIDLen {
		return ID{}, newError(CodeInvalidIdentifier, MaxIDLen, "identifier is longer than 255 bytes")
	}
	slash := strings.IndexByte(s, '/')
	if slash < 0 {
		return ID{}, newError(CodeInvalidIdentifier, -1, "missing '/' between prefix and suffix")
	}
	prefix, err := checkPrefix(s[:slash], CodeInvalidIdentifier)
	if err != nil {
		return ID{}, err
	}
	if err := checkSuffix(s, slash+1); err != nil {
		return ID{}, err
	}
	return ID{Prefix: prefix, Suffix: s[slash+1:]}, nil
}

// MustParse is Parse for constants and tests; it panics on invalid input.
func MustParse(s string) ID {
	id, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return id
}

// ParsePrefix validates a prefix and returns it lower-cased. Errors have code
// INVALID_PREFIX.
func ParsePrefix(s string) (string, error) {
	return checkPrefix(s, CodeInvalidPrefix)
}

// String returns "prefix/suffix".
func (id ID) String() string { return id.Prefix + "/" + id.Suffix }

// IsZero reports whether id is the zero ID.
func (id ID) IsZero() bool { return id == ID{} }

// IsNational reports whether the prefix belongs to the national (88.) tree.
func (id ID) IsNational() bool { return strings.HasPrefix(id.Prefix, NationalPrefix) }

// IsUnder reports whether id was allocated under prefix: its prefix equals
// prefix or is a sub-prefix of it ("88.608.8899" is under "88.608").
// prefix is compared case-insensitively; a trailing '/' is ignored.
func (id ID) IsUnder(prefix string) bool {
	prefix = strings.TrimSuffix(prefix, "/")
	if prefix == "" || len(id.Prefix) < len(prefix) {
		return false
	}
	if !strings.EqualFold(id.Prefix[:len(prefix)], prefix) {
		return false
	}
	return len(id.Prefix) == len(prefix) || id.Prefix[len(prefix)] == '.'
}

// Compare orders IDs by prefix, then suffix (byte-wise).
func (id ID) Compare(other ID) int {
	if c := strings.Compare(id.Prefix, other.Prefix); c != 0 {
		return c
	}
	return strings.Compare(id.Suffix, other.Suffix)
}

// MarshalText implements encoding.TextMarshaler.
func (id ID) MarshalText() ([]byte, error) {
	if id.IsZero() {
		return []byte{}, nil
	}
	return []byte(id.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler; it parses and
// normalises. Empty text gives the zero ID.
func (id *ID) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*id = ID{}
		return nil
	}
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// ParentPrefix returns the naming authority above prefix ("88.608.8899" →
// "88.608") and false for a single-segment prefix.
func ParentPrefix(prefix string) (string, bool) {
	i := strings.LastIndexByte(prefix, '.')
	if i <= 0 {
		return "", false
	}
	return prefix[:i], true
}

// checkPrefix validates p and returns it lower-cased; error offsets are
// relative to p, which always starts the input.
func checkPrefix(p string, code string) (string, error) {
	if p == "" {
		return "", newError(code, 0, "prefix is empty")
	}
	if len(p) > MaxPrefixLen {
		return "", newError(code, MaxPrefixLen, "prefix is longer than 64 bytes")
	}
	upper := false
	segStart := 0
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '.':
			if i == segStart {
				return "", newError(code, i, "prefix has an empty segment")
			}
			segStart = i + 1
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
		case 'A' <= c && c <= 'Z':
			upper = true
		default:
			return "", newError(code, i, "prefix contains "+quoteByte(c))
		}
	}
	if segStart == len(p) {
		return "", newError(code, len(p), "prefix has an empty segment")
	}
	if upper {
		p = strings.ToLower(p)
	}
	return p, nil
}

// suffixForbidden marks the ASCII bytes a suffix may not contain.
var suffixForbidden = func() (t [128]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	for _, c := range "/?#% \x7f" {
		t[c] = true
	}
	return t
}()

// checkSuffix validates s[start:] as a suffix; offsets refer to s.
func checkSuffix(s string, start int) error {
	if start >= len(s) {
		return newError(CodeInvalidIdentifier, start, "suffix is empty")
	}
	for i := start; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if suffixForbidden[c] {
				return newError(CodeInvalidIdentifier, i, "suffix contains "+quoteByte(c))
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			return newError(CodeInvalidIdentifier, i, "suffix is not valid UTF-8")
		}
		if !suffixRuneOK(r) {
			return newError(CodeInvalidIdentifier, i, "suffix contains "+quoteRune(r))
		}
		i += n
	}
	return nil
}

// suffixRuneOK reports whether a non-ASCII rune may appear in a suffix.
func suffixRuneOK(r rune) bool {
	return !unicode.IsSpace(r) && !unicode.IsControl(r) && !unicode.Is(unicode.Cf, r)
}
