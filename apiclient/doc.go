// Package apiclient is the typed Go client of the idchain REST API, for
// integrators (an MES adapter, a line station) and for the repository's own
// tools (cmd/idctl, the benchmarks under scripts/bench).
//
//	c := apiclient.New("https://idchain.example", os.Getenv("IDCHAIN_KEY"))
//	res, err := c.RegisterItems(ctx, items)
//	switch {
//	case errors.Is(err, domain.ErrForbidden): // the whole request was refused
//	case err != nil: // network, 5xx after retries, …
//	default:
//		for _, r := range res.Results { // per item: created | unchanged | rejected
//		}
//	}
//
// Requests and responses reuse the domain types (domain.ItemInput,
// domain.EventInput, domain.BatchResult, domain.Verification, domain.Prefix).
//
// Errors. Every answer outside 2xx, and a 422 without per-item results,
// becomes an *Error carrying the HTTP status and the API's
// {"error":{"code","message"}} as a *domain.Error, so callers test codes
// with errors.Is(err, domain.ErrNotFound) or domain.CodeOf(err). A batch
// answered 201 (all created/unchanged), 207 (some rejected) or 422 (all
// rejected, with results) is not an error: look at each result.
//
// Retries (one policy, see Retry and Retryable): transport errors, 408,
// 429, 502, 503 and 504 are retried with doubling backoff (honouring
// Retry-After), but only for idempotent requests: GETs and item
// registration (the chaincode answers "unchanged" for an item that is
// already registered). Events are not idempotent, so a POST /v1/events is
// retried only when the server surely did not process it: 429 (refused by
// the rate limiter before the handler) and a refused connection.
package apiclient
