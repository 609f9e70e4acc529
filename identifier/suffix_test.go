package identifier_test

import (
	"testing"

	"github.com/idchain/idchain/identifier"
)

func TestParseStructuredSuffix(t *testing.T) {
	in := "电路板.HX-4L-01.20240229.000123"
	got, err := identifier.ParseStructuredSuffix(in)
	want := identifier.StructuredSuffix{Category: "电路板", Model: "HX-4L-01", Date: "20240229", Seq: "000123"}
	if err != nil || got != want {
		t.Fatalf("ParseStructuredSuffix(%q) = %+v, %v", in, got, err)
	}
	if got.String() != in {
		t.Fatalf("String() = %q", got.String())
	}
}

func TestParseStructuredSuffixRejects(t *testing.T) {
	runRejects(t, func(s string) error { _, err := identifier.ParseStructuredSuffix(s); return err }, []rejectCase{
		{"three parts", "PCB.HX.20240315", identifier.ErrInvalidIdentifier, 15, "structured suffix needs four parts 分类.型号.日期.顺序"},
		{"five parts", "PCB.HX.20240315.1.2", identifier.ErrInvalidIdentifier, 17, "structured suffix has more than four parts"},
		{"an empty model", "PCB..20240315.1", identifier.ErrInvalidIdentifier, 4, "structured suffix has an empty part"},
		{"an impossible date", "PCB.HX.20230229.1", identifier.ErrInvalidIdentifier, 7, "structured suffix date must be a valid YYYYMMDD"},
		{"a short date", "PCB.HX.2024031.1", identifier.ErrInvalidIdentifier, 7, "structured suffix date must be a valid YYYYMMDD"},
		{"a letter in the sequence", "PCB.HX.20240315.A1", identifier.ErrInvalidIdentifier, 16, "structured suffix sequence must be digits"},
		{"a character not allowed in suffixes", "PCB.H X.20240315.1", identifier.ErrInvalidIdentifier, 5, "suffix contains ' '"},
	})
}

func FuzzParseStructuredSuffix(f *testing.F) {
	for _, s := range []string{"电路板.HX-4L-01.20240229.000123", "PCB..20240315.1", "a.b.20241301.1", "a.b.c.d.e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := identifier.ParseStructuredSuffix(s)
		if err != nil {
			return
		}
		if p.String() != s || len(p.Date) != 8 || !isDigitString(p.Seq) {
			t.Fatalf("accepted %q as %+v", s, p)
		}
		if _, err := identifier.Parse("88.1/" + s); err != nil && len(s) <= 250 {
			t.Fatalf("accepted %q, which is not a valid suffix: %v", s, err)
		}
	})
}
