package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/identifier"
	"github.com/idchain/idchain/internal/hotcache"
)

// ItemID reads the {prefix}/{suffix} path parameters as a normalised id.
func ItemID(c *gin.Context) (string, error) {
	return parseID(c.Param("prefix") + "/" + c.Param("suffix"))
}

// parseID validates and normalises an item id given in a body or query.
func parseID(s string) (string, error) {
	id, err := identifier.Parse(s)
	if err != nil {
		return "", err
	}
	return id.String(), nil
}

// evaluate runs a per-user read on the ledger (uncached).
func (s *Service) evaluate(c *gin.Context, fn string, args ...string) ([]byte, error) {
	p, _ := Caller(c)
	return s.deps.Ledger.Evaluate(c, ledger.Call{User: p.Name, Fn: fn, Args: args})
}

// read runs a caller-independent read through the cache as the service
// identity. Authenticated callers may bypass the cache with
// Cache-Control: no-cache.
func (s *Service) read(c *gin.Context, fn string, args ...string) ([]byte, error) {
	ctx := c.Request.Context()
	if _, authed := Caller(c); authed && s.deps.BypassCache != nil && c.GetHeader("Cache-Control") == "no-cache" {
		ctx = s.deps.BypassCache(ctx)
	}
	return s.deps.Reads.Evaluate(ctx, ledger.Call{User: s.deps.ServiceUser, Fn: fn, Args: args})
}

// item reads an item (cached).
func (s *Service) item(c *gin.Context, id string) (domain.Item, error) {
	var it domain.Item
	b, err := s.read(c, ledger.FnGetItem, id)
	if err != nil {
		return it, err
	}
	return it, decode(ledger.FnGetItem, b, &it)
}

// submitTimeout bounds one write, retries included.
const submitTimeout = 2 * time.Minute

// submit commits a transaction signed by the caller, then runs the
// after-commit path (afterCommit). A client that disconnects does not cancel
// a write half-way: the submit runs to its commit status.
func (s *Service) submit(c *gin.Context, call ledger.Call) (ledger.Committed, error) {
	p, _ := Caller(c)
	call.User = p.Name
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), submitTimeout)
	defer cancel()
	done, err := s.deps.Ledger.Submit(ctx, call)
	if err != nil {
		return done, err
	}
	SetTx(c, done.TxID)
	s.afterCommit(ctx, done)
	return done, nil
}

// afterCommit is the one path every write takes once its commit status is
// VALID, before it answers (ledger.AfterCommit: wait until every org's peer
// has the block, then drop what the transaction's chaincode event makes
// stale, once). Registrations through the Registrar take it there, once per
// transaction.
func (s *Service) afterCommit(ctx context.Context, done ledger.Committed) {
	if s.deps.AfterCommit != nil {
		s.deps.AfterCommit(ctx, done)
	}
}

// evaluateAs is evaluate decoding the result as T.
func evaluateAs[T any](s *Service, c *gin.Context, fn string, args ...string) (T, error) {
	var v T
	b, err := s.evaluate(c, fn, args...)
	if err != nil {
		return v, err
	}
	return v, decode(fn, b, &v)
}

// submitAs is submit decoding the result as T.
func submitAs[T any](s *Service, c *gin.Context, call ledger.Call) (T, ledger.Committed, error) {
	var v T
	done, err := s.submit(c, call)
	if err != nil {
		return v, done, err
	}
	return v, done, decode(call.Fn, done.Result, &v)
}

func decode(fn string, b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s result: %w", fn, err)
	}
	return nil
}

// writeRaw passes a chaincode JSON result through.
func writeRaw(c *gin.Context, status int, b []byte) {
	c.Data(status, "application/json; charset=utf-8", b)
}

// batchStatus is the status of a batch: 201 when nothing was
// rejected, 207 when some were, 422 when all were.
func batchStatus(res domain.BatchResult) int {
	rejected := 0
	for _, r := range res.Results {
		if r.Status == domain.ResultRejected {
			rejected++
		}
	}
	return batchOutcome(rejected, len(res.Results))
}

// batchOutcome is batchStatus from the counts.
func batchOutcome(rejected, total int) int {
	switch {
	case rejected == 0:
		return http.StatusCreated
	case rejected == total:
		return http.StatusUnprocessableEntity
	}
	return http.StatusMultiStatus
}

func jsonArg(v any) string {
	b, _ := json.Marshal(v) // domain types always marshal
	return string(b)
}

// findGS1 asks registry:FindByGTIN (the chaincode's GS1 index, one key
// read) for the 标识 a GS1 key names: the serialized item with that serial
// (level item), the lot-level item of that lot (lot), or for a GTIN alone
// one item carrying it (product). NOT_FOUND when the ledger knows no such
// key.
//
// Found matches of a serial or a lot are kept in the in-process cache
// under the GS1 key for its TTL (a registered GS1 key keeps naming its
// item; what the item's answers say is invalidated by id as usual).
func (s *Service) findGS1(c *gin.Context, d identifier.GS1Data) (domain.GS1Match, error) {
	var m domain.GS1Match
	h := s.hot(c)
	if d.Lot == "" && d.Serial == "" {
		h = nil // a GTIN alone names whichever item carries it
	}
	key := "gs1\x00" + d.GTIN + "\x00" + d.Lot + "\x00" + d.Serial
	var tok hotcache.Token
	if h != nil {
		if b, ok := h.Get(key, hotGS1); ok {
			s.metrics.hot[hotGS1][0].Inc()
			level, id, _ := strings.Cut(string(b), "\x00")
			return domain.GS1Match{ID: id, Level: level}, nil
		}
		tok = h.Token(key)
	}
	b, err := s.read(c, ledger.FnFindByGTIN, d.GTIN, d.Lot, d.Serial)
	if err == nil {
		err = decode(ledger.FnFindByGTIN, b, &m)
	}
	if err == nil && h != nil && m.Level != domain.GS1LevelProduct {
		h.Put(key, hotGS1, tok, []byte(m.Level+"\x00"+m.ID))
		s.metrics.hot[hotGS1][1].Inc()
	}
	return m, err
}
