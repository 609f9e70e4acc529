package apiclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/idchain/idchain/domain"
)

// Job is an asynchronous write (POST /v1/items with Prefer: respond-async)
// as GET /v1/jobs/{id} shows it.
type Job struct {
	ID         string          `json:"id"`
	Status     string          `json:"status"` // pending | done | unknown
	Items      int             `json:"items"`
	CreatedAt  time.Time       `json:"createdAt"`
	DoneAt     *time.Time      `json:"doneAt,omitempty"`
	HTTPStatus int             `json:"httpStatus,omitempty"` // the synchronous answer's status, once done
	Result     json.RawMessage `json:"result,omitempty"`     // and its body
}

// Job statuses.
const (
	JobPending = "pending"
	JobDone    = "done"
	JobUnknown = "unknown"
)

// Accepted is the answer to an asynchronous registration: either a job to
// poll (Location set, Status 202) or, from an API that answered at once,
// the batch outcome (Batch set).
type Accepted struct {
	Status   int
	Location string // "/v1/jobs/<id>"
	Batch    *BatchResponse
}

// RegisterItemsAsync asks the API to register items in the background
// (Prefer: respond-async) and returns the job's location; poll it with Job.
// Not retried after the request may have arrived: a repeat would start a
// second job (harmless, as registration is idempotent, but counted twice).
func (c *Client) RegisterItemsAsync(ctx context.Context, items []domain.ItemInput) (*Accepted, error) {
	res, err := c.Do(ctx, Request{Method: http.MethodPost, Path: "/v1/items", Body: map[string]any{KindItems: items},
		Header: http.Header{"Prefer": {"respond-async"}}, Accept: []int{http.StatusUnprocessableEntity}})
	if err != nil {
		return nil, err
	}
	if res.Status == http.StatusAccepted {
		loc := res.Header.Get("Location")
		if loc == "" {
			return nil, fmt.Errorf("apiclient: 202 without Location")
		}
		return &Accepted{Status: res.Status, Location: loc}, nil
	}
	b := &BatchResponse{Status: res.Status}
	if err := json.Unmarshal(res.Body, &b.BatchResult); err != nil || b.Results == nil {
		return nil, errorOf(res.Status, res.Body)
	}
	return &Accepted{Status: res.Status, Batch: b}, nil
}

// Job reads an asynchronous write by its Location (or id).
func (c *Client) Job(ctx context.Context, location string) (*Job, error) {
	if len(location) == 32 {
		location = "/v1/jobs/" + location
	}
	var j Job
	_, err := c.getJSON(ctx, location, nil, &j)
	return &j, err
}

// VerifyOptions tune Verify.
type VerifyOptions struct {
	NoCache bool // Cache-Control: no-cache: the API reads the ledger
}

// Verify checks an identifier (GET /v1/verify/{id}).
func (c *Client) Verify(ctx context.Context, id string, o VerifyOptions) (*domain.Verification, error) {
	var h http.Header
	if o.NoCache {
		h = http.Header{"Cache-Control": {"no-cache"}}
	}
	var v domain.Verification
	if _, err := c.getJSON(ctx, "/v1/verify/"+id, h, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// AssignPrefix assigns an enterprise prefix to an org (POST /v1/prefixes,
// platform admin). Not idempotent: a repeat is a CONFLICT.
func (c *Client) AssignPrefix(ctx context.Context, prefix, owner string) (*domain.Prefix, error) {
	res, err := c.Do(ctx, Request{Method: http.MethodPost, Path: "/v1/prefixes", Body: map[string]string{"prefix": prefix, "owner": owner}})
	if err != nil {
		return nil, err
	}
	p := &domain.Prefix{Prefix: prefix, Owner: owner}
	_ = json.Unmarshal(res.Body, p) // the answer's fields win where present
	return p, nil
}
