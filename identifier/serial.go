package identifier

import (
	"crypto/rand"
	"strings"
)

// Anti-counterfeiting serials.
//
// A serial is 14 characters: 13 random data characters followed by one check
// character, e.g. "7K3MQ2XH9B4TZ6". Data characters come from the 32-symbol
// human-safe alphabet SerialAlphabet (digits and upper-case letters without
// I, L, O and U), 5 bits each, so a serial carries 65 random bits before the
// check; NewSerial redraws the ~11% of draws whose check character would be
// I, L, O or U, which leaves more than 64.8 bits.
//
// The check character is ISO/IEC 7064 MOD 37,36 (hybrid system, M = 36)
// over the standard alphanumeric values 0–9 → 0–9, A–Z → 10–35:
//
//	p := 36
//	for each character value v: s := (p + v) mod 36; if s == 0 { s = 36 }; p := 2·s mod 37
//	check value := (37 − p) mod 36
//
// It detects every single-character substitution and more than 99% of
// adjacent transpositions (serial_internal_test.go measures both), so a mistyped serial is rejected without a ledger read.
// Because issued serials never contain I, L or O, readers may map them to 1,
// 1 and 0; CheckSerial and NormalizeSerial do, and also accept lower case.

// SerialAlphabet holds the characters an issued serial is made of.
const SerialAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// SerialLen is the length of a serial including its check character.
const SerialLen = 14

const iso7064Alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

var serialChar = func() (t [256]bool) {
	for i := 0; i < len(SerialAlphabet); i++ {
		t[SerialAlphabet[i]] = true
	}
	return t
}()

// NewSerial returns a fresh random serial. It reads crypto/rand, which never
// fails on supported platforms (Go 1.24+).
func NewSerial() string {
	var raw [SerialLen - 1]byte
	var b [SerialLen]byte
	for {
		rand.Read(raw[:])
		for i, r := range raw {
			b[i] = SerialAlphabet[r&31] // 256 is a multiple of 32: uniform
		}
		c := iso7064Alnum[mod37_36(string(b[:SerialLen-1]))]
		if serialChar[c] {
			b[SerialLen-1] = c
			return string(b[:])
		}
	}
}

// CheckSerial reports whether s is a well-formed serial with a correct check
// character (after NormalizeSerial's mapping). Errors have code INVALID_SERIAL.
func CheckSerial(s string) error {
	_, err := NormalizeSerial(s)
	return err
}

// NormalizeSerial checks s and returns its canonical upper-case form,
// reading I and L as 1 and O as 0.
func NormalizeSerial(s string) (string, error) {
	if len(s) != SerialLen {
		return "", newError(CodeInvalidSerial, -1, "serial must have 14 characters")
	}
	var b [SerialLen]byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		switch c {
		case 'I', 'L':
			c = '1'
		case 'O':
			c = '0'
		}
		if !serialChar[c] {
			return "", newError(CodeInvalidSerial, i, "serial contains "+quoteByte(s[i]))
		}
		b[i] = c
	}
	want := iso7064Alnum[mod37_36(string(b[:SerialLen-1]))]
	if b[SerialLen-1] != want {
		return "", newError(CodeInvalidSerial, SerialLen-1, "check character does not match")
	}
	if string(b[:]) == s {
		return s, nil
	}
	return string(b[:]), nil
}

// mod37_36 returns the ISO/IEC 7064 MOD 37,36 check value (0–35) of data,
// which must consist of 0–9 and A–Z. It is hybridCheck(data, iso7064Alnum)
// without the alphabet search.
func mod37_36(data string) int {
	p := 36
	for i := 0; i < len(data); i++ {
		v := int(data[i] - '0')
		if data[i] >= 'A' {
			v = int(data[i]-'A') + 10
		}
		s := (p + v) % 36
		if s == 0 {
			s = 36
		}
		p = 2 * s % 37
	}
	return (37 - p) % 36
}

// hybridCheck computes the ISO/IEC 7064 hybrid-system check value for data
// over alphabet (M = len(alphabet)): MOD 11,10, MOD 27,26 or MOD 37,36.
func hybridCheck(data, alphabet string) int {
	m := len(alphabet)
	p := m
	for i := 0; i < len(data); i++ {
		s := (p + strings.IndexByte(alphabet, data[i])) % m
		if s == 0 {
			s = m
		}
		p = 2 * s % (m + 1)
	}
	return (m + 1 - p) % m
}
