package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/idchain/idchain/domain"
)

// batchClient posts batches to the API, retrying what may succeed later.
type batchClient struct {
	api, key string
	http     *http.Client
	retries  int           // attempts after the first
	backoff  time.Duration // first wait; doubles, capped at maxBackoff
	log      io.Writer     // retry notices
}

const maxBackoff = 30 * time.Second

// permanentError is a response that retrying cannot fix (400, 401, 403, …).
type permanentError struct {
	status int
	err    *domain.Error
}

func (e *permanentError) Error() string {
	return fmt.Sprintf("HTTP %d %s: %s", e.status, e.err.Code, e.err.Message)
}

// post sends one batch ({"items":[…]} or {"events":[…]}) and returns the
// per-entry results of a 201, 207 or 422 answer.
func (c *batchClient) post(ctx context.Context, kind string, entries []any) ([]domain.ItemResult, error) {
	body, err := json.Marshal(map[string][]any{kind: entries})
	if err != nil {
		return nil, err
	}
	wait := c.backoff
	for attempt := 0; ; attempt++ {
		res, err := c.once(ctx, kind, body)
		if err == nil {
			if len(res.Results) != len(entries) {
				return nil, fmt.Errorf("API 返回 %d 条结果, 发送了 %d 条 (result count mismatch)", len(res.Results), len(entries))
			}
			return res.Results, nil
		}
		var perm *permanentError
		if errors.As(err, &perm) || ctx.Err() != nil || attempt >= c.retries {
			return nil, err
		}
		fmt.Fprintf(c.log, "  重试 retry %d/%d in %s: %v\n", attempt+1, c.retries, wait, err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(wait*2, maxBackoff)
	}
}

func (c *batchClient) once(ctx context.Context, kind string, body []byte) (*domain.BatchResult, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(c.api, "/")+"/v1/"+kind, bytes.NewReader(body))
	if err != nil {
		return nil, &permanentError{0, domain.Errorf(domain.CodeInvalid, "%v", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.key)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err // network: retry
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	switch resp.StatusCode {
	case http.StatusCreated, http.StatusOK, http.StatusMultiStatus, http.StatusUnprocessableEntity:
		var res domain.BatchResult
		if err := json.Unmarshal(data, &res); err != nil || res.Results == nil {
			if resp.StatusCode == http.StatusUnprocessableEntity {
				return nil, &permanentError{resp.StatusCode, apiError(data)}
			}
			return nil, fmt.Errorf("HTTP %d: unreadable body: %.200s", resp.StatusCode, data)
		}
		return &res, nil
	case http.StatusTooManyRequests, http.StatusRequestTimeout:
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	if resp.StatusCode >= 500 {
		return nil, fmt.Errorf("HTTP %d: %s", resp.StatusCode, apiError(data).Message)
	}
	return nil, &permanentError{resp.StatusCode, apiError(data)}
}

// apiError reads {"error":{"code","message"}}, falling back to the raw text.
func apiError(data []byte) *domain.Error {
	var body struct {
		Error *domain.Error `json:"error"`
	}
	if json.Unmarshal(data, &body) == nil && body.Error != nil {
		return body.Error
	}
	return domain.Errorf(domain.CodeInternal, "%.200s", strings.TrimSpace(string(data)))
}
