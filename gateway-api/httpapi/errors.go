package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
)

// Codes the HTTP layer adds to the domain vocabulary.
const (
	CodeTooLarge    domain.Code = "TOO_LARGE"
	CodeRateLimited domain.Code = "RATE_LIMITED"
)

// statusOf is the one table from error code to HTTP status.
var statusOf = map[domain.Code]int{
	domain.CodeInvalid:           http.StatusBadRequest,
	domain.CodeInvalidIdentifier: http.StatusBadRequest,
	domain.CodeUnauthorized:      http.StatusUnauthorized,
	domain.CodeForbidden:         http.StatusForbidden,
	domain.CodeNotFound:          http.StatusNotFound,
	domain.CodeConflict:          http.StatusConflict,
	domain.CodeReleaseBlocked:    http.StatusConflict,
	CodeTooLarge:                 http.StatusRequestEntityTooLarge,
	CodeRateLimited:              http.StatusTooManyRequests,
	domain.CodeUnavailable:       http.StatusServiceUnavailable,
	domain.CodeInternal:          http.StatusInternalServerError,
}

// ErrorBody is the JSON shape of every error response.
type ErrorBody struct {
	Error *domain.Error `json:"error"`
}

// asAPIError returns the *domain.Error to show for err: its own for coded
// errors (identifier errors included), a generic INTERNAL otherwise.
func asAPIError(err error) *domain.Error {
	var de *domain.Error
	if errors.As(err, &de) {
		if _, known := statusOf[de.Code]; known {
			return de
		}
	}
	var ie *identifier.Error
	if errors.As(err, &ie) {
		code := domain.CodeInvalid
		if ie.Code == identifier.CodeInvalidIdentifier {
			code = domain.CodeInvalidIdentifier
		}
		return &domain.Error{Code: code, Message: ie.Message()}
	}
	return &domain.Error{Code: domain.CodeInternal, Message: "internal error"}
}

// Fail writes err as the JSON error response (plus extra top-level fields,
// if any) and aborts the chain. Server-side errors are logged with their
// full text; clients never see internal text.
func (s *Service) Fail(c *gin.Context, err error, extra ...gin.H) {
	var fw failWith
	if errors.As(err, &fw) {
		extra = append(extra, fw.extra)
	}
	e := asAPIError(err)
	status := statusOf[e.Code]
	if status >= 500 {
		log := s.logger(c)
		log.Error("request failed", "code", e.Code, "err", err.Error())
		if e.Code == domain.CodeInternal {
			e = &domain.Error{Code: e.Code, Message: "internal error (request " + requestID(c) + ")"}
		}
	}
	if len(extra) == 0 {
		c.AbortWithStatusJSON(status, ErrorBody{Error: e})
		return
	}
	body := gin.H{}
	for _, x := range extra {
		for k, v := range x {
			body[k] = v
		}
	}
	body["error"] = e
	c.AbortWithStatusJSON(status, body)
}

// failWith carries top-level fields for Fail's answer with an error (for
// handlers that return an error instead of calling Fail).
type failWith struct {
	error
	extra gin.H
}

func (f failWith) Unwrap() error { return f.error }

// FailWith wraps err so that Fail's answer also carries the fields of
// extra (e.g. "genuine": false).
func FailWith(err error, extra gin.H) error { return failWith{err, extra} }

// Limits on request bodies.
const (
	smallBody = 1 << 20  // most requests
	largeBody = 32 << 20 // batches of items or events
)

// limitBody bounds the request body.
func limitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		c.Next()
	}
}

// BindJSON decodes the body into dst strictly: one JSON value, unknown
// fields rejected, within the route's size limit.
func BindJSON(c *gin.Context, dst any) error {
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return domain.Errorf(CodeTooLarge, "request body is larger than %d bytes", mbe.Limit)
		case errors.Is(err, io.EOF):
			return domain.Errorf(domain.CodeInvalid, "request body is empty")
		}
		return domain.Errorf(domain.CodeInvalid, "malformed JSON: %s", jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return domain.Errorf(domain.CodeInvalid, "malformed JSON: data after the JSON value")
	}
	return nil
}

// jsonProblem describes a decode error without echoing the input.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("field %q must be %s", te.Field, te.Type)
	}
	return err.Error() // e.g. `json: unknown field "x"`
}
