package httpapi

import (
	"context"
	"time"

	"github.com/idchain/idchain/gateway-api/cache"
)

// ScanCounter counts public scans of serialized units (cache.Scans).
type ScanCounter interface {
	Hit(ctx context.Context, id string, now, known time.Time) (cache.ScanInfo, error)
	Peek(ctx context.Context, id string) (cache.ScanInfo, error)
}

// AlertBook keeps the owners' anti-diversion alerts (cache.Scans).
type AlertBook interface {
	AddAlert(ctx context.Context, a cache.Alert) (bool, error)
	Alerts(ctx context.Context, owner string, limit int) ([]cache.Alert, error)
}

// StatsSource serves the dashboard counters (cache.Scans).
type StatsSource interface {
	Stats(ctx context.Context, days []string) (map[string]map[cache.StatKey]int64, error)
}

// PublicDeps is what the public pages (issue 8: verify, /v/ page, QR
// labels, Handle and Digital Link resolution, dashboard) need beyond the
// ledger. Every field may be left zero: nil stores turn the feature off.
type PublicDeps struct {
	Scans  ScanCounter
	Alerts AlertBook
	Stats  StatsSource
	// BaseURL is the public origin printed in QR codes and Handle values
	// ("https://id.example.cn"); empty: taken from each request.
	BaseURL string
	// OrgNames maps an MSP ID to the organisation's display name.
	OrgNames map[string]string
	// DashboardMSPs may open /dashboard (the platform operator), besides
	// every regulator.
	DashboardMSPs []string
	// ScanWarnAfter: more scans than this raise a cloned-code warning
	// (default 20). ScanWarnAge: a unit first verified longer ago than this
	// raises one too (default 90 days).
	ScanWarnAfter int64
	ScanWarnAge   time.Duration
	Now           func() time.Time
}

func (p *PublicDeps) defaults() {
	if p.ScanWarnAfter <= 0 {
		p.ScanWarnAfter = 20
	}
	if p.ScanWarnAge <= 0 {
		p.ScanWarnAge = 90 * 24 * time.Hour
	}
	if p.Now == nil {
		p.Now = time.Now
	}
}

// orgName is the display name of an MSP ID (the ID itself if unknown).
func (s *Service) orgName(msp string) string {
	if n := s.deps.Public.OrgNames[msp]; n != "" {
		return n
	}
	return msp
}
