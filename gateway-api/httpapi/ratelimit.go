package httpapi

import (
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/idchain/idchain/domain"
)

// ipLimiter keeps a token bucket per client IP, forgetting idle ones.
type ipLimiter struct {
	rate  rate.Limit
	burst int
	mu    sync.Mutex
	ips   map[string]*ipEntry
	swept time.Time
}

type ipEntry struct {
	lim  *rate.Limiter
	seen time.Time
}

func newIPLimiter(r rate.Limit, burst int) *ipLimiter {
	return &ipLimiter{rate: r, burst: burst, ips: map[string]*ipEntry{}, swept: time.Now()}
}

func (l *ipLimiter) allow(ip string) bool {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, e := range l.ips {
			if now.Sub(e.seen) > 3*time.Minute {
				delete(l.ips, k)
			}
		}
		l.swept = now
	}
	e, ok := l.ips[ip]
	if !ok {
		e = &ipEntry{lim: rate.NewLimiter(l.rate, l.burst)}
		l.ips[ip] = e
	}
	e.seen = now
	return e.lim.AllowN(now, 1)
}

// public guards a public route: callers with a valid API key pass (and are
// identified); anonymous callers are rate-limited per client IP (429).
func (s *Service) public(c *gin.Context) {
	if p, _, ok := s.lookupKey(c); ok {
		c.Set(principalKey, p)
		c.Next()
		return
	}
	if !s.limiter.allow(c.ClientIP()) {
		c.Header("Retry-After", "1")
		s.Fail(c, domain.Errorf(CodeRateLimited, "too many requests from this address; retry shortly"))
		return
	}
	c.Next()
}

// ParseTrustedProxies reads a comma-separated list of IPs and CIDRs (the
// load balancers in front of the API) for Deps.TrustedProxies.
func ParseTrustedProxies(list string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(list, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				return nil, fmt.Errorf("trusted proxy %q is neither an IP nor a CIDR", p)
			}
		}
		out = append(out, p)
	}
	return out, nil
}
