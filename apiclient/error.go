package apiclient

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/idchain/idchain/domain"
)

// Error is an API answer that is not a success: its HTTP status and the
// body's {"error":{"code","message"}}. It unwraps to the *domain.Error, so
// errors.Is(err, domain.ErrConflict) and domain.CodeOf(err) work.
type Error struct {
	Status int
	Err    *domain.Error
	// RetryAfter is the server's Retry-After (seconds form), 0 when absent.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Err.Code, e.Err.Message)
}

// Unwrap returns the API's error.
func (e *Error) Unwrap() error { return e.Err }

// errorOf reads {"error":{"code","message"}} from body, falling back to
// the raw text under a code guessed from the status.
func errorOf(status int, body []byte) *Error {
	var b struct {
		Error *domain.Error `json:"error"`
	}
	if json.Unmarshal(body, &b) == nil && b.Error != nil && b.Error.Code != "" {
		return &Error{Status: status, Err: b.Error}
	}
	return &Error{Status: status, Err: domain.Errorf(codeOfStatus(status), "%.200s", strings.TrimSpace(string(body)))}
}

// codeOfStatus is the code of an answer without an error body (a proxy's
// 502, a bare 404).
func codeOfStatus(status int) domain.Code {
	switch {
	case status == 400 || status == 422:
		return domain.CodeInvalid
	case status == 401:
		return domain.CodeUnauthorized
	case status == 403:
		return domain.CodeForbidden
	case status == 404:
		return domain.CodeNotFound
	case status == 409:
		return domain.CodeConflict
	case status == 408 || status == 429 || status == 502 || status == 503 || status == 504:
		return domain.CodeUnavailable
	}
	return domain.CodeInternal
}
