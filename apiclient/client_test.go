package apiclient

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idchain/idchain/domain"
)

// fast retries for tests.
var quick = Retry{Attempts: 3, Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}

func server(t *testing.T, h http.HandlerFunc) (*Client, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Header.Get("Authorization") != "Bearer k1" {
			w.WriteHeader(401)
			io.WriteString(w, `{"error":{"code":"UNAUTHORIZED","message":"no key"}}`)
			return
		}
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	c := New(srv.URL, "k1")
	c.Retry = quick
	return c, &calls
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func items(ids ...string) []domain.ItemInput {
	out := make([]domain.ItemInput, len(ids))
	for i, id := range ids {
		out[i] = domain.ItemInput{ID: id, Kind: domain.KindUnit}
	}
	return out
}

func TestBatchStatuses(t *testing.T) {
	for _, tc := range []struct {
		status   int
		results  []domain.ItemResult
		rejected int
	}{
		{201, []domain.ItemResult{{ID: "a", Status: domain.ResultCreated}, {ID: "b", Status: domain.ResultUnchanged}}, 0},
		{207, []domain.ItemResult{{ID: "a", Status: domain.ResultCreated}, {ID: "b", Status: domain.ResultRejected, Error: domain.Errorf(domain.CodeInvalid, "bad")}}, 1},
		{422, []domain.ItemResult{{ID: "a", Status: domain.ResultRejected, Error: domain.Errorf(domain.CodeConflict, "x")}, {ID: "b", Status: domain.ResultRejected, Error: domain.Errorf(domain.CodeInvalid, "y")}}, 2},
	} {
		c, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
			var body struct{ Items []domain.ItemInput }
			if r.URL.Path != "/v1/items" || json.NewDecoder(r.Body).Decode(&body) != nil || len(body.Items) != 2 {
				writeJSON(w, 400, map[string]any{"error": domain.Errorf(domain.CodeInvalid, "bad request %s", r.URL.Path)})
				return
			}
			w.Header().Set("X-Tx-Id", "tx9")
			writeJSON(w, tc.status, domain.BatchResult{Results: tc.results})
		})
		res, err := c.RegisterItems(context.Background(), items("a", "b"))
		if err != nil {
			t.Fatalf("%d: %v", tc.status, err)
		}
		if res.Status != tc.status || res.Rejected() != tc.rejected || res.TxID != "tx9" || res.Results[1].ID != "b" {
			t.Fatalf("%d: got %+v", tc.status, res)
		}
		if tc.rejected > 0 && !errors.Is(res.Results[1].Error, domain.ErrInvalid) {
			t.Fatalf("%d: per-item error %v", tc.status, res.Results[1].Error)
		}
	}
}

func TestWholeRequestErrorsAreTyped(t *testing.T) {
	c, calls := server(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 403, map[string]any{"error": domain.Errorf(domain.CodeForbidden, "not your prefix")})
	})
	_, err := c.RegisterItems(context.Background(), items("a"))
	var e *Error
	if !errors.As(err, &e) || e.Status != 403 || !errors.Is(err, domain.ErrForbidden) || errors.Is(err, domain.ErrNotFound) ||
		domain.CodeOf(err) != domain.CodeForbidden || e.Err.Message != "not your prefix" {
		t.Fatalf("got %#v", err)
	}
	if calls.Load() != 1 {
		t.Fatalf("403 was retried: %d calls", calls.Load())
	}
	// A 422 without results refuses the whole request.
	c, _ = server(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 422, map[string]any{"error": domain.Errorf(domain.CodeInvalid, "too many items")})
	})
	if _, err := c.RegisterItems(context.Background(), items("a")); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("422 without results: %v", err)
	}
	// Bad key, and a body that is not JSON.
	c.Key = "wrong"
	if _, err := c.Verify(context.Background(), "x", VerifyOptions{}); domain.CodeOf(err) != domain.CodeUnauthorized {
		t.Fatalf("bad key: %v", err)
	}
	c, _ = server(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(404); io.WriteString(w, "page not found") })
	if _, err := c.Verify(context.Background(), "x", VerifyOptions{}); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("bare 404: %v", err)
	}
}

func TestResultCountMismatchIsAnError(t *testing.T) {
	c, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 201, domain.BatchResult{Results: []domain.ItemResult{{ID: "a", Status: domain.ResultCreated}}})
	})
	if _, err := c.RegisterItems(context.Background(), items("a", "b")); err == nil {
		t.Fatal("one result for two items accepted")
	}
}

func TestRetriesIdempotentRegistration(t *testing.T) {
	var callsSoFar atomic.Int32
	c, calls := server(t, func(w http.ResponseWriter, r *http.Request) {
		switch callsSoFar.Add(1) {
		case 1:
			writeJSON(w, 503, map[string]any{"error": domain.Errorf(domain.CodeUnavailable, "peer down")})
		case 2:
			w.WriteHeader(502)
		default:
			writeJSON(w, 201, domain.BatchResult{Results: []domain.ItemResult{{ID: "a", Status: domain.ResultCreated}}})
		}
	})
	var seen []time.Duration
	c.OnRetry = func(n int, wait time.Duration, err error) { seen = append(seen, wait) }
	res, err := c.RegisterItems(context.Background(), items("a"))
	if err != nil || res.Status != 201 || calls.Load() != 3 || len(seen) != 2 || seen[1] != 2*seen[0] {
		t.Fatalf("res %+v err %v calls %d waits %v", res, err, calls.Load(), seen)
	}
}

func TestGivesUpAfterAttempts(t *testing.T) {
	c, calls := server(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 503, map[string]any{"error": domain.Errorf(domain.CodeUnavailable, "peer down")})
	})
	_, err := c.RegisterItems(context.Background(), items("a"))
	if !errors.Is(err, &domain.Error{Code: domain.CodeUnavailable}) || calls.Load() != int32(quick.Attempts+1) {
		t.Fatalf("err %v after %d calls", err, calls.Load())
	}
}

func TestEventsRetriedOnlyWhenNotProcessed(t *testing.T) {
	c, calls := server(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 503, map[string]any{"error": domain.Errorf(domain.CodeUnavailable, "commit unknown")})
	})
	ev := []domain.EventInput{{Type: "shipping", ID: "a"}}
	if _, err := c.RecordEvents(context.Background(), ev); err == nil || calls.Load() != 1 {
		t.Fatalf("events 503 retried: %d calls, %v", calls.Load(), err)
	}
	c, calls = server(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Load() == 1 {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, 429, map[string]any{"error": domain.Errorf(domain.CodeUnavailable, "slow down")})
			return
		}
		writeJSON(w, 201, domain.BatchResult{Results: []domain.ItemResult{{ID: "a", Status: domain.ResultRecorded}}})
	})
	var wait time.Duration
	c.OnRetry = func(_ int, d time.Duration, _ error) { wait = d }
	if res, err := c.RecordEvents(context.Background(), ev); err != nil || res.Results[0].Status != domain.ResultRecorded || calls.Load() != 2 {
		t.Fatalf("events 429: %v, %d calls", err, calls.Load())
	}
	if wait != quick.MaxBackoff { // Retry-After 1 s, capped by the policy
		t.Fatalf("wait %v", wait)
	}
}

func TestRetryable(t *testing.T) {
	for _, tc := range []struct {
		err        error
		idem, want bool
	}{
		{&Error{Status: 429}, false, true},
		{&Error{Status: 503}, true, true},
		{&Error{Status: 503}, false, false},
		{&Error{Status: 504}, true, true},
		{&Error{Status: 500}, true, false},
		{&Error{Status: 400}, true, false},
		{&Error{Status: 409}, true, false},
		{errors.New("connection reset"), true, true},
		{errors.New("connection reset"), false, false},
		{context.Canceled, true, false},
	} {
		if got := Retryable(tc.err, tc.idem); got != tc.want {
			t.Errorf("Retryable(%v, %v) = %v", tc.err, tc.idem, got)
		}
	}
}

func TestConnectionRefusedIsRetriedForEvents(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c := New(url, "k1")
	c.Retry = quick
	n := 0
	c.OnRetry = func(int, time.Duration, error) { n++ }
	if _, err := c.RecordEvents(context.Background(), []domain.EventInput{{ID: "a"}}); err == nil || n != quick.Attempts {
		t.Fatalf("refused: %v after %d retries", err, n)
	}
}

func TestAsyncJobAndVerify(t *testing.T) {
	c, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "POST" && r.Header.Get("Prefer") == "respond-async":
			w.Header().Set("Location", "/v1/jobs/0123456789abcdef0123456789abcdef")
			writeJSON(w, 202, Job{Status: JobPending, Items: 1})
		case r.URL.Path == "/v1/jobs/0123456789abcdef0123456789abcdef":
			writeJSON(w, 200, Job{Status: JobDone, HTTPStatus: 201, Items: 1})
		case r.URL.Path == "/v1/verify/88.1.2/A1" && r.Header.Get("Cache-Control") == "no-cache":
			writeJSON(w, 200, domain.Verification{ID: "88.1.2/A1", Genuine: true})
		default:
			writeJSON(w, 404, map[string]any{"error": domain.Errorf(domain.CodeNotFound, "%s %s", r.Method, r.URL.Path)})
		}
	})
	ctx := context.Background()
	acc, err := c.RegisterItemsAsync(ctx, items("a"))
	if err != nil || acc.Status != 202 || acc.Location == "" {
		t.Fatalf("async: %+v %v", acc, err)
	}
	job, err := c.Job(ctx, acc.Location)
	if err != nil || job.Status != JobDone || job.HTTPStatus != 201 {
		t.Fatalf("job: %+v %v", job, err)
	}
	v, err := c.Verify(ctx, "88.1.2/A1", VerifyOptions{NoCache: true})
	if err != nil || !v.Genuine {
		t.Fatalf("verify: %+v %v", v, err)
	}
	if _, err := c.Verify(ctx, "88.1.2/A1", VerifyOptions{}); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("verify without no-cache reached the wrong route: %v", err)
	}
}
