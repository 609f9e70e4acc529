package cache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Job states.
const (
	JobPending = "pending" // accepted, not committed yet
	JobDone    = "done"    // HTTPStatus and Result hold the outcome
	// JobUnknown: pending far longer than a write may take (the API that
	// accepted it stopped); send the request again — registration is
	// idempotent, items already registered come back unchanged.
	JobUnknown = "unknown"
)

// Job is one asynchronous write (POST with Prefer: respond-async) as its
// caller polls it: pending until the write committed (or failed), then
// the status and body a synchronous request would have answered.
type Job struct {
	ID         string          `json:"id"`
	User       string          `json:"user"` // the API user who sent it; only they see it
	Status     string          `json:"status"`
	Items      int             `json:"items"`
	CreatedAt  time.Time       `json:"createdAt"`
	DoneAt     *time.Time      `json:"doneAt,omitempty"`
	HTTPStatus int             `json:"httpStatus,omitempty"`
	Result     json.RawMessage `json:"result,omitempty"`
}

// Jobs keeps jobs in Redis (key idchain:job:{<id>}), each for TTL after its
// last change, so every API replica answers the poll.
type Jobs struct {
	rdb redis.UniversalClient
	ttl time.Duration
}

// NewJobs stores jobs in rdb for ttl (default 24h).
func NewJobs(rdb redis.UniversalClient, ttl time.Duration) *Jobs {
	if ttl <= 0 {
		ttl = 24 * time.Hour
	}
	return &Jobs{rdb: rdb, ttl: ttl}
}

func jobKey(id string) string { return "idchain:job:{" + id + "}" }

// Create stores a new job; an id in use is an error.
func (j *Jobs) Create(ctx context.Context, job Job) error {
	b, err := json.Marshal(job)
	if err != nil {
		return err
	}
	ok, err := j.rdb.SetNX(ctx, jobKey(job.ID), b, j.ttl).Result()
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("job %s exists", job.ID)
	}
	return nil
}

// Finish records the outcome of job id.
func (j *Jobs) Finish(ctx context.Context, id string, status int, result []byte, at time.Time) error {
	job, ok, err := j.Get(ctx, id)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("job %s: gone", id)
	}
	job.Status, job.HTTPStatus, job.Result, job.DoneAt = JobDone, status, result, &at
	b, err := json.Marshal(job)
	if err != nil {
		return err
	}
	return j.rdb.Set(ctx, jobKey(id), b, j.ttl).Err()
}

// Get reads job id; ok is false when there is none (unknown or expired).
func (j *Jobs) Get(ctx context.Context, id string) (Job, bool, error) {
	var job Job
	b, err := j.rdb.Get(ctx, jobKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return job, false, nil
	}
	if err != nil {
		return job, false, err
	}
	return job, true, json.Unmarshal(b, &job)
}
