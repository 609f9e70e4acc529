package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/cache"
)

// JobStore keeps asynchronous writes' outcomes where every replica can
// answer the poll (cache.Jobs: Redis).
type JobStore interface {
	Create(ctx context.Context, job cache.Job) error
	Finish(ctx context.Context, id string, status int, result []byte, at time.Time) error
	Get(ctx context.Context, id string) (cache.Job, bool, error)
}

// preferAsync reports whether the request asks for an asynchronous answer
// (RFC 7240: Prefer: respond-async).
func preferAsync(c *gin.Context) bool {
	for _, h := range c.Request.Header.Values("Prefer") {
		for _, p := range strings.Split(h, ",") {
			if name, _, _ := strings.Cut(strings.TrimSpace(p), ";"); strings.EqualFold(strings.TrimSpace(name), "respond-async") {
				return true
			}
		}
	}
	return false
}

// registerAsync accepts a registration for the coalescer and answers 202
// at once with the job's Location; the job holds the per-item results once
// the transaction committed (the status and body the synchronous request
// would have answered). The request was validated like a synchronous one.
func (s *Service) registerAsync(c *gin.Context, items []domain.ItemInput) {
	p, _ := Caller(c)
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	id := hex.EncodeToString(raw[:])
	job := cache.Job{ID: id, User: p.Name, Status: cache.JobPending, Items: len(items), CreatedAt: time.Now().UTC()}
	if err := s.deps.Jobs.Create(c, job); err != nil {
		s.Fail(c, domain.Errorf(domain.CodeUnavailable, "cannot accept an asynchronous request now: %v", err))
		return
	}
	log := s.logger(c)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), submitTimeout)
		defer cancel()
		status, body := s.registerNow(ctx, p.Name, items)
		if status >= 500 {
			log.Error("asynchronous registration failed", "job", id, "status", status, "body", string(body))
		}
		if err := s.deps.Jobs.Finish(context.WithoutCancel(ctx), id, status, body, time.Now().UTC()); err != nil {
			log.Error("asynchronous registration: outcome not stored", "job", id, "err", err.Error())
		}
	}()
	loc := "/v1/jobs/" + id
	c.Header("Location", loc)
	c.Header("Preference-Applied", "respond-async")
	c.Header("Retry-After", "1")
	c.JSON(http.StatusAccepted, cache.Job{ID: id, Status: cache.JobPending, Items: len(items), CreatedAt: job.CreatedAt})
}

// registerNow registers items through the coalescer as user and returns
// the status and body of the synchronous answer, after the after-commit
// path ran (the coalescer runs it once per transaction).
func (s *Service) registerNow(ctx context.Context, user string, items []domain.ItemInput) (int, []byte) {
	res, err := s.deps.Registrar.Register(ctx, user, items)
	if err != nil {
		e := asAPIError(err)
		if e.Code == domain.CodeInternal {
			e = &domain.Error{Code: e.Code, Message: "internal error"}
		}
		b, _ := json.Marshal(ErrorBody{Error: e})
		return statusOf[e.Code], b
	}
	b, _ := json.Marshal(res)
	return batchStatus(res), b
}

// getJob answers GET /v1/jobs/{id}: the caller's own asynchronous write,
// pending (Retry-After: 1) or done with its outcome. Another user's job
// and an unknown or expired one are NOT_FOUND alike.
func (s *Service) getJob(c *gin.Context) {
	id := c.Param("id")
	if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
		s.Fail(c, domain.Errorf(domain.CodeInvalid, "job id: 32 lowercase hex digits"))
		return
	}
	if s.deps.Jobs == nil {
		s.Fail(c, domain.Errorf(domain.CodeNotFound, "no job %s", id))
		return
	}
	job, ok, err := s.deps.Jobs.Get(c, id)
	if err != nil {
		s.Fail(c, domain.Errorf(domain.CodeUnavailable, "job store: %v", err))
		return
	}
	if p, _ := Caller(c); !ok || job.User != p.Name {
		s.Fail(c, domain.Errorf(domain.CodeNotFound, "no job %s", id))
		return
	}
	if job.Status == cache.JobPending {
		if time.Since(job.CreatedAt) > submitTimeout+time.Minute {
			job.Status = cache.JobUnknown
		} else {
			c.Header("Retry-After", "1")
		}
	}
	c.JSON(http.StatusOK, job)
}
