package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/idchain/idchain/domain"
)

// apiClient talks to the public REST API (gateway-api/httpapi/openapi.json) as the demo users.
type apiClient struct {
	base string
	keys map[string]string // user (env suffix, e.g. MAKER_QA) → API key
	http *http.Client
	mu   sync.RWMutex // guards keys: enterprise users are added while running
}

// setKey adds (or replaces) the API key of user.
func (c *apiClient) setKey(user, key string) {
	c.mu.Lock()
	c.keys[user] = key
	c.mu.Unlock()
}

// apiError is a non-2xx answer: {"error":{"code","message"}}.
type apiError struct {
	Status int
	Err    domain.Error
}

func (e *apiError) Error() string {
	return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Err.Code, e.Err.Message)
}

// isCode reports whether err is an API error with one of codes.
func isCode(err error, codes ...domain.Code) bool {
	var e *apiError
	if !errors.As(err, &e) {
		return false
	}
	for _, c := range codes {
		if e.Err.Code == c {
			return true
		}
	}
	return false
}

// call sends body (nil for none) as user and decodes a 2xx answer into out
// (nil to discard). It returns the status; 207 and 422 batch answers are
// decoded like 2xx ones so per-item results can be read. Network errors and
// 502–504 are retried a few times: the API may still be warming up.
func (c *apiClient) call(ctx context.Context, user, method, path string, body, out any) (int, error) {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return 0, err
		}
	}
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return 0, ctx.Err()
			case <-time.After(time.Duration(attempt) * time.Second):
			}
		}
		status, err := c.once(ctx, user, method, path, payload, out)
		if err == nil || !retryable(status, err) {
			return status, err
		}
		lastErr = err
	}
	return 0, lastErr
}

func retryable(status int, err error) bool {
	var e *apiError
	if !errors.As(err, &e) {
		return true // network
	}
	return status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

func (c *apiClient) once(ctx context.Context, user, method, path string, payload []byte, out any) (int, error) {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, err
	}
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if user != "" {
		c.mu.RLock()
		key := c.keys[user]
		c.mu.RUnlock()
		if key == "" {
			return 0, fmt.Errorf("env 中缺少 IDCHAIN_KEY_%s (missing API key)", user)
		}
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return resp.StatusCode, err
	}
	ok := resp.StatusCode/100 == 2 || resp.StatusCode == http.StatusUnprocessableEntity && bytes.Contains(data, []byte(`"results"`))
	if !ok {
		e := &apiError{Status: resp.StatusCode}
		var body struct {
			Error *domain.Error `json:"error"`
		}
		if json.Unmarshal(data, &body) == nil && body.Error != nil {
			e.Err = *body.Error
		} else {
			e.Err = domain.Error{Code: domain.CodeInternal, Message: strings.TrimSpace(string(data))}
		}
		return resp.StatusCode, e
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: unexpected body %.200s: %w", method, path, data, err)
		}
	}
	return resp.StatusCode, nil
}

// itemPath is "/{prefix}/{suffix}" with the suffix escaped.
func itemPath(id string) string {
	prefix, suffix, _ := strings.Cut(id, "/")
	return "/" + prefix + "/" + url.PathEscape(suffix)
}

// batchOK checks a batch answer: created/recorded/unchanged are fine,
// rejected entries fail the step.
func batchOK(what string, res domain.BatchResult) error {
	var bad []string
	for _, r := range res.Results {
		if r.Status == domain.ResultRejected {
			msg := r.ID
			if r.Error != nil {
				msg += ": " + r.Error.Error()
			}
			bad = append(bad, msg)
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s: %d 条被拒绝 rejected: %s", what, len(bad), strings.Join(bad, "; "))
	}
	return nil
}
