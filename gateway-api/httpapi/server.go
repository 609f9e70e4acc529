// Package httpapi is the REST API: gin routes, authentication,
// rate limiting, the one error writer, metrics and the OpenAPI document.
package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/epcis"
	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/internal/hotcache"
)

// Ledger is the Fabric access the handlers need (ledger.Fabric).
type Ledger interface {
	Evaluate(ctx context.Context, call ledger.Call) ([]byte, error)
	Submit(ctx context.Context, call ledger.Call) (ledger.Committed, error)
}

// Evaluator serves reads, possibly from a cache (cache.Cache).
type Evaluator interface {
	Evaluate(ctx context.Context, call ledger.Call) ([]byte, error)
}

// Registrar registers items, coalescing concurrent requests (ledger.Coalescer).
type Registrar interface {
	// Register returns once the after-commit path (Deps.AfterCommit) ran
	// for every transaction that carried the items (ledger.Coalescer).
	Register(ctx context.Context, user string, items []domain.ItemInput) (domain.BatchResult, error)
}

// Check is one readiness probe; the API is ready when every Required check
// passes. Optional ones (Redis) are only reported.
type Check struct {
	Name     string
	Required bool
	Run      func(ctx context.Context) error
}

// Deps is what NewServer wires together; main builds it.
type Deps struct {
	Ledger    Ledger    // uncached: submits and per-user reads
	Reads     Evaluator // cached public reads; defaults to Ledger
	Registrar Registrar // item registration; nil: one transaction per request
	// AfterCommit is the after-commit path (ledger.AfterCommit.Run): every
	// write runs it once its commit status is VALID, before answering; the
	// Registrar runs the same path once per transaction. May be nil.
	AfterCommit func(ctx context.Context, done ledger.Committed)
	// BypassCache marks a context so Reads skips the cache. May be nil.
	BypassCache func(ctx context.Context) context.Context
	// Hot keeps rendered answers of the hottest reads in process (keyed
	// verify, item, provenance, keyed Digital Link JSON, GS1 key matches)
	// in front of Reads; cache.Views.Drop, called by AfterCommit and the
	// event listener, drops its entries too. May be nil.
	Hot *hotcache.Cache
	// Jobs keeps the outcome of asynchronous registrations (POST /v1/items
	// with Prefer: respond-async, polled at GET /v1/jobs/{id}). nil: the
	// preference is ignored and every registration answers when committed.
	Jobs JobStore

	Users       map[string]Principal // API user name → identity
	Keys        map[string]string    // hex SHA-256 of an API key → user name
	ServiceUser string               // identity for public reads (verify)
	Checks      []Check

	Log         *slog.Logger
	Registry    *prometheus.Registry // metrics are registered here and served by NewOps at /metrics
	PublicRate  rate.Limit           // per client IP on public routes; default 20/s
	PublicBurst int                  // default 40
	// TrustedProxies whose X-Forwarded-For is believed; none by default.
	TrustedProxies []string
	// Mounts add other packages' routes (the public site, gateway-api/site).
	Mounts []Mounter
	// EPCIS: URI bases and vocabulary of EPCIS export and capture; the
	// zero value uses the epcis package defaults.
	EPCIS epcis.Options
	// NamedQueries keeps EPCIS named queries per org (/epcis/queries,
	// epcisrest_queries.go; cache.NamedQueries: Redis). nil: 503.
	NamedQueries NamedQueryStore
	// Enterprises: onboarding of enterprises and their users (enterprises.go).
	Enterprises EnterpriseDeps
}

// Service holds the handlers of the REST API. The public site's handlers
// live in gateway-api/site and reach this package through a Kit.
type Service struct {
	deps    Deps
	metrics *httpMetrics
	limiter *ipLimiter
}

// NewServer returns the API's http.Handler.
func NewServer(deps Deps) http.Handler { return newEngine(deps) }

func newEngine(deps Deps) *gin.Engine {
	if deps.Reads == nil {
		deps.Reads = deps.Ledger
	}
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	if deps.Registry == nil {
		deps.Registry = prometheus.NewRegistry()
	}
	if deps.PublicRate == 0 {
		deps.PublicRate = 20
	}
	if deps.PublicBurst == 0 {
		deps.PublicBurst = 40
	}
	s := &Service{
		deps:    deps,
		metrics: newHTTPMetrics(deps.Registry),
		limiter: newIPLimiter(deps.PublicRate, deps.PublicBurst),
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.ContextWithFallback = true // c.Done()/c.Value() follow the request context
	// Route on the escaped path so an encoded '/' stays inside one path
	// value (an EPC Digital Link in /epcis/epcs/{epc}/events).
	r.UseRawPath, r.UnescapePathValues = true, true
	_ = r.SetTrustedProxies(deps.TrustedProxies)
	r.Use(s.observe, s.recover)
	r.NoRoute(func(c *gin.Context) {
		s.Fail(c, domain.Errorf(domain.CodeNotFound, "no route %s %s", c.Request.Method, c.Request.URL.Path))
	})
	s.routes(r)
	return r
}

const (
	requestIDKey = "idchain.requestId"
	txIDKey      = "idchain.txId"
	// hotHitKey marks a request answered from the in-process cache: its
	// request log line is written at debug level (serveHot).
	hotHitKey = "idchain.hotHit"
)

func requestID(c *gin.Context) string { return c.GetString(requestIDKey) }

// SetTx records the transaction id of a write for the log and the
// X-Tx-Id response header.
func SetTx(c *gin.Context, txID string) {
	c.Set(txIDKey, txID)
	c.Header("X-Tx-Id", txID)
}

func (s *Service) logger(c *gin.Context) *slog.Logger {
	return s.deps.Log.With("requestId", requestID(c))
}

// observe assigns a request id, and logs and measures every request.
func (s *Service) observe(c *gin.Context) {
	start := time.Now()
	id := c.GetHeader("X-Request-Id")
	if !validRequestID(id) {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	c.Set(requestIDKey, id)
	c.Header("X-Request-Id", id)
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	d := time.Since(start)
	s.metrics.observe(c.Request.Method, route, c.Writer.Status(), d)
	level := slog.LevelInfo
	if c.GetBool(hotHitKey) {
		// The hottest answers (a third of their CPU was this line and its
		// write) are counted by the metrics above and the hot-cache hit
		// counter; their lines are kept at debug level.
		level = slog.LevelDebug
	}
	if !s.deps.Log.Enabled(c, level) {
		return
	}
	attrs := []any{"requestId", id, "method", c.Request.Method, "route", route,
		"status", c.Writer.Status(), "ms", float64(d.Microseconds()) / 1000}
	if tx := c.GetString(txIDKey); tx != "" {
		attrs = append(attrs, "txId", tx)
	}
	if p, ok := Caller(c); ok {
		attrs = append(attrs, "user", p.Name)
	}
	s.deps.Log.Log(c, level, "http", attrs...)
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r == '-' || r == '_' || r == '.' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return false
		}
	}
	return true
}

// recover turns a panic into a logged INTERNAL error response.
func (s *Service) recover(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.logger(c).Error("panic", "value", v, "stack", string(debug.Stack()))
			if !c.Writer.Written() {
				s.Fail(c, domain.Errorf(domain.CodeInternal, "panic"))
			}
			c.Abort()
		}
	}()
	c.Next()
}
