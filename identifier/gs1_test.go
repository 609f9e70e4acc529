package identifier_test

import (
	"errors"
	"testing"

	"github.com/idchain/idchain/identifier"
)

func TestCheckDigit(t *testing.T) {
	tests := []struct{ body, want string }{
		{"400638133393", "1"},  // GTIN-13 4006381333931
		{"9638507", "4"},       // GTIN-8 96385074
		{"03600029145", "2"},   // GTIN-12 036000291452
		{"0950600013435", "2"}, // GTIN-14 09506000134352
		{"37610425002123456", "9"},
	}
	for _, tt := range tests {
		got, err := identifier.CheckDigit(tt.body)
		if err != nil || string(got) != tt.want {
			t.Errorf("CheckDigit(%q) = %q, %v; want %s", tt.body, got, err, tt.want)
		}
	}
	if _, err := identifier.CheckDigit("12a"); !errors.Is(err, identifier.ErrInvalidGTIN) {
		t.Errorf("CheckDigit(12a) error = %v", err)
	}
}

func TestNormalizeGTIN(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"a GTIN-13", "4006381333931", "04006381333931"},
		{"a GTIN-8", "96385074", "00000096385074"},
		{"a GTIN-12", "036000291452", "00036000291452"},
		{"a GTIN-14", "09506000134352", "09506000134352"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := identifier.NormalizeGTIN(tt.in)
			if err != nil || got != tt.want {
				t.Fatalf("NormalizeGTIN(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestValidateGTINRejects(t *testing.T) {
	tests := []struct {
		name, in string
		pos      int
		reason   string
	}{
		{"a wrong check digit", "4006381333932", 12, "check digit is 2, expected 1"},
		{"a letter", "40063813339A1", 11, "contains non-digit 'A'"},
		{"a letter as check digit", "400638133393X", 12, "contains non-digit 'X'"},
		{"eleven digits", "12345678901", -1, "GTIN must have 8, 12, 13 or 14 digits"},
		{"nothing", "", -1, "GTIN must have 8, 12, 13 or 14 digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := identifier.ValidateGTIN(tt.in)
			wantError(t, err, identifier.ErrInvalidGTIN, tt.pos, tt.reason)
		})
	}
}

func FuzzNormalizeGTIN(f *testing.F) {
	for _, s := range []string{"4006381333931", "96385074", "036000291452", "09506000134352", "1234", "4006381333932"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, err := identifier.NormalizeGTIN(s)
		if err != nil {
			if !errors.Is(err, identifier.ErrInvalidGTIN) {
				t.Fatalf("bad error for %q: %v", s, err)
			}
			return
		}
		if len(g) != 14 || g[14-len(s):] != s {
			t.Fatalf("NormalizeGTIN(%q) = %q", s, g)
		}
		if again, err := identifier.NormalizeGTIN(g); err != nil || again != g {
			t.Fatalf("NormalizeGTIN(%q) = %q, %v", g, again, err)
		}
		if cd, _ := identifier.CheckDigit(g[:13]); cd != g[13] {
			t.Fatalf("accepted %q with check digit %c", s, cd)
		}
	})
}
