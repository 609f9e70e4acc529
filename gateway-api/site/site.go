// Package site is the public web site beside the REST API (issue 8): the
// consumer verify page and JSON, GS1 Digital Link and Handle resolution,
// QR labels for owners, owner alerts, and the regulator dashboard. It reads
// public ledger data through the API's cached service reads (httpapi.Kit)
// and keeps scan counts, alerts and dashboard figures in gateway-api/scans.
// Its routes are in routes.go; main mounts it with httpapi.Deps.Mounts.
package site

import (
	"context"
	"time"

	"github.com/idchain/idchain/gateway-api/httpapi"
	"github.com/idchain/idchain/gateway-api/scans"
)

// ScanCounter counts public scans of serialized units (scans.Scans).
type ScanCounter interface {
	Hit(ctx context.Context, id string, now, known time.Time) (scans.ScanInfo, error)
	Peek(ctx context.Context, id string) (scans.ScanInfo, error)
}

// AlertBook keeps the owners' anti-diversion alerts (scans.Scans).
type AlertBook interface {
	AddAlert(ctx context.Context, a scans.Alert) (bool, error)
	Alerts(ctx context.Context, owner string, limit int) ([]scans.Alert, error)
}

// StatsSource serves the dashboard counters (scans.Scans).
type StatsSource interface {
	Stats(ctx context.Context, days []string) (map[string]map[scans.StatKey]int64, error)
}

// Config is what the public pages (issue 8: verify, /v/ page, QR
// labels, Handle and Digital Link resolution, dashboard) need beyond the
// ledger. Every field may be left zero: nil stores turn the feature off.
type Config struct {
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

func (p *Config) defaults() {
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

// Site holds the public site's handlers; New makes one, Mount adds its
// routes to the API's engine.
type Site struct {
	*httpapi.Kit
	cfg Config
}

// New returns the site for cfg (zero fields take their defaults).
func New(cfg Config) *Site {
	cfg.defaults()
	return &Site{cfg: cfg}
}

// orgName is the display name of an MSP ID (the ID itself if unknown).
func (s *Site) orgName(msp string) string {
	if n := s.cfg.OrgNames[msp]; n != "" {
		return n
	}
	return msp
}
