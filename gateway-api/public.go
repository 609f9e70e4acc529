package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/idchain/idchain/gateway-api/cache"
	"github.com/idchain/idchain/gateway-api/httpapi"
	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/network/profile"
)

// publicWiring holds the Redis-backed parts of the public pages (issue 8):
// scan counter, alerts, dashboard counters, and the background
// loops that record first scans on-chain and count chaincode events.
type publicWiring struct {
	prof  *profile.Profile
	scans *cache.Scans
	stats *cache.StatsRecorder
	deps  httpapi.PublicDeps
}

// newPublic builds the public dependencies. IDCHAIN_PUBLIC_URL is the origin
// printed in QR labels and Handle values (default: each request's host).
func newPublic(prof *profile.Profile, rdb redis.UniversalClient, reads cache.Evaluator, serviceUser string, getenv func(string) string) *publicWiring {
	scans := cache.NewScans(rdb, 0)
	w := &publicWiring{prof: prof, scans: scans, stats: cache.NewStatsRecorder(scans, reads, serviceUser)}
	w.deps = httpapi.PublicDeps{Scans: scans, Alerts: scans, Stats: scans,
		BaseURL: getenv("IDCHAIN_PUBLIC_URL"), OrgNames: map[string]string{}}
	for _, o := range prof.Orgs {
		w.deps.OrgNames[o.MSPID] = o.DisplayName
		if o.Name == "platform" {
			w.deps.DashboardMSPs = append(w.deps.DashboardMSPs, o.MSPID)
		}
	}
	return w
}

// run records queued first scans on-chain every 2 s in batches of up to
// 500 (public:RecordFirstScans, as the service user) and counts chaincode
// events from their own stream (statsfeed.go), until ctx ends.
func (w *publicWiring) run(ctx context.Context, fab *ledger.Fabric, serviceUser string, log *slog.Logger) {
	record := func(ctx context.Context, batch []cache.FirstScan) error {
		arg, err := json.Marshal(batch)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		_, err = fab.Submit(ctx, ledger.Call{User: serviceUser, Fn: ledger.FnRecordScans, Args: []string{string(arg)}})
		return err
	}
	go w.scans.RunFirstScans(ctx, 2*time.Second, 500, record, func(err error) {
		log.Warn("first scans not recorded yet", "err", err.Error())
	})
	feed, err := openStatsFeed(w.prof, fab, serviceUser)
	if err != nil {
		log.Error("dashboard counters not kept", "err", err.Error())
		return
	}
	go w.stats.Run(ctx, feed, func(err error) {
		log.Warn("dashboard counters: event stream ended; reconnecting", "err", err.Error())
	})
}
