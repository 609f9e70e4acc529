package identifier_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/idchain/idchain/identifier"
)

// digitalLinkRejects are Digital Links that the GS1 Digital Link URI syntax
// rejects; a resolver answers each with 400 and the reason. The gateway's
// resolver tests run the same table over HTTP.
var digitalLinkRejects = []struct{ name, in, reason string }{
	{"a GTIN-13 in the path", "/01/4006381333931", "GTIN has 13 digits: a Digital Link carries the GTIN as 14 digits, leading zeros included"},
	{"a zero-suppressed GTIN-14", "/01/9506000134352", "GTIN has 13 digits: a Digital Link carries the GTIN as 14 digits, leading zeros included"},
	{"a GTIN-12 in the path", "/01/614141123452", "GTIN in a Digital Link must have 14 digits, got 12: pad a GTIN-8, -12 or -13 with leading zeros"},
	{"a GTIN-8 in the path", "/01/96385074", "GTIN in a Digital Link must have 14 digits, got 8: pad a GTIN-8, -12 or -13 with leading zeros"},
	{"a wrong check digit", "/01/09506000134353", "check digit is 3, expected 2"},
	{"an empty lot", "/01/09506000134352/10//21/S1", "path has an empty segment (an AI without a value?)"},
	{"a lot without value at the end", "/01/09506000134352/10/", "path does not pair each AI with a value after /01/ (/10 has none)"},
	{"an extra segment (GS1 test suite: /foo)", "/01/09506000134352/21/S1/foo", "path does not pair each AI with a value after /01/ (/foo has none)"},
	{"qualifiers out of order", "/01/09506000134352/21/S1/10/L1", "qualifier /10/ out of order: use /22/, /10/, /21/"},
	{"a repeated qualifier", "/01/09506000134352/21/S1/21/S2", "qualifier /21/ appears twice"},
	{"AI 99 in the path", "/01/09506000134352/99/X", "AI 99 (INTERNAL) is a data attribute: it goes in the query string (?99=…), not the path"},
	{"an unknown AI in the path", "/01/09506000134352/55/X", "/55/ is not a key qualifier of a GTIN (use /22/, /10/, /21/)"},
	{"an empty query AI", "/01/09506000134352?99=", "query AI 99 has no value"},
	{"a query AI twice", "/01/09506000134352/10/L1?99=a&99=b", "query has AI 99 twice"},
	{"a lot in the query", "/01/09506000134352?10=L1", "AI 10 (BATCH/LOT) is a key qualifier: it goes in the path (/01/{gtin}/10/…), not the query"},
	{"a lot twice in the query", "/01/09506000134352?10=A&10=B", "AI 10 (BATCH/LOT) is a key qualifier: it goes in the path (/01/{gtin}/10/…), not the query"},
	{"a serial in the query next to a path serial", "/01/09506000134352/21/S1?21=OTHER", "AI 21 (SERIAL) in the query repeats the path's /21/"},
	{"a GTIN in the query", "/01/09506000134352?01=09506000134352", "AI 01 (GTIN) is a primary key: it goes in the path, not the query"},
	{"an expiry with month 13", "/01/09506000134352?17=271332", "query AI (17) has month 13"},
	{"an expiry with day 32", "/01/09506000134352?17=270132", "query AI (17) has day 32 for month 01"},
	{"an expiry with letters", "/01/09506000134352?17=27AB01", "query AI (17) must be digits"},
	{"a lot of 21 characters", "/01/09506000134352/10/ABCDEFGHIJKLMNOPQRSTU", "AI (10) must have 1 to 20 characters"},
	{"a serial outside character set 82", "/01/09506000134352/21/A%23B", "AI (21) contains '#', outside GS1 character set 82"},
	{"an SSCC with a wrong check digit", "/00/376104250021234560", "check digit is 0, expected 9"},
	{"an SSCC with a serial", "/00/376104250021234569/21/S1", "an SSCC (/00/) takes no key qualifier, got /21/"},
	{"a measure of 5 digits", "/01/09506000134352?3103=00500", "query AI (3103) must have 6 characters"},
	{"an unknown numeric parameter", "/01/09506000134352?123456=1", "unknown or unsupported AI 123456 in query"},
	{"an expiry time at hour 24", "/01/09506000134352?7003=2701012400", "query AI (7003) has hour 24"},
}

func TestDigitalLinkGS1Rejects(t *testing.T) {
	for _, tt := range digitalLinkRejects {
		t.Run(tt.name, func(t *testing.T) {
			_, err := identifier.ParseDigitalLinkURI("https://id.example.org" + tt.in)
			var e *identifier.Error
			if !errors.As(err, &e) {
				t.Fatalf("ParseDigitalLinkURI(%q) error = %v, want a reason", tt.in, err)
			}
			if e.Reason != tt.reason {
				t.Fatalf("reason = %q, want %q", e.Reason, tt.reason)
			}
			if !errors.Is(err, identifier.ErrInvalidDigitalLink) && !errors.Is(err, identifier.ErrInvalidGTIN) {
				t.Fatalf("code = %s", e.Code)
			}
		})
	}
}

func TestDigitalLinkGS1Accepts(t *testing.T) {
	tests := []struct {
		name, in string
		want     identifier.GS1Data
		attrs    []identifier.AIValue
		linkType string
	}{
		{"a GTIN", "/01/09506000134352", identifier.GS1Data{GTIN: "09506000134352"}, nil, ""},
		{"lot and serial", "/01/09506000134352/10/L1/21/S1", identifier.GS1Data{GTIN: "09506000134352", Lot: "L1", Serial: "S1"}, nil, ""},
		{"an end-of-month expiry", "/01/09506000134352/10/L1?17=270200", identifier.GS1Data{GTIN: "09506000134352", Lot: "L1", Expiry: "270200"}, nil, ""},
		{"attributes and a link type", "/01/09506000134352/21/S1?3103=000500&linkType=gs1:pip&15=270101&99=a%2Fb",
			identifier.GS1Data{GTIN: "09506000134352", Serial: "S1"},
			[]identifier.AIValue{{AI: "3103", Value: "000500"}, {AI: "15", Value: "270101"}, {AI: "99", Value: "a/b"}}, "gs1:pip"},
		{"a CPV", "/01/09506000134352/22/V1/10/L1", identifier.GS1Data{GTIN: "09506000134352", CPV: "V1", Lot: "L1"}, nil, ""},
		{"an SSCC", "/00/376104250021234569", identifier.GS1Data{SSCC: "376104250021234569"}, nil, ""},
		{"a path prefix", "/products/dl/01/09506000134352/21/S1?linkType=all", identifier.GS1Data{GTIN: "09506000134352", Serial: "S1"}, nil, "all"},
		{"a trailing slash", "/01/09506000134352/21/S1/", identifier.GS1Data{GTIN: "09506000134352", Serial: "S1"}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := identifier.ParseDigitalLinkURI("https://id.example.org" + tt.in)
			if err != nil {
				t.Fatalf("ParseDigitalLinkURI(%q): %v", tt.in, err)
			}
			if got.GS1Data != tt.want || got.LinkType != tt.linkType || len(got.Attributes) != len(tt.attrs) {
				t.Fatalf("got %+v, want %+v %v %q", got, tt.want, tt.attrs, tt.linkType)
			}
			for i, a := range tt.attrs {
				if got.Attributes[i] != a {
					t.Errorf("attribute %d = %+v, want %+v", i, got.Attributes[i], a)
				}
			}
		})
	}
}

// FuzzParseDigitalLinkURI checks that the parser never panics, reports
// every rejection with a reason inside the input, and that what it accepts
// follows the rules: 14-digit GTIN, no AI twice, attributes non-empty and
// never a key or qualifier.
func FuzzParseDigitalLinkURI(f *testing.F) {
	for _, tt := range digitalLinkRejects {
		f.Add(tt.in)
	}
	f.Add("/01/09506000134352/21/S1?3103=000500&linkType=gs1:pip&15=270101&99=a%2Fb")
	f.Fuzz(func(t *testing.T, s string) {
		dl, err := identifier.ParseDigitalLinkURI(s)
		if err != nil {
			var e *identifier.Error
			if !errors.As(err, &e) || e.Reason == "" || e.Pos > len(s) {
				t.Fatalf("bad error for %q: %#v", s, err)
			}
			return
		}
		checkGS1Data(t, s, dl.GS1Data)
		seen := map[string]bool{}
		for _, a := range dl.Attributes {
			switch {
			case a.Value == "", seen[a.AI], a.AI == "01", a.AI == "00", a.AI == "10", a.AI == "21", a.AI == "22", a.AI == "17":
				t.Fatalf("accepted %q with attribute %+v", s, a)
			}
			seen[a.AI] = true
		}
		if strings.Contains(s, "?") {
			return
		}
		if len(dl.Attributes) != 0 {
			t.Fatalf("attributes %v without a query in %q", dl.Attributes, s)
		}
	})
}
