// Package domain holds the types and rules shared by the chaincode and the
// gateway API: items, events, inspections, consents and the error vocabulary
// that crosses the chaincode boundary. It imports only the standard library
// and identifier/.
package domain

import (
	"errors"
	"fmt"
	"strings"
)

// Code is a stable, machine-readable error code. Chaincode errors are strings
// that start with "CODE: ", so the API can map them back to HTTP statuses.
type Code string

// The error vocabulary. Keep in sync with the API's status table.
const (
	CodeInvalid           Code = "INVALID"
	CodeInvalidIdentifier Code = "INVALID_IDENTIFIER"
	CodeNotFound          Code = "NOT_FOUND"
	CodeForbidden         Code = "FORBIDDEN"
	CodeConflict          Code = "CONFLICT"
	CodeReleaseBlocked    Code = "RELEASE_BLOCKED"
	CodeUnauthorized      Code = "UNAUTHORIZED"
	CodeInternal          Code = "INTERNAL"
	CodeUnavailable       Code = "UNAVAILABLE"
)

var knownCodes = []Code{
	CodeInvalid, CodeInvalidIdentifier, CodeNotFound, CodeForbidden, CodeConflict,
	CodeReleaseBlocked, CodeUnauthorized, CodeInternal, CodeUnavailable,
}

// Error is the one application error type. Its JSON form is the body of API
// errors and of per-item batch failures.
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
}

// Errorf builds an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Error renders "CODE: message", the form that crosses the chaincode boundary.
func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Is makes errors.Is(err, &Error{Code: X}) match any *Error with code X.
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) {
		return false
	}
	return t.Code == e.Code && (t.Message == "" || t.Message == e.Message)
}

// Sentinels for errors.Is checks: errors.Is(err, domain.ErrNotFound).
var (
	ErrInvalid        = &Error{Code: CodeInvalid}
	ErrNotFound       = &Error{Code: CodeNotFound}
	ErrForbidden      = &Error{Code: CodeForbidden}
	ErrConflict       = &Error{Code: CodeConflict}
	ErrReleaseBlocked = &Error{Code: CodeReleaseBlocked}
)

// CodeOf returns the code of err: its own code when it is (or wraps) an
// *Error, otherwise INTERNAL.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ParseError recovers an *Error from text of the form "CODE: message", as
// returned by the chaincode (possibly embedded in a longer gRPC/Fabric
// message, e.g. "... chaincode response 500, FORBIDDEN: ..."). It reports
// false when no known code is found.
func ParseError(text string) (*Error, bool) {
	best := -1
	var found Code
	for _, c := range knownCodes {
		i := strings.Index(text, string(c)+": ")
		if i < 0 {
			continue
		}
		// Prefer the earliest match; ties go to the longer code
		// (INVALID_IDENTIFIER over INVALID).
		if best < 0 || i < best || (i == best && len(c) > len(found)) {
			best, found = i, c
		}
	}
	if best < 0 {
		return nil, false
	}
	msg := text[best+len(found)+2:]
	// Fabric appends its own context after the chaincode message in some
	// paths; cut at the first newline to keep only ours.
	if j := strings.IndexByte(msg, '\n'); j >= 0 {
		msg = msg[:j]
	}
	return &Error{Code: found, Message: strings.TrimSpace(msg)}, true
}
