package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Client talks to one API base URL as one API user (bearer key). It is safe
// for concurrent use.
type Client struct {
	BaseURL string       // e.g. http://127.0.0.1:8080, no trailing /v1
	Key     string       // API key sent as "Authorization: Bearer <key>"; empty: anonymous
	HTTP    *http.Client // nil: http.DefaultClient
	Retry   Retry
	// OnRetry, when set, is told of each retry before its wait.
	OnRetry func(retry int, wait time.Duration, err error)
}

// New is a client with DefaultRetry and a 2-minute request timeout.
func New(baseURL, key string) *Client {
	return &Client{BaseURL: baseURL, Key: key, HTTP: &http.Client{Timeout: 2 * time.Minute}, Retry: DefaultRetry}
}

// Request is one call for Do.
type Request struct {
	Method string // GET, POST, PUT, …
	Path   string // "/v1/items"; a full URL is accepted too
	Body   any    // marshalled as JSON; nil: no body
	Header http.Header
	// Idempotent: the request may be repeated after a transport error or a
	// 5xx (see Retryable). GET, HEAD, PUT and DELETE always are.
	Idempotent bool
	// Accept lists extra statuses returned as a Response rather than an
	// *Error (e.g. 422 for a batch whose items were all rejected).
	Accept []int
}

// Response is a successful answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// maxBody bounds a response read into memory.
const maxBody = 64 << 20

// Do sends r, retrying under c.Retry, and returns a 2xx answer (or one in
// r.Accept) as a Response; any other answer is an *Error.
func (c *Client) Do(ctx context.Context, r Request) (*Response, error) {
	var body []byte
	if r.Body != nil {
		b, err := json.Marshal(r.Body)
		if err != nil {
			return nil, fmt.Errorf("apiclient: encode %s %s: %w", r.Method, r.Path, err)
		}
		body = b
	}
	idem := r.Idempotent || r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodPut || r.Method == http.MethodDelete
	for n := 0; ; n++ {
		res, err := c.once(ctx, r, body)
		if err == nil || n >= c.Retry.Attempts || ctx.Err() != nil || !Retryable(err, idem) {
			return res, err
		}
		wait := c.Retry.wait(n, err)
		if c.OnRetry != nil {
			c.OnRetry(n+1, wait, err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

func (c *Client) once(ctx context.Context, r Request, body []byte) (*Response, error) {
	url := r.Path
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		url = strings.TrimRight(c.BaseURL, "/") + url
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, url, rd)
	if err != nil {
		return nil, err
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.Key != "" {
		req.Header.Set("Authorization", "Bearer "+c.Key)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, err
	}
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	for _, s := range r.Accept {
		ok = ok || resp.StatusCode == s
	}
	if !ok {
		e := errorOf(resp.StatusCode, data)
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			e.RetryAfter = time.Duration(s) * time.Second
		}
		return nil, e
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}, nil
}

// getJSON GETs path into v.
func (c *Client) getJSON(ctx context.Context, path string, h http.Header, v any) (*Response, error) {
	res, err := c.Do(ctx, Request{Method: http.MethodGet, Path: path, Header: h})
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(res.Body, v); err != nil {
		return res, fmt.Errorf("apiclient: GET %s: HTTP %d: unreadable body: %w", path, res.Status, err)
	}
	return res, nil
}
