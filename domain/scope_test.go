package domain

import (
	"errors"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func consentIn() ConsentInput {
	return ConsentInput{
		Grantee:    "PartnerMSP",
		Categories: []Category{CategoryInspectionDetail},
		Subjects:   []string{"88.118.8", "88.119.1/KB-0001"},
		Purpose:    "supplier audit",
		ValidUntil: "2026-06-01T00:00:00Z",
	}
}

func TestConsentNormalize(t *testing.T) {
	tests := []struct {
		name   string
		change func(*ConsentInput)
		code   Code // "" means valid
	}{
		{"a well-formed consent is valid", func(*ConsentInput) {}, ""},
		{"a future validFrom is valid", func(c *ConsentInput) { c.ValidFrom = "2026-04-01T00:00:00+08:00" }, ""},
		{"granting to oneself is refused", func(c *ConsentInput) { c.Grantee = "MakerMSP" }, CodeInvalid},
		{"an empty grantee is refused", func(c *ConsentInput) { c.Grantee = " " }, CodeInvalid},
		{"an unknown category is refused", func(c *ConsentInput) { c.Categories = []Category{"prices"} }, CodeInvalid},
		{"a repeated category is refused", func(c *ConsentInput) { c.Categories = []Category{CategoryFormula, CategoryFormula} }, CodeInvalid},
		{"no categories is refused", func(c *ConsentInput) { c.Categories = nil }, CodeInvalid},
		{"no subjects is refused", func(c *ConsentInput) { c.Subjects = nil }, CodeInvalid},
		{"a malformed id subject is refused", func(c *ConsentInput) { c.Subjects = []string{"88.118.8/"} }, CodeInvalidIdentifier},
		{"a malformed prefix subject is refused", func(c *ConsentInput) { c.Subjects = []string{"88..8"} }, CodeInvalidIdentifier},
		{"a subject repeated after normalising is refused", func(c *ConsentInput) { c.Subjects = []string{"88.118.8", "88.118.8"} }, CodeInvalid},
		{"an empty purpose is refused", func(c *ConsentInput) { c.Purpose = "" }, CodeInvalid},
		{"a missing validUntil is refused", func(c *ConsentInput) { c.ValidUntil = "" }, CodeInvalid},
		{"a malformed time is refused", func(c *ConsentInput) { c.ValidUntil = "tomorrow" }, CodeInvalid},
		{"validFrom after validUntil is refused", func(c *ConsentInput) { c.ValidFrom = "2026-07-01T00:00:00Z" }, CodeInvalid},
		{"an already expired window is refused", func(c *ConsentInput) { c.ValidUntil = "2026-03-01T12:00:00Z" }, CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := consentIn()
			tt.change(&in)
			out, err := in.Normalize("MakerMSP", t0)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("Normalize: %v", err)
				}
				if out.ValidFrom == "" {
					t.Fatal("validFrom not defaulted")
				}
				return
			}
			if CodeOf(err) != tt.code {
				t.Fatalf("Normalize = %v, want %s", err, tt.code)
			}
		})
	}
}

func TestConsentNormalizeCanonicalForm(t *testing.T) {
	in := consentIn()
	in.Subjects = []string{"88.ABC.1", "88.ABC.2/Kb-01"}
	in.ValidUntil = "2026-06-01T08:00:00+08:00"
	out, err := in.Normalize("MakerMSP", t0)
	if err != nil {
		t.Fatal(err)
	}
	if out.Subjects[0] != "88.abc.1" || out.Subjects[1] != "88.abc.2/Kb-01" {
		t.Errorf("subjects = %q", out.Subjects)
	}
	if out.ValidFrom != "2026-03-01T12:00:00Z" || out.ValidUntil != "2026-06-01T00:00:00Z" {
		t.Errorf("times = %s, %s", out.ValidFrom, out.ValidUntil)
	}
}

func consent() Consent {
	in, err := consentIn().Normalize("MakerMSP", t0)
	if err != nil {
		panic(err)
	}
	in.ValidFrom = "2026-03-10T00:00:00Z"
	return Consent{ConsentInput: in, ID: "c1", Grantor: "MakerMSP"}
}

func TestConsentActiveAt(t *testing.T) {
	tests := []struct {
		name    string
		at      string
		revoked bool
		want    bool
	}{
		{"before validFrom it is not yet valid", "2026-03-09T23:59:59Z", false, false},
		{"at validFrom it is active", "2026-03-10T00:00:00Z", false, true},
		{"inside the window it is active", "2026-04-01T00:00:00Z", false, true},
		{"at validUntil it has expired", "2026-06-01T00:00:00Z", false, false},
		{"after validUntil it has expired", "2027-01-01T00:00:00Z", false, false},
		{"a revoked consent is inactive inside its window", "2026-04-01T00:00:00Z", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := consent()
			if tt.revoked {
				c.RevokedAt = "2026-03-20T00:00:00Z"
			}
			at, _ := time.Parse(time.RFC3339, tt.at)
			if got := c.ActiveAt(at); got != tt.want {
				t.Fatalf("ActiveAt(%s) = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
}

func TestConsentCovers(t *testing.T) {
	tests := []struct {
		name    string
		cat     Category
		subject string
		want    bool
	}{
		{"a prefix covers its ids", CategoryInspectionDetail, "88.118.8/KB-0002", true},
		{"a prefix covers ids under its sub-prefixes", CategoryInspectionDetail, "88.118.8.1/X", true},
		{"a prefix covers itself", CategoryInspectionDetail, "88.118.8", true},
		{"a prefix does not cover a longer sibling prefix", CategoryInspectionDetail, "88.118.80/KB-0001", false},
		{"an id covers itself", CategoryInspectionDetail, "88.119.1/KB-0001", true},
		{"an id does not cover its sibling", CategoryInspectionDetail, "88.119.1/KB-0002", false},
		{"an id does not cover its prefix", CategoryInspectionDetail, "88.119.1", false},
		{"an id does not cover a longer id", CategoryInspectionDetail, "88.119.1/KB-00011", false},
		{"another category is not covered", CategoryFormula, "88.118.8/KB-0002", false},
		{"an unrelated prefix is not covered", CategoryInspectionDetail, "88.200.1/KB-0001", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := consent().Covers(tt.cat, tt.subject); got != tt.want {
				t.Fatalf("Covers(%s, %s) = %v, want %v", tt.cat, tt.subject, got, tt.want)
			}
		})
	}
}

func TestConsentAllows(t *testing.T) {
	at := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	c := consent()
	if err := c.Allows("PartnerMSP", CategoryInspectionDetail, "88.118.8/KB-0001", at); err != nil {
		t.Fatalf("grantee in scope: %v", err)
	}
	refusals := []struct {
		name     string
		accessor string
		subject  string
		at       time.Time
	}{
		{"a third org is refused", "OtherMSP", "88.118.8/KB-0001", at},
		{"a subject out of scope is refused", "PartnerMSP", "88.119.1/KB-0009", at},
		{"a read after expiry is refused", "PartnerMSP", "88.118.8/KB-0001", at.AddDate(1, 0, 0)},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			if err := c.Allows(tt.accessor, CategoryInspectionDetail, tt.subject, tt.at); !errors.Is(err, ErrForbidden) {
				t.Fatalf("Allows = %v, want FORBIDDEN", err)
			}
		})
	}
}

func TestAccessCheckFresh(t *testing.T) {
	a := AccessRecord{ID: "tx1", At: "2026-04-01T00:00:00Z"}
	at := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		now  time.Time
		ok   bool
	}{
		{"right after recording it is fresh", at.Add(time.Second), true},
		{"at the age limit it is fresh", at.Add(MaxAccessAge), true},
		{"past the age limit it is stale", at.Add(MaxAccessAge + time.Second), false},
		{"a little clock skew is tolerated", at.Add(-10 * time.Second), true},
		{"a record far in the future is refused", at.Add(-time.Hour), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := a.CheckFresh(tt.now)
			if tt.ok != (err == nil) || (err != nil && !errors.Is(err, ErrForbidden)) {
				t.Fatalf("CheckFresh = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func FuzzNormalizeSubject(f *testing.F) {
	for _, s := range []string{"88.118.8", "88.118.8/KB-0001", "88.ABC/x", "", "/", "88..1", "a/b/c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, isPrefix, err := NormalizeSubject(s)
		if err != nil {
			if CodeOf(err) != CodeInvalidIdentifier {
				t.Fatalf("error code %s", CodeOf(err))
			}
			return
		}
		n2, p2, err := NormalizeSubject(n)
		if err != nil || n2 != n || p2 != isPrefix {
			t.Fatalf("not idempotent: %q → %q → %q, %v", s, n, n2, err)
		}
		if isPrefix && !(Consent{ConsentInput: ConsentInput{Categories: Categories, Subjects: []string{n}}}).Covers(CategoryFormula, n+"/x") {
			t.Fatalf("prefix %q does not cover its id", n)
		}
	})
}

func TestCompareTimes(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want int
	}{
		{"more fractional digits can be later", "2026-01-01T10:00:05.95Z", "2026-01-01T10:00:05.9Z", 1},
		{"fewer fractional digits can be earlier", "2026-01-01T10:00:05.9Z", "2026-01-01T10:00:05.95Z", -1},
		{"a fraction is later than the whole second", "2026-01-01T10:00:05.5Z", "2026-01-01T10:00:05Z", 1},
		{"trailing zeros do not matter", "2026-01-01T10:00:05.10Z", "2026-01-01T10:00:05.1Z", 0},
		{"offsets are applied", "2026-01-01T18:00:05+08:00", "2026-01-01T10:00:05Z", 0},
		{"a tenth is later than nine hundredths", "2026-01-01T10:00:05.1Z", "2026-01-01T10:00:05.09Z", 1},
		{"an unparsable time sorts first", "yesterday", "2026-01-01T10:00:05Z", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CompareTimes(tt.a, tt.b); got != tt.want {
				t.Fatalf("CompareTimes(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
		})
	}
}
