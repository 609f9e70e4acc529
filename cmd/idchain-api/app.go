package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/cache"
	"github.com/idchain/idchain/gateway-api/httpapi"
	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/internal/hotcache"
	"github.com/idchain/idchain/profile"
)

// app is the wired service: Fabric, Redis cache, coalescer, event
// listener and the public site.
type app struct {
	log       *slog.Logger
	reg       *prometheus.Registry
	fab       *ledger.Fabric
	cache     *cache.Cache
	rdb       redis.UniversalClient
	redisURL  string
	coalescer *ledger.Coalescer
	listener  *ledger.Listener
	site      *siteWiring
	hot       *hotcache.Cache
	// afterCommit is the after-commit path of every write (ledger.AfterCommit).
	afterCommit func(ctx context.Context, done ledger.Committed)
	// recordScans: this API records first scans on-chain (onlyOrg).
	recordScans bool
	users       map[string]httpapi.Principal
	keys        map[string]string
	user        string // the service user
	// ents: enterprise onboarding and users (issue 15, enterprises.go).
	ents      httpapi.EnterpriseDeps
	closeEnts func()
}

func openApp(cfg config, log *slog.Logger) (*app, error) {
	prof, err := profile.Load(cfg.profile)
	if err != nil {
		return nil, err
	}
	a := &app{log: log, reg: prometheus.NewRegistry(), user: cfg.serviceUser, users: map[string]httpapi.Principal{}}
	if a.recordScans, err = onlyOrg(prof, cfg.org); err != nil {
		return nil, err
	}
	if a.keys, err = loadKeyHashes(cfg.keys); err != nil {
		return nil, err
	}
	a.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	lm := ledger.NewMetrics(a.reg)
	if a.fab, err = ledger.Open(prof, ledger.Config{Metrics: lm}); err != nil {
		return nil, err
	}
	for _, id := range a.fab.Identities() {
		a.users[id.Name] = httpapi.Principal{Name: id.Name, MSPID: id.MSPID, Role: id.Role}
		if a.user == "" {
			a.user = id.Name
		}
	}
	if _, ok := a.users[a.user]; !ok {
		a.fab.Close()
		return nil, fmt.Errorf("service user %q is not in the profile", a.user)
	}
	for h, u := range a.keys {
		if _, ok := a.users[u]; !ok {
			delete(a.keys, h) // another org's user (-org): its key is refused
		}
	}
	a.redisURL = cfg.redisURL
	if a.redisURL == "" {
		a.redisURL = prof.RedisURL
	}
	if a.cache, a.rdb, err = cache.New(a.fab, a.redisURL, cache.Config{TTL: cfg.cacheTTL, Registerer: a.reg}); err != nil {
		a.fab.Close()
		return nil, err
	}
	store, err := accountStore(cfg, a.rdb)
	if err == nil {
		a.ents, a.closeEnts, err = newEnterprises(prof, a.fab, store, a.user, log)
	}
	if err != nil {
		_ = a.rdb.Close()
		a.fab.Close()
		return nil, err
	}
	a.site = newSite(prof, a.rdb, a.cache, a.user, cfg.publicURL)
	// The in-process cache of rendered answers in front of Redis: dropped
	// with the Redis entries (cache.Views), flushed with them, TTL backstop.
	a.hot = hotcache.New(hotcache.Config{TTL: cfg.hotTTL, MaxEntries: cfg.hotMax})
	views := cache.Views{Shared: a.cache, Hot: a.hot}
	// The one after-commit path of every write (direct, or once per
	// coalesced transaction); the listener drops with the same views.Drop.
	a.afterCommit = ledger.AfterCommit{AwaitPeers: a.fab.AwaitPeers, Drop: views.Drop}.Run
	a.coalescer = ledger.NewCoalescer(a.fab, ledger.CoalescerConfig{
		MaxItems: cfg.batchMax, MaxWait: cfg.batchWait, InFlight: cfg.batchInFlight, Metrics: lm,
		AfterCommit: a.afterCommit})
	if err := os.MkdirAll(filepath.Dir(cfg.checkpoint), 0o700); err != nil {
		a.close()
		return nil, err
	}
	a.listener = &ledger.Listener{
		Fabric: a.fab, User: a.user, Checkpoint: cfg.checkpoint, Log: log,
		Handle: func(ctx context.Context, ev domain.ChaincodeEvent) error {
			if ev.Partial {
				// More affected items than the event lists (a recall of any
				// size): views.Drop starts a new cache epoch.
				log.Info("partial chaincode event: new cache epoch", "type", ev.Type, "txId", ev.TxID)
			}
			views.Drop(ctx, ev)
			log.Debug("chaincode event", "type", ev.Type, "txId", ev.TxID, "ids", len(ev.IDs))
			return nil
		},
		OnGap: func(ctx context.Context) {
			log.Info("no event checkpoint yet: flushing the cache")
			a.hot.Flush()
			a.cache.Flush(ctx)
		},
	}
	return a, nil
}

func (a *app) close() {
	if a.coalescer != nil {
		a.coalescer.Close()
	}
	_ = a.rdb.Close()
	if a.closeEnts != nil {
		a.closeEnts()
	}
	a.fab.Close()
}

// start runs the background loops: the event listener, peer heights
// (cross-org read-your-writes: a write answers once every org's peer has
// its block, at most 3 s; docs/network.md "Open problems") and the site's
// loops. The returned func stops them and waits.
func (a *app) start(ctx context.Context) func() {
	lctx, stopAll := context.WithCancel(ctx)
	listenerDone := make(chan error, 1)
	go func() { listenerDone <- a.listener.Run(lctx) }()
	heights := a.fab.TrackHeights(3*time.Second, a.log)
	heightsDone := make(chan struct{})
	go func() { heights.Run(lctx); close(heightsDone) }()
	go a.hot.SweepEvery(lctx, 5*time.Second)
	a.site.run(lctx, a.fab, a.user, a.recordScans, a.log)
	return func() { stopAll(); <-heightsDone; <-listenerDone }
}

func (a *app) deps(cfg config) httpapi.Deps {
	return httpapi.Deps{
		Ledger: a.fab, Reads: a.cache, Registrar: a.coalescer,
		AfterCommit: a.afterCommit,
		Hot:         a.hot,
		Jobs:        cache.NewJobs(a.rdb, 24*time.Hour),
		BypassCache: cache.Bypass,
		Users:       a.users, Keys: a.keys, ServiceUser: a.user, NamedQueries: cache.NewNamedQueries(a.rdb),
		Mounts:      []httpapi.Mounter{a.site.site},
		Enterprises: a.ents,
		Checks: []httpapi.Check{
			{Name: "fabric", Required: true, Run: func(ctx context.Context) error {
				_, err := a.fab.Evaluate(ctx, ledger.Call{User: a.user, Fn: ledger.FnPing})
				if err != nil && domain.CodeOf(err) != domain.CodeInternal && domain.CodeOf(err) != domain.CodeUnavailable {
					return nil // the chaincode answered, with a rule error
				}
				return err
			}},
			{Name: "redis", Run: a.cache.Ping},
			{Name: "events", Run: func(context.Context) error {
				if !a.listener.Connected() {
					return errors.New("chaincode event stream not connected")
				}
				return nil
			}},
		},
		Log: a.log, Registry: a.reg,
		PublicRate: rate.Limit(cfg.publicRate), PublicBurst: cfg.publicBurst,
		TrustedProxies: cfg.trustedProxies,
	}
}

func (a *app) handler(cfg config) http.Handler { return httpapi.NewServer(a.deps(cfg)) }

// opsHandler serves /metrics and the detailed /readyz (httpapi.NewOps).
func (a *app) opsHandler() http.Handler {
	return httpapi.NewOps(httpapi.Deps{Checks: a.deps(config{}).Checks, Log: a.log, Registry: a.reg})
}
