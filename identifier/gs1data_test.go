package identifier_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/idchain/idchain/identifier"
)

func TestParseElementString(t *testing.T) {
	tests := []struct {
		name, in  string
		want      identifier.GS1Data
		canonical string
	}{
		{"a GTIN alone", "(01)09506000134352", identifier.GS1Data{GTIN: "09506000134352"}, "(01)09506000134352"},
		{"GTIN, expiry, lot and serial", "(01)09506000134352(17)250131(10)ABC123(21)XYZ-9",
			identifier.GS1Data{GTIN: "09506000134352", Expiry: "250131", Lot: "ABC123", Serial: "XYZ-9"},
			"(01)09506000134352(17)250131(10)ABC123(21)XYZ-9"},
		{"AIs in any order", "(21)S1(10)L1(01)04006381333931(22)V",
			identifier.GS1Data{GTIN: "04006381333931", Lot: "L1", Serial: "S1", CPV: "V"},
			"(01)04006381333931(22)V(10)L1(21)S1"},
		{"an SSCC", "(00)376104250021234569", identifier.GS1Data{SSCC: "376104250021234569"}, "(00)376104250021234569"},
		{"an escaped parenthesis", `(01)09506000134352(10)A\(1)`, identifier.GS1Data{GTIN: "09506000134352", Lot: "A(1)"}, `(01)09506000134352(10)A\(1)`},
		{"expiry day 00 means end of month", "(01)09506000134352(17)250200", identifier.GS1Data{GTIN: "09506000134352", Expiry: "250200"}, "(01)09506000134352(17)250200"},
		{"29 February in a leap year", "(01)09506000134352(17)240229", identifier.GS1Data{GTIN: "09506000134352", Expiry: "240229"}, "(01)09506000134352(17)240229"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := identifier.ParseElementString(tt.in)
			if err != nil || got != tt.want {
				t.Fatalf("ParseElementString(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
			if s, err := got.ElementString(); err != nil || s != tt.canonical {
				t.Fatalf("ElementString = %q, %v; want %q", s, err, tt.canonical)
			}
		})
	}
}

func TestParseElementStringRejects(t *testing.T) {
	gtin := "(01)09506000134352"
	tests := []rejectCase{
		{"an empty string", "", identifier.ErrInvalidElement, 0, "element string is empty"},
		{"no parentheses", "0109506000134352", identifier.ErrInvalidElement, 0, "expected '(' to open an AI"},
		{"an unclosed AI", "(01", identifier.ErrInvalidElement, 0, "AI is not closed with ')'"},
		{"a letter AI", "(A1)x", identifier.ErrInvalidElement, 1, "AI must be 2 to 4 digits"},
		{"an unsupported AI", gtin + "(11)250101", identifier.ErrInvalidElement, 22, "unsupported AI (11)"},
		{"an empty value", gtin + "(10)", identifier.ErrInvalidElement, 22, "AI (10) has no value"},
		{"a GTIN-13 in AI 01", "(01)4006381333931", identifier.ErrInvalidGTIN, 4, "AI (01) must have 14 digits"},
		{"a bad GTIN check digit", "(01)09506000134353", identifier.ErrInvalidGTIN, 17, "check digit is 3, expected 2"},
		{"a bad SSCC check digit", "(00)376104250021234560", identifier.ErrInvalidElement, 21, "check digit is 0, expected 9"},
		{"a 21-character lot", gtin + "(10)" + strings.Repeat("A", 21), identifier.ErrInvalidElement, 22, "AI (10) must have 1 to 20 characters"},
		{"a space in a serial", gtin + "(21)A B", identifier.ErrInvalidElement, 23, "AI (21) contains ' ', outside GS1 character set 82"},
		{"a Chinese serial", gtin + "(21)批", identifier.ErrInvalidElement, 22, "AI (21) contains 0xe6, outside GS1 character set 82"},
		{"a stray backslash", gtin + `(10)A\B`, identifier.ErrInvalidElement, 23, "backslash must escape '('"},
		{"month 13", gtin + "(17)251301", identifier.ErrInvalidElement, 24, "AI (17) has month 13"},
		{"30 February", gtin + "(17)250230", identifier.ErrInvalidElement, 26, "AI (17) has day 30 for month 02"},
		{"29 February in a common year", gtin + "(17)250229", identifier.ErrInvalidElement, 26, "AI (17) has day 29 for month 02"},
		{"a short date", gtin + "(17)2501", identifier.ErrInvalidElement, -1, "AI (17) must be YYMMDD"},
		{"a repeated AI", gtin + "(10)A(10)B", identifier.ErrInvalidElement, 23, "AI (10) appears twice"},
		{"a lot without GTIN", "(10)ABC", identifier.ErrInvalidElement, -1, "needs a GTIN (01) or an SSCC (00)"},
		{"GTIN and SSCC together", gtin + "(00)376104250021234569", identifier.ErrInvalidElement, -1, "has both a GTIN (01) and an SSCC (00)"},
		{"an SSCC with a lot", "(00)376104250021234569(10)A", identifier.ErrInvalidElement, -1, "an SSCC (00) takes no qualifiers or expiry date"},
	}
	runRejects(t, func(s string) error {
		_, err := identifier.ParseElementString(s)
		return err
	}, tests)
}

func TestParseDigitalLink(t *testing.T) {
	full := identifier.GS1Data{GTIN: "09506000134352", CPV: "2A", Lot: "ABC/1", Serial: "12345", Expiry: "250131"}
	tests := []struct {
		name, in string
		want     identifier.GS1Data
	}{
		{"a GS1 resolver URI", "https://id.gs1.org/01/09506000134352", identifier.GS1Data{GTIN: "09506000134352"}},
		{"a bare path", "/01/09506000134352/21/12345", identifier.GS1Data{GTIN: "09506000134352", Serial: "12345"}},
		{"a padded GTIN-13", "/01/04006381333931/10/L1", identifier.GS1Data{GTIN: "04006381333931", Lot: "L1"}},
		{"a padded GTIN-8", "/01/00000096385074", identifier.GS1Data{GTIN: "00000096385074"}},
		{"all qualifiers and expiry", "https://example.com/01/09506000134352/22/2A/10/ABC%2F1/21/12345?17=250131", full},
		{"a custom path prefix", "HTTP://brand.example/dl/v1/01/09506000134352/22/2A/10/ABC%2F1/21/12345?linkType=gs1:pip&17=250131#top", full},
		{"an SSCC", "/00/376104250021234569", identifier.GS1Data{SSCC: "376104250021234569"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := identifier.ParseDigitalLink(tt.in)
			if err != nil || got != tt.want {
				t.Fatalf("ParseDigitalLink(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseDigitalLinkRejects(t *testing.T) {
	tests := []rejectCase{
		{"an empty string", "", identifier.ErrInvalidDigitalLink, 0, "must be an http(s) URI or a path starting with '/'"},
		{"another scheme", "ftp://x/01/09506000134352", identifier.ErrInvalidDigitalLink, 0, "must be an http(s) URI or a path starting with '/'"},
		{"a URI without path", "https://id.gs1.org", identifier.ErrInvalidDigitalLink, 18, "URI has no path"},
		{"a URI without host", "https:///01/09506000134352", identifier.ErrInvalidDigitalLink, 8, "URI has no host"},
		{"no primary key", "/10/ABC", identifier.ErrInvalidDigitalLink, 0, "path needs a primary key /01/{gtin} or /00/{sscc} followed by AI/value pairs"},
		{"a dangling AI", "/01/09506000134352/10", identifier.ErrInvalidDigitalLink, 19, "path does not pair each AI with a value after /01/ (/10 has none)"},
		{"an empty segment", "/01//09506000134352", identifier.ErrInvalidDigitalLink, 4, "path has an empty segment (an AI without a value?)"},
		{"two trailing slashes", "/01/09506000134352//", identifier.ErrInvalidDigitalLink, 19, "path has an empty segment (an AI without a value?)"},
		{"qualifiers out of order", "/01/09506000134352/21/S/10/L", identifier.ErrInvalidDigitalLink, 24, "qualifier /10/ out of order: use /22/, /10/, /21/"},
		{"a repeated qualifier", "/01/09506000134352/10/A/10/B", identifier.ErrInvalidDigitalLink, 24, "qualifier /10/ appears twice"},
		{"an unknown qualifier", "/01/09506000134352/17/250101", identifier.ErrInvalidDigitalLink, 19, "AI 17 (USE BY OR EXPIRY) is a data attribute: it goes in the query string (?17=…), not the path"},
		{"a qualifier on an SSCC", "/00/376104250021234569/10/A", identifier.ErrInvalidDigitalLink, 23, "an SSCC (/00/) takes no key qualifier, got /10/"},
		{"a bad GTIN", "/01/09506000134353", identifier.ErrInvalidGTIN, 17, "check digit is 3, expected 2"},
		{"bad percent-encoding", "/01/09506000134352/10/A%zz", identifier.ErrInvalidDigitalLink, 22, "bad percent-encoding in /10/ value"},
		{"an encoded space in a lot", "/01/09506000134352/10/A%20B", identifier.ErrInvalidDigitalLink, 22, "AI (10) contains ' ', outside GS1 character set 82"},
		{"a bad expiry", "/01/09506000134352?17=251301", identifier.ErrInvalidDigitalLink, 24, "query AI (17) has month 13"},
		{"a short expiry", "/01/09506000134352?x=1&17=2501", identifier.ErrInvalidDigitalLink, 26, "query AI (17) must have 6 characters"},
		{"a repeated expiry", "/01/09506000134352?17=250101&17=250102", identifier.ErrInvalidDigitalLink, 29, "query has AI 17 twice"},
		{"an unknown query AI", "/01/09506000134352?3199=000500", identifier.ErrInvalidDigitalLink, 19, "unknown or unsupported AI 3199 in query"},
		{"an expiry on an SSCC", "/00/376104250021234569?17=250101", identifier.ErrInvalidDigitalLink, -1, "an SSCC (00) takes no qualifiers or expiry date"},
	}
	runRejects(t, func(s string) error {
		_, err := identifier.ParseDigitalLink(s)
		return err
	}, tests)
}

func TestDigitalLinkBuild(t *testing.T) {
	d := identifier.GS1Data{GTIN: "09506000134352", Lot: "AB/1(x)", Serial: "S-1.a_b", Expiry: "250131"}
	p, err := d.DigitalLinkPath()
	if want := "/01/09506000134352/10/AB%2F1%28x%29/21/S-1.a_b?17=250131"; err != nil || p != want {
		t.Fatalf("DigitalLinkPath = %q, %v; want %q", p, err, want)
	}
	u, err := d.DigitalLink("https://brand.example/dl/")
	if want := "https://brand.example/dl" + p; err != nil || u != want {
		t.Fatalf("DigitalLink = %q, %v; want %q", u, err, want)
	}
	if back, err := identifier.ParseDigitalLink(u); err != nil || back != d {
		t.Fatalf("ParseDigitalLink(%q) = %+v, %v", u, back, err)
	}
	if u, _ := d.DigitalLink(""); !strings.HasPrefix(u, identifier.DefaultResolver+"/01/") {
		t.Fatalf("default base gave %q", u)
	}
	for _, base := range []string{"id.gs1.org", "https://x/?a=1", "https://"} {
		if _, err := d.DigitalLink(base); !errors.Is(err, identifier.ErrInvalidDigitalLink) {
			t.Errorf("DigitalLink(%q) error = %v", base, err)
		}
	}
	if _, err := (identifier.GS1Data{Lot: "A"}).DigitalLinkPath(); !errors.Is(err, identifier.ErrInvalidDigitalLink) {
		t.Errorf("DigitalLinkPath without key: %v", err)
	}
}

func FuzzParseElementString(f *testing.F) {
	seeds := []string{"(01)09506000134352(17)250131(10)ABC123(21)XYZ-9", `(01)09506000134352(10)A\(1)`, "(00)376104250021234569", "(01)0950600013435", "(10)(21)", `\(`}
	fuzzGS1(f, seeds, identifier.ParseElementString, identifier.GS1Data.ElementString)
}

func FuzzParseDigitalLink(f *testing.F) {
	seeds := []string{"https://id.gs1.org/01/09506000134352/22/2A/10/ABC%2F1/21/12345?17=250131", "/01/96385074", "/01/00000096385074?3103=000500&99=x&linkType=all", "/00/376104250021234569", "/01/09506000134352/21/S/10/L", "http://a/01/09506000134352?17=250200#x", "/01//"}
	fuzzGS1(f, seeds, identifier.ParseDigitalLink, identifier.GS1Data.DigitalLinkPath)
}

// fuzzGS1 checks that parse never panics, that what it accepts follows the
// GS1 rules, and that parse → format → parse gives the same data.
func fuzzGS1(f *testing.F, seeds []string, parse func(string) (identifier.GS1Data, error), format func(identifier.GS1Data) (string, error)) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parse(s)
		if err != nil {
			var e *identifier.Error
			if !errors.As(err, &e) || e.Pos > len(s) {
				t.Fatalf("bad error for %q: %#v", s, err)
			}
			return
		}
		checkGS1Data(t, s, d)
		out, err := format(d)
		if err != nil {
			t.Fatalf("formatting accepted %q: %v", s, err)
		}
		if again, err := parse(out); err != nil || again != d {
			t.Fatalf("%q → %q → %+v, %v; want %+v", s, out, again, err, d)
		}
	})
}

// checkGS1Data asserts that accepted data satisfies the GS1 rules.
func checkGS1Data(t *testing.T, s string, d identifier.GS1Data) {
	t.Helper()
	if err := d.Validate(); err != nil {
		t.Fatalf("accepted %q as %+v, which does not validate: %v", s, d, err)
	}
	if d.GTIN != "" && len(d.GTIN) != 14 {
		t.Fatalf("accepted %q with GTIN %q", s, d.GTIN)
	}
	for _, v := range []string{d.CPV, d.Lot, d.Serial} {
		if len(v) > 20 || strings.ContainsAny(v, " \\#") {
			t.Fatalf("accepted %q with value %q", s, v)
		}
	}
}
