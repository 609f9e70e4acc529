package identifier_test

import (
	"strings"
	"testing"

	"github.com/idchain/idchain/identifier"
)

func TestNewSerial(t *testing.T) {
	seen := make(map[string]bool)
	for range 1000 {
		s := identifier.NewSerial()
		if len(s) != identifier.SerialLen || strings.Trim(s, identifier.SerialAlphabet) != "" {
			t.Fatalf("NewSerial() = %q, outside the alphabet", s)
		}
		if err := identifier.CheckSerial(s); err != nil {
			t.Fatalf("CheckSerial(%q): %v", s, err)
		}
		if seen[s] {
			t.Fatalf("NewSerial() repeated %q", s)
		}
		seen[s] = true
	}
}

func TestNormalizeSerial(t *testing.T) {
	const s = "97GVM2WDTPR104" // a valid serial containing 1 and 0
	if err := identifier.CheckSerial(s); err != nil {
		t.Fatalf("CheckSerial(%q): %v", s, err)
	}
	for _, in := range []string{"97gvm2wdtpr104", "97GVM2WDTPRLO4", "97gvm2wdtpri04", "97GVM2WDTPRio4"} {
		got, err := identifier.NormalizeSerial(in)
		if err != nil || got != s {
			t.Errorf("NormalizeSerial(%q) = %q, %v; want %q", in, got, err, s)
		}
	}
}

func TestCheckSerialRejects(t *testing.T) {
	runRejects(t, identifier.CheckSerial, []rejectCase{
		{"a short serial", "97GVM2WDTPR10", identifier.ErrInvalidSerial, -1, "serial must have 14 characters"},
		{"a letter U", "97GVU2WDTPR104", identifier.ErrInvalidSerial, 4, "serial contains 'U'"},
		{"a hyphen", "97GV-2WDTPR104", identifier.ErrInvalidSerial, 4, "serial contains '-'"},
		{"one mistyped character", "97GVM2WDTPR204", identifier.ErrInvalidSerial, 13, "check character does not match"},
		{"two swapped characters", "79GVM2WDTPR104", identifier.ErrInvalidSerial, 13, "check character does not match"},
	})
}

func FuzzNormalizeSerial(f *testing.F) {
	for _, s := range []string{"97GVM2WDTPRKY0", "97gvm2wdtprkyo", "97GVU2WDTPR104", "", "ÄÄÄÄÄÄÄ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := identifier.NormalizeSerial(s)
		if err != nil {
			return
		}
		if len(n) != identifier.SerialLen || strings.Trim(n, identifier.SerialAlphabet) != "" || !strings.EqualFold(strings.NewReplacer("I", "1", "L", "1", "O", "0", "i", "1", "l", "1", "o", "0").Replace(s), n) {
			t.Fatalf("NormalizeSerial(%q) = %q", s, n)
		}
		if again, err := identifier.NormalizeSerial(n); err != nil || again != n {
			t.Fatalf("NormalizeSerial(%q) = %q, %v", n, again, err)
		}
	})
}
