package apiclient

import (
	"context"
	"errors"
	"net/http"
	"syscall"
	"time"
)

// Retry is the client's retry policy: Attempts retries after the first try,
// waiting Backoff, then doubling up to MaxBackoff (a longer Retry-After from
// the server wins, capped at MaxBackoff). The zero value never retries.
type Retry struct {
	Attempts   int
	Backoff    time.Duration
	MaxBackoff time.Duration
}

// DefaultRetry is what New sets: 3 retries, 500 ms, 1 s, 2 s.
var DefaultRetry = Retry{Attempts: 3, Backoff: 500 * time.Millisecond, MaxBackoff: 30 * time.Second}

// Retryable says whether a failed try may be repeated. err is the try's
// error (an *Error for an HTTP answer). idempotent requests are repeated on
// transport errors and on 408, 429, 502, 503, 504; others only when the
// server surely did not run the handler: 429 and a refused connection.
// Context cancellation is never retried.
func Retryable(err error, idempotent bool) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		switch e.Status {
		case http.StatusTooManyRequests:
			return true
		case http.StatusRequestTimeout, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return idempotent
		}
		return false
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	return idempotent // other transport errors: the request may have arrived
}

// wait is the pause before retry n (0-based) after err.
func (r Retry) wait(n int, err error) time.Duration {
	d := r.Backoff
	for range n {
		d *= 2
		if r.MaxBackoff > 0 && d >= r.MaxBackoff {
			break
		}
	}
	var e *Error
	if errors.As(err, &e) && e.RetryAfter > d {
		d = e.RetryAfter
	}
	if r.MaxBackoff > 0 && d > r.MaxBackoff {
		d = r.MaxBackoff
	}
	return d
}
