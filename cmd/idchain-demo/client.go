package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/idchain/idchain/apiclient"
	"github.com/idchain/idchain/domain"
)

// apiClient holds one apiclient.Client per demo user; errors and retries
// are apiclient's (docs/client.md).
type apiClient struct {
	base    string
	keys    map[string]string // user (env suffix, e.g. MAKER_QA) → API key
	mu      sync.Mutex        // guards keys and clients: enterprise users are added while running
	clients map[string]*apiclient.Client
}

// setKey adds (or replaces) the API key of user.
func (c *apiClient) setKey(user, key string) {
	c.mu.Lock()
	c.keys[user] = key
	delete(c.clients, user)
	c.mu.Unlock()
}

// as is the client of user ("" for anonymous calls).
func (c *apiClient) as(user string) (*apiclient.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.clients[user]; ok {
		return cl, nil
	}
	key := c.keys[user]
	if user != "" && key == "" {
		return nil, fmt.Errorf("env 中缺少 IDCHAIN_KEY_%s (missing API key)", user)
	}
	if c.clients == nil {
		c.clients = map[string]*apiclient.Client{}
	}
	cl := apiclient.New(c.base, key)
	c.clients[user] = cl
	return cl, nil
}

// isCode reports whether err carries one of the API error codes.
func isCode(err error, codes ...domain.Code) bool {
	var e *domain.Error
	if !errors.As(err, &e) {
		return false
	}
	for _, c := range codes {
		if e.Code == c {
			return true
		}
	}
	return false
}

// call sends body (nil for none) as user through apiclient's Do and decodes
// the 2xx answer into out (nil to discard). It returns the status.
func (c *apiClient) call(ctx context.Context, user, method, path string, body, out any) (int, error) {
	cl, err := c.as(user)
	if err != nil {
		return 0, err
	}
	res, err := cl.Do(ctx, apiclient.Request{Method: method, Path: path, Body: body})
	if err != nil {
		return 0, err
	}
	if out != nil && len(res.Body) > 0 {
		if err := json.Unmarshal(res.Body, out); err != nil {
			return res.Status, fmt.Errorf("%s %s: unexpected body %.200s: %w", method, path, res.Body, err)
		}
	}
	return res.Status, nil
}

// batch posts a batch (apiclient.KindItems or KindEvents) as user and
// returns its per-entry results, rejected ones included.
func (c *apiClient) batch(ctx context.Context, user, kind string, entries any) (domain.BatchResult, error) {
	cl, err := c.as(user)
	if err != nil {
		return domain.BatchResult{}, err
	}
	res, err := cl.PostBatch(ctx, kind, entries)
	if err != nil {
		return domain.BatchResult{}, err
	}
	return res.BatchResult, nil
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
