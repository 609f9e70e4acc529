package identifier

import "strings"

// CheckDigit computes the GS1 mod-10 check digit for body (all digits,
// without the check digit): weights 3,1,3,… from the right, check digit =
// (10 − sum mod 10) mod 10. It serves GTIN, GLN and SSCC alike and returns
// the digit as an ASCII byte '0'…'9'.
func CheckDigit(body string) (byte, error) {
	if body == "" {
		return 0, newError(CodeInvalidGTIN, 0, "no digits")
	}
	sum := 0
	w := 3
	for i := len(body) - 1; i >= 0; i-- {
		c := body[i]
		if c < '0' || c > '9' {
			return 0, newError(CodeInvalidGTIN, i, "contains non-digit "+quoteByte(c))
		}
		sum += int(c-'0') * w
		w = 4 - w // 3,1,3,1…
	}
	return byte('0' + (10-sum%10)%10), nil
}

// ValidateGTIN checks a GTIN-8, -12, -13 or -14: digits only, one of those
// lengths, correct check digit. Errors have code INVALID_GTIN.
func ValidateGTIN(s string) error {
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		return newError(CodeInvalidGTIN, -1, "GTIN must have 8, 12, 13 or 14 digits")
	}
	return verifyCheckDigit(s, CodeInvalidGTIN)
}

// NormalizeGTIN validates s and returns it as a GTIN-14 (left-padded with
// zeros). It does not allocate when s already has 14 digits.
func NormalizeGTIN(s string) (string, error) {
	if err := ValidateGTIN(s); err != nil {
		return "", err
	}
	if len(s) == 14 {
		return s, nil
	}
	return strings.Repeat("0", 14-len(s)) + s, nil
}

// GTINFormat names the GTIN family a valid GTIN belongs to by its length
// ("GTIN-13"); a GTIN-14 whose leading digits are zero is still "GTIN-14".
func GTINFormat(s string) string {
	switch len(s) {
	case 8:
		return "GTIN-8"
	case 12:
		return "GTIN-12"
	case 13:
		return "GTIN-13"
	case 14:
		return "GTIN-14"
	}
	return ""
}

// ValidateSSCC checks an 18-digit Serial Shipping Container Code.
func ValidateSSCC(s string) error {
	if len(s) != 18 {
		return newError(CodeInvalidElement, -1, "SSCC must have 18 digits")
	}
	return verifyCheckDigit(s, CodeInvalidElement)
}

func verifyCheckDigit(s string, code string) error {
	want, err := CheckDigit(s[:len(s)-1])
	if err != nil {
		e := err.(*Error)
		e.Code = code
		return e
	}
	last := s[len(s)-1]
	if last < '0' || last > '9' {
		return newError(code, len(s)-1, "contains non-digit "+quoteByte(last))
	}
	if last != want {
		return newError(code, len(s)-1, "check digit is "+string(last)+", expected "+string(want))
	}
	return nil
}
