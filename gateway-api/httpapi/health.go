package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func (s *Service) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz runs every check; 200 when the required ones (Fabric) pass, with
// each check's state in the body (Redis down still answers 200).
func (s *Service) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c, 5*time.Second)
	defer cancel()
	checks := gin.H{}
	ready := true
	for _, ch := range s.deps.Checks {
		if err := ch.Run(ctx); err != nil {
			checks[ch.Name] = gin.H{"status": "down", "error": err.Error()}
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

func (s *Service) metricsHandler() gin.HandlerFunc {
	h := promhttp.HandlerFor(s.deps.Registry, promhttp.HandlerOpts{})
	return gin.WrapH(h)
}
