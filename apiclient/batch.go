package apiclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"

	"github.com/idchain/idchain/domain"
)

// Batch kinds: the collection a batch is posted to.
const (
	KindItems  = "items"  // POST /v1/items {"items":[domain.ItemInput…]}, idempotent
	KindEvents = "events" // POST /v1/events {"events":[domain.EventInput…]}
)

// BatchResponse is the answer to a batch write: one result per entry, in
// order. Status is 201 (all created, recorded or unchanged), 207 (some
// rejected) or 422 (all rejected).
type BatchResponse struct {
	domain.BatchResult
	Status int
}

// Rejected is the number of rejected entries.
func (b *BatchResponse) Rejected() int {
	n := 0
	for _, r := range b.Results {
		if r.Status == domain.ResultRejected {
			n++
		}
	}
	return n
}

// RegisterItems registers items (POST /v1/items). Retried under the
// client's policy: registration is idempotent.
func (c *Client) RegisterItems(ctx context.Context, items []domain.ItemInput) (*BatchResponse, error) {
	return c.PostBatch(ctx, KindItems, items)
}

// RecordEvents records events (POST /v1/events). Not idempotent: retried
// only when the server surely did not run it (see Retryable).
func (c *Client) RecordEvents(ctx context.Context, events []domain.EventInput) (*BatchResponse, error) {
	return c.PostBatch(ctx, KindEvents, events)
}

// PostBatch posts entries (a slice of the kind's input type, or of values
// that marshal to it) as {"<kind>":[…]} and checks that the answer has one
// result per entry. Tools that build rows generically (idctl) use it.
func (c *Client) PostBatch(ctx context.Context, kind string, entries any) (*BatchResponse, error) {
	v := reflect.ValueOf(entries)
	if v.Kind() != reflect.Slice {
		return nil, fmt.Errorf("apiclient: PostBatch wants a slice, got %T", entries)
	}
	res, err := c.Do(ctx, Request{Method: http.MethodPost, Path: "/v1/" + kind, Body: map[string]any{kind: entries},
		Idempotent: kind == KindItems, Accept: []int{http.StatusUnprocessableEntity}})
	if err != nil {
		return nil, err
	}
	out := &BatchResponse{Status: res.Status}
	if err := json.Unmarshal(res.Body, &out.BatchResult); err != nil || out.Results == nil {
		if res.Status == http.StatusUnprocessableEntity { // a whole-request refusal, not per item
			return nil, errorOf(res.Status, res.Body)
		}
		return nil, fmt.Errorf("apiclient: POST /v1/%s: HTTP %d: unreadable body: %.200s", kind, res.Status, res.Body)
	}
	if out.TxID == "" {
		out.TxID = res.Header.Get("X-Tx-Id")
	}
	if len(out.Results) != v.Len() {
		return nil, fmt.Errorf("apiclient: API 返回 %d 条结果, 发送了 %d 条 (result count mismatch)", len(out.Results), v.Len())
	}
	return out, nil
}
