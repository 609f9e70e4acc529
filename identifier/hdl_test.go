package identifier_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/idchain/idchain/identifier"
)

func TestParseAcceptsValidIdentifiers(t *testing.T) {
	tests := []struct {
		name, in       string
		prefix, suffix string
	}{
		{"a national numeric identifier", "88.709.911/123", "88.709.911", "123"},
		{"a suffix keeps its case", "88.608.8899/META_zj02", "88.608.8899", "META_zj02"},
		{"an upper-case prefix is lower-cased", "88.608.ABC/X1", "88.608.abc", "X1"},
		{"a Chinese suffix is allowed", "88.118.8/电路板.HX-2024.20240315.0001", "88.118.8", "电路板.HX-2024.20240315.0001"},
		{"a single-segment prefix is allowed", "20/abc", "20", "abc"},
		{"hyphen and underscore in a prefix", "88.a-b_c/1", "88.a-b_c", "1"},
		{"punctuation other than ?#% in a suffix", "88.1/a:b;c=d&e+f(g)!*,~", "88.1", "a:b;c=d&e+f(g)!*,~"},
		{"a 64-byte prefix", strings.Repeat("1", 64) + "/x", strings.Repeat("1", 64), "x"},
		{"a 255-byte identifier", "88.1/" + strings.Repeat("z", 250), "88.1", strings.Repeat("z", 250)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := identifier.Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if id.Prefix != tt.prefix || id.Suffix != tt.suffix {
				t.Fatalf("Parse(%q) = %q / %q, want %q / %q", tt.in, id.Prefix, id.Suffix, tt.prefix, tt.suffix)
			}
			if again := identifier.MustParse(id.String()); again != id {
				t.Fatalf("re-parse of %q gave %+v", id, again)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name, in string
		pos      int
		reason   string
	}{
		{"an empty string", "", 0, "identifier is empty"},
		{"a string without slash", "88.709.911", -1, "missing '/' between prefix and suffix"},
		{"an empty prefix", "/123", 0, "prefix is empty"},
		{"a leading dot", ".88/1", 0, "prefix has an empty segment"},
		{"a double dot", "88..1/1", 3, "prefix has an empty segment"},
		{"a trailing dot", "88.1./1", 5, "prefix has an empty segment"},
		{"a space in the prefix", "88. 1/1", 3, "prefix contains ' '"},
		{"non-ASCII in the prefix", "88.中/1", 3, "prefix contains 0xe4"},
		{"a 65-byte prefix", strings.Repeat("1", 65) + "/x", 64, "prefix is longer than 64 bytes"},
		{"an empty suffix", "88.1/", 5, "suffix is empty"},
		{"a slash in the suffix", "88.709.911/a/b", 12, "suffix contains '/'"},
		{"a question mark", "88.1/a?b", 6, "suffix contains '?'"},
		{"a hash", "88.1/a#b", 6, "suffix contains '#'"},
		{"a percent sign", "88.1/a%20", 6, "suffix contains '%'"},
		{"a space", "88.1/a b", 6, "suffix contains ' '"},
		{"a tab", "88.1/a\tb", 6, "suffix contains 0x9"},
		{"DEL", "88.1/a\x7f", 6, "suffix contains 0x7f"},
		{"an ideographic space", "88.1/a\u3000b", 6, `suffix contains '\u3000'`},
		{"a C1 control", "88.1/a\u0085", 6, `suffix contains '\u0085'`},
		{"a zero-width space", "88.1/a\u200bb", 6, `suffix contains '\u200b'`},
		{"invalid UTF-8", "88.1/a\xffb", 6, "suffix is not valid UTF-8"},
		{"a 256-byte identifier", "88.1/" + strings.Repeat("z", 251), 255, "identifier is longer than 255 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := identifier.Parse(tt.in)
			wantError(t, err, identifier.ErrInvalidIdentifier, tt.pos, tt.reason)
		})
	}
}

func TestErrorMessageNamesPosition(t *testing.T) {
	_, err := identifier.Parse("88.709.911/a/b")
	want := "INVALID_IDENTIFIER: suffix contains '/' at byte 12"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %q", err, want)
	}
	if errors.Is(err, identifier.ErrInvalidGTIN) {
		t.Fatal("an identifier error matches ErrInvalidGTIN")
	}
}

func TestParsePrefix(t *testing.T) {
	p, err := identifier.ParsePrefix("88.608.AbC")
	if err != nil || p != "88.608.abc" {
		t.Fatalf("ParsePrefix = %q, %v", p, err)
	}
	if _, err := identifier.ParsePrefix("88..1"); !errors.Is(err, identifier.ErrInvalidPrefix) {
		t.Fatalf("ParsePrefix(88..1) error = %v, want INVALID_PREFIX", err)
	}
}

func TestIDMethods(t *testing.T) {
	id := identifier.MustParse("88.608.8899/META_zj02")
	under := map[string]bool{
		"88": true, "88.608": true, "88.608.8899": true, "88.608.8899/": true, "88.608.8899X": false,
		"88.60": false, "88.608.8899.1": false, "": false, "86": false,
	}
	for p, want := range under {
		if got := id.IsUnder(p); got != want {
			t.Errorf("IsUnder(%q) = %v, want %v", p, got, want)
		}
	}
	if !identifier.MustParse("88.abc.d/x").IsUnder("88.ABC") {
		t.Error("IsUnder is case-sensitive")
	}
	if !id.IsNational() || identifier.MustParse("20.500/x").IsNational() {
		t.Error("IsNational is wrong")
	}
	if parent, ok := identifier.ParentPrefix(id.Prefix); !ok || parent != "88.608" {
		t.Errorf("ParentPrefix = %q, %v", parent, ok)
	}
	if _, ok := identifier.ParentPrefix("88"); ok {
		t.Error("ParentPrefix(88) reported a parent")
	}
	if id.Compare(identifier.MustParse("88.608.8899/META_zj03")) >= 0 {
		t.Error("Compare does not order by suffix")
	}
}

func TestIDJSON(t *testing.T) {
	var v struct{ ID identifier.ID }
	if err := json.Unmarshal([]byte(`{"ID":"88.608.ABC/x"}`), &v); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	if string(b) != `{"ID":"88.608.abc/x"}` {
		t.Fatalf("round trip = %s", b)
	}
	if err := json.Unmarshal([]byte(`{"ID":"88/a b"}`), &v); !errors.Is(err, identifier.ErrInvalidIdentifier) {
		t.Fatalf("bad ID unmarshalled: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"88.709.911/123", "88.608.8899/META_zj02", "88.1/电路板.A.20240101.1", "88..1/x", "88.1/a/b", "A.B/%", "88.1/\xff", "/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := identifier.Parse(s)
		if err != nil {
			var e *identifier.Error
			if !errors.As(err, &e) || e.Code != identifier.CodeInvalidIdentifier || e.Pos > len(s) {
				t.Fatalf("bad error for %q: %#v", s, err)
			}
			return
		}
		str := id.String()
		if !strings.EqualFold(str, s) || len(str) > 255 || !utf8.ValidString(str) {
			t.Fatalf("Parse(%q) normalised to %q", s, str)
		}
		p := id.Prefix
		if len(p) > 64 || strings.Trim(p, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != "" ||
			strings.Contains(p, "..") || strings.HasPrefix(p, ".") || strings.HasSuffix(p, ".") {
			t.Fatalf("Parse(%q) accepted prefix %q", s, p)
		}
		if id.Suffix == "" || strings.ContainsAny(id.Suffix, "/?#%") || strings.IndexFunc(id.Suffix, func(r rune) bool {
			return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
		}) >= 0 {
			t.Fatalf("Parse(%q) accepted suffix %q", s, id.Suffix)
		}
		again, err := identifier.Parse(str)
		if err != nil || again != id {
			t.Fatalf("Parse(%q) = %+v, re-parse %+v, %v", s, id, again, err)
		}
	})
}
