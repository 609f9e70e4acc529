package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/gateway-api/scans"
	"github.com/idchain/idchain/gateway-api/site"
	"github.com/idchain/idchain/profile"
)

// siteWiring holds the public site (gateway-api/site) and its Redis-backed
// parts (gateway-api/scans): scan counter, alerts, dashboard counters, and
// the background loops that record first scans on-chain and count
// chaincode events.
type siteWiring struct {
	scans *scans.Scans
	stats *scans.StatsRecorder
	site  *site.Site
}

// newSite builds the site. IDCHAIN_PUBLIC_URL is the origin printed in QR
// labels and Handle values (default: each request's host).
func newSite(prof *profile.Profile, rdb redis.UniversalClient, reads scans.Evaluator, serviceUser string, getenv func(string) string) *siteWiring {
	sc := scans.NewScans(rdb, 0)
	cfg := site.Config{Scans: sc, Alerts: sc, Stats: sc,
		BaseURL: getenv("IDCHAIN_PUBLIC_URL"), OrgNames: map[string]string{}}
	for _, o := range prof.Orgs {
		cfg.OrgNames[o.MSPID] = o.DisplayName
		if o.Name == "platform" {
			cfg.DashboardMSPs = append(cfg.DashboardMSPs, o.MSPID)
		}
	}
	return &siteWiring{scans: sc, stats: scans.NewStatsRecorder(sc, reads, serviceUser), site: site.New(cfg)}
}

// run records queued first scans on-chain (when recordScans) every 2 s in batches of up to
// 500 (public:RecordFirstScans, as the service user) and counts chaincode
// events from their own feed (ledger.EventFeed), until ctx ends.
func (w *siteWiring) run(ctx context.Context, fab *ledger.Fabric, serviceUser string, recordScans bool, log *slog.Logger) {
	record := func(ctx context.Context, batch []scans.FirstScan) error {
		arg, err := json.Marshal(batch)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		_, err = fab.Submit(ctx, ledger.Call{User: serviceUser, Fn: ledger.FnRecordScans, Args: []string{string(arg)}})
		return err
	}
	if recordScans { // an org's own API (-org) leaves them to the platform's
		go w.scans.RunFirstScans(ctx, 2*time.Second, 500, record, func(err error) {
			log.Warn("first scans not recorded yet", "err", err.Error())
		})
	}
	feed, err := fab.EventFeed(serviceUser)
	if err != nil {
		log.Error("dashboard counters not kept", "err", err.Error())
		return
	}
	go w.stats.Run(ctx, feed, func(err error) {
		log.Warn("dashboard counters: event stream ended; reconnecting", "err", err.Error())
	})
}
