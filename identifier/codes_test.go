package identifier_test

import (
	"errors"
	"testing"

	"github.com/idchain/idchain/identifier"
)

func TestParseCosmeticsCode(t *testing.T) {
	tests := []struct {
		name, in string
		want     identifier.CosmeticsCode
		canon    string
	}{
		{"a domestic special registration", "国妆特字G20190001", identifier.CosmeticsCode{Kind: identifier.CosmeticsSpecialDomestic, Year: 2019, Seq: "0001"}, "国妆特字G20190001"},
		{"an imported special registration", "国妆特进字J20210123", identifier.CosmeticsCode{Kind: identifier.CosmeticsSpecialImport, Year: 2021, Seq: "0123"}, "国妆特进字J20210123"},
		{"a domestic filing", "粤G妆网备字2020123456", identifier.CosmeticsCode{Kind: identifier.CosmeticsFilingDomestic, Province: "粤", Year: 2020, Seq: "123456"}, "粤G妆网备字2020123456"},
		{"an imported filing", "国妆网备进字(京)2021001234", identifier.CosmeticsCode{Kind: identifier.CosmeticsFilingImport, Province: "京", Year: 2021, Seq: "001234"}, "国妆网备进字(京)2021001234"},
		{"an imported filing with full-width parentheses", "国妆网备进字（沪）2022000001", identifier.CosmeticsCode{Kind: identifier.CosmeticsFilingImport, Province: "沪", Year: 2022, Seq: "000001"}, "国妆网备进字(沪)2022000001"},
		{"a production licence", "粤妆20160001", identifier.CosmeticsCode{Kind: identifier.CosmeticsProductionLicence, Province: "粤", Year: 2016, Seq: "0001"}, "粤妆20160001"},
		{"a licence with an alternative abbreviation", "黔妆20170002", identifier.CosmeticsCode{Kind: identifier.CosmeticsProductionLicence, Province: "黔", Year: 2017, Seq: "0002"}, "黔妆20170002"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := identifier.ParseCosmeticsCode(tt.in)
			if err != nil || got != tt.want {
				t.Fatalf("ParseCosmeticsCode(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
			if got.String() != tt.canon {
				t.Fatalf("String() = %q, want %q", got.String(), tt.canon)
			}
		})
	}
}

func TestParseCosmeticsCodeRejects(t *testing.T) {
	const notCode = "not a cosmetics registration, filing or licence number"
	runRejects(t, func(s string) error { _, err := identifier.ParseCosmeticsCode(s); return err }, []rejectCase{
		{"an empty string", "", identifier.ErrInvalidCode, 0, notCode},
		{"a GTIN", "4006381333931", identifier.ErrInvalidCode, 0, notCode},
		{"a missing G", "国妆特字20190001", identifier.ErrInvalidCode, 0, notCode},
		{"too few digits", "国妆特字G2019001", identifier.ErrInvalidCode, 13, "expected a 4-digit year and 4 digits"},
		{"a letter in the digits", "粤妆2016000A", identifier.ErrInvalidCode, 6, "expected a 4-digit year and 4 digits"},
		{"a filing with four digits", "粤G妆网备字20201234", identifier.ErrInvalidCode, 16, "expected a 4-digit year and 6 digits"},
		{"a year before 2000", "粤妆19990001", identifier.ErrInvalidCode, 6, "year 1999 is outside 2000–2099"},
		{"an unknown province", "港妆20160001", identifier.ErrInvalidCode, 0, `unknown province abbreviation "港"`},
		{"an import filing without parentheses", "国妆网备进字京2021001234", identifier.ErrInvalidCode, 18, "expected (<省>) after 国妆网备进字"},
		{"an import filing with mixed parentheses", "国妆网备进字(京）2021001234", identifier.ErrInvalidCode, 22, "expected ) after the province"},
		{"an import filing with an unknown province", "国妆网备进字(X)2021001234", identifier.ErrInvalidCode, 19, `unknown province abbreviation "X"`},
	})
	if _, err := identifier.ParseProductionLicence("粤G妆网备字2020123456"); err == nil {
		t.Error("ParseProductionLicence accepted a filing number")
	}
	if c, err := identifier.ParseProductionLicence("浙妆20160123"); err != nil || c.Province != "浙" {
		t.Errorf("ParseProductionLicence = %+v, %v", c, err)
	}
}

func TestProvinces(t *testing.T) {
	ps := identifier.Provinces()
	if len(ps) != 31 {
		t.Fatalf("%d provinces, want 31", len(ps))
	}
	seen := map[string]bool{}
	for _, p := range ps {
		for _, a := range []string{p.Abbr, p.Alt} {
			if a == "" {
				continue
			}
			if seen[a] {
				t.Fatalf("abbreviation %s used twice", a)
			}
			seen[a] = true
			if got, ok := identifier.ProvinceByAbbr(a); !ok || got != p {
				t.Fatalf("ProvinceByAbbr(%s) = %+v, %v", a, got, ok)
			}
		}
	}
	if _, ok := identifier.ProvinceByAbbr(""); ok {
		t.Fatal("ProvinceByAbbr accepted an empty string")
	}
}

func TestPCBSteps(t *testing.T) {
	steps := identifier.PCBSteps()
	if len(steps) != 13 || steps[0].Code != identifier.StepCutting || steps[12].Code != identifier.StepFinalInspection {
		t.Fatalf("PCBSteps = %+v", steps)
	}
	for _, s := range steps {
		got, err := identifier.ParsePCBStep(s.Code)
		if err != nil || got != s || s.Name == "" || s.English == "" {
			t.Fatalf("ParsePCBStep(%q) = %+v, %v", s.Code, got, err)
		}
	}
	for _, bad := range []string{"", "AOI", "solder mask", "阻焊"} {
		_, err := identifier.ParsePCBStep(bad)
		wantError(t, err, identifier.ErrInvalidCode, -1, "unknown PCB process step "+quote(bad))
	}
}

func FuzzParseCosmeticsCode(f *testing.F) {
	for _, s := range []string{"国妆特字G20190001", "国妆特进字J20210123", "粤G妆网备字2020123456", "国妆网备进字（京）2021001234", "粤妆20160001", "国妆网备进字(", "\xff妆"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := identifier.ParseCosmeticsCode(s)
		if err != nil {
			return
		}
		if c.Year < 2000 || c.Year > 2099 || !isDigitString(c.Seq) {
			t.Fatalf("accepted %q as %+v", s, c)
		}
		if again, err := identifier.ParseCosmeticsCode(c.String()); err != nil || again != c {
			t.Fatalf("%q → %q → %+v, %v", s, c.String(), again, err)
		}
	})
}

func FuzzParseProductionLicence(f *testing.F) {
	for _, s := range []string{"粤妆20160001", "京妆20200123", "国妆特字G20190001", "粤妆2016000", "粤妆", "妆20160001", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := identifier.ParseProductionLicence(s)
		if err != nil {
			var ie *identifier.Error
			if !errors.As(err, &ie) {
				t.Fatalf("%q: error %T %v is not an *identifier.Error", s, err, err)
			}
			return
		}
		if c.Kind != identifier.CosmeticsProductionLicence {
			t.Fatalf("accepted %q as %+v, not a production licence", s, c)
		}
		if again, err := identifier.ParseProductionLicence(c.String()); err != nil || again != c {
			t.Fatalf("%q → %q → %+v, %v", s, c.String(), again, err)
		}
	})
}

func FuzzParsePCBStep(f *testing.F) {
	for _, s := range identifier.PCBSteps() {
		f.Add(s.Code)
	}
	f.Add("AOI")
	f.Add("")
	f.Fuzz(func(t *testing.T, code string) {
		step, err := identifier.ParsePCBStep(code)
		if err != nil {
			var ie *identifier.Error
			if !errors.As(err, &ie) {
				t.Fatalf("%q: error %T %v is not an *identifier.Error", code, err, err)
			}
			return
		}
		if step.Code != code {
			t.Fatalf("%q parsed as step %q", code, step.Code)
		}
	})
}
