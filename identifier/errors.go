// Package identifier parses, validates and generates the identifiers idchain
// accepts: 标识 (Handle-based industrial-internet identifiers), GS1 keys,
// element strings and Digital Link URIs, Handle value records,
// anti-counterfeiting serials and a few domain codes.
//
// The package imports only the standard library so that the chaincode and
// the gateway API can share every rule. All failures are reported as *Error
// with a stable Code; compare them with errors.Is against the Err* sentinels.
package identifier

import "strconv"

// Stable error codes. They are part of the API contract: the chaincode puts
// them in front of its error strings and the gateway maps them to HTTP
// statuses, so never rename one.
const (
	CodeInvalidIdentifier  = "INVALID_IDENTIFIER"
	CodeInvalidPrefix      = "INVALID_PREFIX"
	CodeInvalidGTIN        = "INVALID_GTIN"
	CodeInvalidElement     = "INVALID_ELEMENT_STRING"
	CodeInvalidDigitalLink = "INVALID_DIGITAL_LINK"
	CodeInvalidSerial      = "INVALID_SERIAL"
	CodeInvalidCode        = "INVALID_CODE"
	CodeInvalidHandleValue = "INVALID_HANDLE_VALUE"
)

// Sentinels for errors.Is. An *Error matches the sentinel with the same Code.
var (
	ErrInvalidIdentifier  = &Error{Code: CodeInvalidIdentifier, Pos: -1}
	ErrInvalidPrefix      = &Error{Code: CodeInvalidPrefix, Pos: -1}
	ErrInvalidGTIN        = &Error{Code: CodeInvalidGTIN, Pos: -1}
	ErrInvalidElement     = &Error{Code: CodeInvalidElement, Pos: -1}
	ErrInvalidDigitalLink = &Error{Code: CodeInvalidDigitalLink, Pos: -1}
	ErrInvalidSerial      = &Error{Code: CodeInvalidSerial, Pos: -1}
	ErrInvalidCode        = &Error{Code: CodeInvalidCode, Pos: -1}
	ErrInvalidHandleValue = &Error{Code: CodeInvalidHandleValue, Pos: -1}
)

// Error describes why an input was rejected.
type Error struct {
	Code   string // one of the Code* constants
	Pos    int    // byte offset in the input the problem was found at, or -1
	Reason string // English, lower-case, e.g. "suffix contains '/'"
}

// Message returns the reason with its position, without the code:
// "suffix contains '/' at byte 12".
func (e *Error) Message() string {
	if e.Reason == "" {
		return "invalid input"
	}
	if e.Pos < 0 {
		return e.Reason
	}
	return e.Reason + " at byte " + strconv.Itoa(e.Pos)
}

// Error returns "CODE: message".
func (e *Error) Error() string {
	return e.Code + ": " + e.Message()
}

// Is reports whether target is an *Error with the same code. A target with a
// Reason must match the reason too, so sentinels (no reason) match every
// error of their code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok || t.Code != e.Code {
		return false
	}
	return t.Reason == "" || t.Reason == e.Reason
}

func newError(code string, pos int, reason string) *Error {
	return &Error{Code: code, Pos: pos, Reason: reason}
}

// quoteByte renders an offending byte for a reason: '/' or 0x1f.
func quoteByte(b byte) string {
	if b >= 0x20 && b < 0x7f {
		return "'" + string(rune(b)) + "'"
	}
	return "0x" + strconv.FormatUint(uint64(b), 16)
}

// quoteRune renders an offending rune for a reason: '/' or U+3000.
func quoteRune(r rune) string {
	if r < 0x80 {
		return quoteByte(byte(r))
	}
	return strconv.QuoteRuneToASCII(r)
}
