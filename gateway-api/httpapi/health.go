package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func (s *Service) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz runs every check; 200 when the required ones (Fabric) pass, with
// each check's state in the body (Redis down still answers 200). On the
// public listener a failing check says only "down" (its error is logged);
// the operations listener (NewOps) adds the error text.
func (s *Service) readyz(c *gin.Context) { s.ready(c, false) }

func (s *Service) ready(c *gin.Context, detail bool) {
	ctx, cancel := context.WithTimeout(c, 5*time.Second)
	defer cancel()
	checks := gin.H{}
	ready := true
	for _, ch := range s.deps.Checks {
		if err := ch.Run(ctx); err != nil {
			state := gin.H{"status": "down"}
			if detail {
				state["error"] = err.Error()
			} else {
				s.logger(c).Warn("readiness check failed", "check", ch.Name, "err", err.Error())
			}
			checks[ch.Name] = state
			if ch.Required {
				ready = false
			}
			continue
		}
		checks[ch.Name] = gin.H{"status": "ok"}
	}
	status, word := http.StatusOK, "ready"
	if !ready {
		status, word = http.StatusServiceUnavailable, "not ready"
	}
	c.JSON(status, gin.H{"status": word, "checks": checks})
}

// NewOps returns the operations handler, for a listener apart from the
// public one (loopback or an internal network): /metrics, /healthz and
// /readyz with each failing check's error text. Give it the Deps given to
// NewServer (Checks, Registry, Log).
func NewOps(deps Deps) http.Handler {
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	if deps.Registry == nil {
		deps.Registry = prometheus.NewRegistry()
	}
	s := &Service{deps: deps}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.ContextWithFallback = true
	r.Use(s.recover)
	r.GET("/healthz", s.healthz)
	r.GET("/readyz", func(c *gin.Context) { s.ready(c, true) })
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(deps.Registry, promhttp.HandlerOpts{})))
	return r
}
