package domain

import (
	"slices"
	"strings"
	"testing"
)

func FuzzParseError(f *testing.F) {
	for _, s := range []string{
		"FORBIDDEN: role qa may not do this",
		"rpc error: code = Aborted desc = failed to endorse transaction, see attached details for more info; chaincode response 500, INVALID_IDENTIFIER: bad prefix\nmore",
		"INVALID: x INVALID_IDENTIFIER: y", "NOT_FOUND:", "nothing coded", "", "CONFLICT: \n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		e, ok := ParseError(text)
		if !ok {
			if e != nil {
				t.Fatalf("%q: not found but returned %+v", text, e)
			}
			return
		}
		if !slices.Contains(knownCodes, e.Code) || !strings.Contains(text, string(e.Code)+": ") {
			t.Fatalf("%q: code %q", text, e.Code)
		}
		if strings.ContainsRune(e.Message, '\n') || e.Message != strings.TrimSpace(e.Message) {
			t.Fatalf("%q: message %q", text, e.Message)
		}
		// What ParseError returns, written the chaincode's way, reads back.
		again, ok := ParseError(e.Error())
		if !ok || again.Code != e.Code || again.Message != e.Message {
			t.Fatalf("%q: %+v → %q → %+v", text, e, e.Error(), again)
		}
	})
}
