package identifier_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/idchain/idchain/identifier"
)

// The worked example of GB 32100-2015 (annex: computing the check
// character): 91350100M000100Y4 gives 3; its organisation code M000100Y4
// is itself a valid GB 11714 code.
const usccExample = "91350100M000100Y43"

func TestUSCCStandardExample(t *testing.T) {
	c, err := identifier.USCCCheck(usccExample[:17])
	if err != nil || c != '3' {
		t.Fatalf("USCCCheck = %q, %v; want '3'", c, err)
	}
	oc, err := identifier.OrgCodeCheck("M000100Y")
	if err != nil || oc != '4' {
		t.Fatalf("OrgCodeCheck = %q, %v; want '4'", oc, err)
	}
	u, err := identifier.ParseUSCC(usccExample)
	if err != nil {
		t.Fatal(err)
	}
	want := identifier.USCC{Code: usccExample, Authority: "9", Type: "1", AuthorityName: "工商", TypeName: "企业",
		Division: "350100", OrgCode: "M000100Y4"}
	if u != want {
		t.Fatalf("ParseUSCC = %+v, want %+v", u, want)
	}
	if !u.IsEnterprise() {
		t.Fatal("9 1 is an enterprise")
	}
}

func TestOrgCodeCheckValues(t *testing.T) {
	// Check characters that come out as X (remainder 10) and 0 (remainder 11)
	// besides plain digits; bodies taken from published organisation codes.
	tests := []struct{ body, want string }{
		{"71526726", "X"},
		{"19220382", "1"},
		{"71610585", "2"},
		{"00000000", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			c, err := identifier.OrgCodeCheck(tt.body)
			if err != nil || string(c) != tt.want {
				t.Fatalf("OrgCodeCheck(%s) = %q, %v; want %s", tt.body, c, err, tt.want)
			}
		})
	}
}

func TestParseUSCCAccepts(t *testing.T) {
	for _, in := range []string{
		usccExample,
		strings.ToLower(usccExample), // normalised to upper case
		"914403001922038216",         // published codes of listed companies
		"9144030071526726XG",
		"91330100716105852F",
	} {
		t.Run(in, func(t *testing.T) {
			got, err := identifier.NormalizeUSCC(in)
			if err != nil {
				t.Fatal(err)
			}
			if got != strings.ToUpper(in) {
				t.Fatalf("NormalizeUSCC = %q", got)
			}
		})
	}
}

func TestParseUSCCRejects(t *testing.T) {
	check := func(s string) error { _, err := identifier.ParseUSCC(s); return err }
	runRejects(t, check, []rejectCase{
		{"seventeen characters", usccExample[:17], identifier.ErrInvalidCode, -1, "a unified social credit code has 18 characters, got 17 bytes"},
		{"nineteen characters", usccExample + "0", identifier.ErrInvalidCode, -1, "a unified social credit code has 18 characters, got 19 bytes"},
		{"the letter I is not in the alphabet", "91350100MI00100Y43", identifier.ErrInvalidCode, 9, "character 'I' is not in the USCC alphabet (0-9, A-Y without I, O, S, V)"},
		{"the letter O is not in the alphabet", "9135010OM000100Y43", identifier.ErrInvalidCode, 7, "character 'O' is not in the USCC alphabet (0-9, A-Y without I, O, S, V)"},
		{"the letter Z is not in the alphabet", "91350100M000100Z43", identifier.ErrInvalidCode, 15, "character 'Z' is not in the USCC alphabet (0-9, A-Y without I, O, S, V)"},
		{"a space is not in the alphabet", " 1350100M000100Y43", identifier.ErrInvalidCode, 0, "character ' ' is not in the USCC alphabet (0-9, A-Y without I, O, S, V)"},
		{"unknown registration authority", "B1350100M000100Y43", identifier.ErrInvalidCode, 0, "unknown registration authority code 'B'"},
		{"unknown type of a known authority", "94350100M000100Y43", identifier.ErrInvalidCode, 1, "unknown institution type '4' for registration authority '9'"},
		{"letters in the division code", "9135A100M000100Y43", identifier.ErrInvalidCode, 4, "the administrative division code (positions 3-8) is six digits"},
		{"wrong organisation code check", "91350100M000100Y53", identifier.ErrInvalidCode, 16, "organisation code check character is '5', want '4'"},
		{"wrong check character", "91350100M000100Y44", identifier.ErrInvalidCode, 17, "check character is '4', want '3'"},
		{"two swapped characters", "91350100M001000Y43", identifier.ErrInvalidCode, 16, "organisation code check character is '4', want 'X'"},
	})
}

func TestUSCCCatchesEverySingleSubstitution(t *testing.T) {
	// The mod-31 check over prime weights catches every single wrong
	// character (the organisation code check may catch it first).
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	for i := 0; i < 18; i++ {
		for j := 0; j < len(alphabet); j++ {
			if alphabet[j] == usccExample[i] {
				continue
			}
			s := usccExample[:i] + string(alphabet[j]) + usccExample[i+1:]
			if _, err := identifier.ParseUSCC(s); err == nil {
				t.Fatalf("%s (position %d changed) accepted", s, i+1)
			}
		}
	}
}

func TestUSCCTypes(t *testing.T) {
	ts := identifier.USCCTypes()
	if len(ts) == 0 {
		t.Fatal("no types")
	}
	for _, ty := range ts {
		// A code built for every listed pair must parse.
		body := string([]byte{ty.Authority, ty.Type}) + "110000" + "MA000001"
		oc, err := identifier.OrgCodeCheck("MA000001")
		if err != nil {
			t.Fatal(err)
		}
		c, err := identifier.USCCCheck(body + string(oc))
		if err != nil {
			t.Fatal(err)
		}
		code := body + string(oc) + string(c)
		u, err := identifier.ParseUSCC(code)
		if err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		if u.AuthorityName != ty.AuthorityName || u.TypeName != ty.TypeName {
			t.Fatalf("%s: %+v", code, u)
		}
	}
}

func FuzzParseUSCC(f *testing.F) {
	for _, s := range []string{usccExample, "914403001922038216", "9144030071526726XG", "", "91350100M000100Y4", "9135010０M000100Y43"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := identifier.ParseUSCC(s)
		if err != nil {
			var e *identifier.Error
			if !errors.As(err, &e) || e.Code != identifier.CodeInvalidCode || e.Pos >= len(s) {
				t.Fatalf("ParseUSCC(%q) error %v", s, err)
			}
			return
		}
		// Accepted: 18 upper-case alphabet characters, both checks hold and
		// parsing is idempotent.
		if u.Code != strings.ToUpper(s) || len(u.Code) != 18 {
			t.Fatalf("ParseUSCC(%q).Code = %q", s, u.Code)
		}
		c, err := identifier.USCCCheck(u.Code[:17])
		if err != nil || c != u.Code[17] {
			t.Fatalf("check of accepted %q: %q %v", s, c, err)
		}
		oc, err := identifier.OrgCodeCheck(u.OrgCode[:8])
		if err != nil || oc != u.OrgCode[8] {
			t.Fatalf("org check of accepted %q: %q %v", s, oc, err)
		}
		again, err := identifier.ParseUSCC(u.Code)
		if err != nil || again != u {
			t.Fatalf("reparse of %q: %+v %v", u.Code, again, err)
		}
	})
}

func FuzzUSCCCheck(f *testing.F) {
	f.Add("91350100M000100Y4")
	f.Add("1111111111111111")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := identifier.USCCCheck(s)
		if err != nil {
			return
		}
		if !strings.ContainsRune("0123456789ABCDEFGHJKLMNPQRTUWXY", rune(c)) {
			t.Fatalf("USCCCheck(%q) = %q, outside the alphabet", s, c)
		}
	})
}

func TestEnterpriseUSCCBuildsTheStandardExample(t *testing.T) {
	u, err := identifier.EnterpriseUSCC("350100", "M000100Y")
	if err != nil || u != usccExample {
		t.Fatalf("EnterpriseUSCC = %q, %v; want %s", u, err, usccExample)
	}
	if _, err := identifier.EnterpriseUSCC("3501", "M000100Y"); err == nil {
		t.Fatal("a short region code")
	}
	if _, err := identifier.EnterpriseUSCC("350100", "M000100"); err == nil {
		t.Fatal("a short organisation code body")
	}
}
