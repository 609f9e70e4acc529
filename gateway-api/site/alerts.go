package site

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/httpapi"
	"github.com/idchain/idchain/gateway-api/scans"
)

// alerts lists the caller's organisation's anti-diversion alerts, newest
// first (?limit=, default 100). A regulator may name ?owner=.
func (s *Site) alerts(c *gin.Context) {
	p, _ := httpapi.Caller(c)
	owner := p.MSPID
	if o := c.Query("owner"); o != "" && o != owner {
		if !domain.IsRegulator(p.MSPID, p.Role) {
			s.Fail(c, domain.Errorf(domain.CodeForbidden, "only a regulator may read another organisation's alerts"))
			return
		}
		owner = o
	}
	limit := 100
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			s.Fail(c, domain.Errorf(domain.CodeInvalid, "limit must be 1-1000"))
			return
		}
		limit = n
	}
	list := []scans.Alert{}
	if s.cfg.Alerts != nil {
		got, err := s.cfg.Alerts.Alerts(c.Request.Context(), owner, limit)
		if err != nil {
			s.Logger(c).Warn("alerts unavailable", "err", err.Error())
			s.Fail(c, domain.Errorf(domain.CodeUnavailable, "alerts are unavailable; retry later"))
			return
		}
		list = append(list, got...)
	}
	c.JSON(http.StatusOK, gin.H{"owner": owner, "alerts": list})
}
