package site

import (
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/httpapi"
	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/gateway-api/scans"
)

// maxRegionWalk bounds the ancestors searched for a shipping region.
const maxRegionWalk = 4

// checkRegion compares the region a scanning app reports with the sales
// region the unit (or its case/pallet/lot) was last shipped for and, on a
// mismatch, records a diversion alert for the owner. The consumer sees
// nothing of it; failures are only logged.
func (s *Site) checkRegion(c *gin.Context, v PublicView, owner, region string) {
	if s.cfg.Alerts == nil {
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
	a := scans.Alert{Type: scans.AlertDiversion, ID: v.ID, Owner: owner, Region: region,
		Authorised: authorised, At: s.cfg.Now().UTC().Format(time.RFC3339), Scans: v.Scans}
	if _, err := s.cfg.Alerts.AddAlert(c.Request.Context(), a); err != nil {
		s.Logger(c).Warn("diversion alert not recorded", "id", v.ID, "err", err.Error())
	}
}

// shippedRegion returns the region of the latest shipping event that names
// one, on the item or, failing that, on its nearest ancestor.
func (s *Site) shippedRegion(c *gin.Context, id string) string {
	var p domain.Provenance
	b, err := s.Read(c, ledger.FnGetProvenance, id)
	if err != nil || httpapi.Decode(ledger.FnGetProvenance, b, &p) != nil {
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
		b, err := s.Read(c, ledger.FnGetProvenance, anc)
		if err != nil || httpapi.Decode(ledger.FnGetProvenance, b, &ap) != nil {
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
