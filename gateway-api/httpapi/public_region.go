package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/cache"
	"github.com/idchain/idchain/gateway-api/ledger"
)

// maxRegionWalk bounds the ancestors searched for a shipping region.
const maxRegionWalk = 4

// checkRegion compares the region a scanning app reports with the sales
// region the unit (or its case/pallet/lot) was last shipped for and, on a
// mismatch, records a diversion alert for the owner. The consumer sees
// nothing of it; failures are only logged.
func (s *Service) checkRegion(c *gin.Context, v PublicView, owner, region string) {
	if s.deps.Public.Alerts == nil {
		return
	}
	region = normRegion(region)
	if region == "" || len(region) > 32 {
		return
	}
	authorised := s.shippedRegion(c, v.ID)
	if authorised == "" || regionWithin(region, authorised) {
		return
	}
	a := cache.Alert{Type: cache.AlertDiversion, ID: v.ID, Owner: owner, Region: region,
		Authorised: authorised, At: s.deps.Public.Now().UTC().Format(time.RFC3339), Scans: v.Scans}
	if _, err := s.deps.Public.Alerts.AddAlert(c.Request.Context(), a); err != nil {
		s.logger(c).Warn("diversion alert not recorded", "id", v.ID, "err", err.Error())
	}
}

// shippedRegion returns the region of the latest shipping event that names
// one, on the item or, failing that, on its nearest ancestor.
func (s *Service) shippedRegion(c *gin.Context, id string) string {
	var p domain.Provenance
	b, err := s.read(c, ledger.FnGetProvenance, id)
	if err != nil || decode(ledger.FnGetProvenance, b, &p) != nil {
		return ""
	}
	if r := lastRegion(p.Events); r != "" {
		return r
	}
	for i, anc := range p.Ancestors {
		if i == maxRegionWalk {
			break
		}
		var ap domain.Provenance
		b, err := s.read(c, ledger.FnGetProvenance, anc)
		if err != nil || decode(ledger.FnGetProvenance, b, &ap) != nil {
			continue
		}
		if r := lastRegion(ap.Events); r != "" {
			return r
		}
	}
	return ""
}

func lastRegion(evs []domain.Event) string {
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Type == domain.EventShipping && evs[i].Region != "" {
			return normRegion(evs[i].Region)
		}
	}
	return ""
}

// normRegion upper-cases and trims a region code ("cn-gd " → "CN-GD").
func normRegion(r string) string { return strings.ToUpper(strings.TrimSpace(r)) }

// regionWithin reports whether scanned lies in authorised: equal, or a
// finer code under it ("CN-GD-SZ" in "CN-GD"; "440300" in "44" or "4403").
// Both are normalised.
func regionWithin(scanned, authorised string) bool {
	if scanned == authorised {
		return true
	}
	if !strings.HasPrefix(scanned, authorised) {
		return false
	}
	rest := scanned[len(authorised):]
	if rest[0] == '-' || rest[0] == '.' {
		return true
	}
	// Administrative-division digits: "44" covers "440300"; "440000" (the
	// province written in full) covers "440300" too.
	return isDigitsOnly(authorised) && isDigitsOnly(rest)
}

func isDigitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// alerts lists the caller's organisation's anti-diversion alerts, newest
// first (?limit=, default 100). A regulator may name ?owner=.
func (s *Service) alerts(c *gin.Context) {
	p, _ := Caller(c)
	owner := p.MSPID
	if o := c.Query("owner"); o != "" && o != owner {
		if p.Role != RoleRegulator {
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
	list := []cache.Alert{}
	if s.deps.Public.Alerts != nil {
		got, err := s.deps.Public.Alerts.Alerts(c.Request.Context(), owner, limit)
		if err != nil {
			s.logger(c).Warn("alerts unavailable", "err", err.Error())
			s.Fail(c, domain.Errorf(domain.CodeUnavailable, "alerts are unavailable; retry later"))
			return
		}
		list = append(list, got...)
	}
	c.JSON(http.StatusOK, gin.H{"owner": owner, "alerts": list})
}
