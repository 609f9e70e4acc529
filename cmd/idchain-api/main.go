// Command idchain-api is the idchain REST service (DESIGN §2, §6).
//
//	idchain-api [flags]        serve
//	idchain-api keys [flags]   issue API keys for the profile's users (set-up)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/time/rate"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/cache"
	"github.com/idchain/idchain/gateway-api/httpapi"
	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/internal/hotcache"
	"github.com/idchain/idchain/profile"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "idchain-api:", err)
		os.Exit(1)
	}
}

type config struct {
	addr, profile, keys, accounts, redisURL, checkpoint, serviceUser, logLevel, org string
	cacheTTL, batchWait, hotTTL                                                     time.Duration
	batchMax, batchInFlight, publicBurst, hotMax                                    int
	publicRate                                                                      float64
}

// onlyOrg drops every user of the other orgs from prof when org is set (one
// API per org: the process then holds only its own org's signing keys; the
// other orgs' peers stay, for endorsement and read-your-writes). It reports
// whether this API records first scans on-chain: only the platform's (the
// profile's first org) or the all-orgs API, since the chaincode takes them
// from the platform's service identity alone.
func onlyOrg(prof *profile.Profile, org string) (bool, error) {
	if org == "" {
		return true, nil
	}
	found := false
	for i := range prof.Orgs {
		if prof.Orgs[i].MSPID == org {
			found = true
			continue
		}
		prof.Orgs[i].Users = nil
	}
	if !found {
		return false, fmt.Errorf("-org %s is not an org of the profile", org)
	}
	return prof.Orgs[0].MSPID == org, nil
}

// envOr returns the environment value of name, or def.
func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(name, def string) string { return envOr(getenv, name, def) }
	dur := func(name string, def time.Duration) time.Duration {
		if d, err := time.ParseDuration(getenv(name)); err == nil {
			return d
		}
		return def
	}
	num := func(name string, def int) int {
		if n, err := strconv.Atoi(getenv(name)); err == nil {
			return n
		}
		return def
	}
	fs.StringVar(&c.addr, "addr", env("IDCHAIN_API_ADDR", "127.0.0.1:8080"), "listen address (IDCHAIN_API_ADDR)")
	fs.StringVar(&c.profile, "profile", env("IDCHAIN_PROFILE", "network/.run/profile.json"), "network profile (IDCHAIN_PROFILE)")
	fs.StringVar(&c.accounts, "accounts", env("IDCHAIN_API_ACCOUNTS", "network/.run/api/accounts"), "enterprise user store (IDCHAIN_API_ACCOUNTS)")
	fs.StringVar(&c.keys, "keys", env("IDCHAIN_API_KEYS", "network/.run/api/keys.json"), "API key hash file (IDCHAIN_API_KEYS)")
	fs.StringVar(&c.redisURL, "redis", getenv("IDCHAIN_REDIS_URL"), "Redis URL; default the profile's redisUrl (IDCHAIN_REDIS_URL)")
	fs.StringVar(&c.checkpoint, "checkpoint", env("IDCHAIN_API_CHECKPOINT", "network/.run/api/events.checkpoint"), "chaincode event checkpoint file (IDCHAIN_API_CHECKPOINT)")
	fs.StringVar(&c.serviceUser, "service-user", getenv("IDCHAIN_API_SERVICE_USER"), "identity for public reads and the event stream; default the profile's first user (IDCHAIN_API_SERVICE_USER)")
	fs.StringVar(&c.org, "org", getenv("IDCHAIN_API_ORG"), "serve only this MSP's users: the process loads no other org's keys and refuses their API keys (one API per org); empty: every org (IDCHAIN_API_ORG)")
	fs.StringVar(&c.logLevel, "log-level", env("IDCHAIN_LOG_LEVEL", "info"), "debug, info, warn or error (IDCHAIN_LOG_LEVEL)")
	fs.DurationVar(&c.cacheTTL, "cache-ttl", dur("IDCHAIN_CACHE_TTL", 5*time.Minute), "cache entry backstop TTL (IDCHAIN_CACHE_TTL)")
	fs.DurationVar(&c.batchWait, "batch-wait", dur("IDCHAIN_BATCH_WAIT", 5*time.Millisecond), "how long a registration waits for others to share its transaction (IDCHAIN_BATCH_WAIT)")
	fs.DurationVar(&c.hotTTL, "hot-ttl", dur("IDCHAIN_HOT_TTL", time.Second), "lifetime of an answer in the in-process cache: the bound on a replica's staleness when its event stream lags (IDCHAIN_HOT_TTL)")
	fs.IntVar(&c.hotMax, "hot-max", num("IDCHAIN_HOT_MAX", 10000), "ids kept in the in-process cache (IDCHAIN_HOT_MAX)")
	fs.IntVar(&c.batchMax, "batch-max", num("IDCHAIN_BATCH_MAX", 500), "items per registration transaction (IDCHAIN_BATCH_MAX)")
	fs.IntVar(&c.batchInFlight, "batch-inflight", num("IDCHAIN_BATCH_INFLIGHT", 4), "registration transactions in flight per user (IDCHAIN_BATCH_INFLIGHT)")
	fs.Float64Var(&c.publicRate, "public-rate", float64(num("IDCHAIN_PUBLIC_RATE", 20)), "public requests per second per client IP (IDCHAIN_PUBLIC_RATE)")
	fs.IntVar(&c.publicBurst, "public-burst", num("IDCHAIN_PUBLIC_BURST", 40), "public request burst per client IP (IDCHAIN_PUBLIC_BURST)")
	if err := fs.Parse(args[1:]); err != nil {
		return c, err
	}
	return c, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) > 1 && args[1] == "keys" {
		return runKeys(args[1:], getenv, stdout)
	}
	cfg, err := parseConfig(args, getenv, stdout)
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.logLevel)); err != nil {
		return fmt.Errorf("log level: %w", err)
	}
	log := slog.New(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: level}))

	prof, err := profile.Load(cfg.profile)
	if err != nil {
		return err
	}
	recordScans, err := onlyOrg(prof, cfg.org)
	if err != nil {
		return err
	}
	keys, err := loadKeyHashes(cfg.keys)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	lm := ledger.NewMetrics(reg)
	fab, err := ledger.Open(prof, ledger.Config{Metrics: lm})
	if err != nil {
		return err
	}
	defer fab.Close()

	users := map[string]httpapi.Principal{}
	for _, id := range fab.Identities() {
		users[id.Name] = httpapi.Principal{Name: id.Name, MSPID: id.MSPID, Role: id.Role}
		if cfg.serviceUser == "" {
			cfg.serviceUser = id.Name
		}
	}
	if _, ok := users[cfg.serviceUser]; !ok {
		return fmt.Errorf("service user %q is not in the profile", cfg.serviceUser)
	}
	for h, u := range keys {
		if _, ok := users[u]; !ok {
			delete(keys, h) // another org's user (-org): its key is refused
		}
	}

	ents, closeEnts, err := newEnterprises(prof, fab, cfg.accounts, cfg.serviceUser, log) // issue 15 (enterprises.go)
	if err != nil {
		return err
	}
	defer closeEnts()

	redisURL := cfg.redisURL
	if redisURL == "" {
		redisURL = prof.RedisURL
	}
	cch, rdb, err := cache.New(fab, redisURL, cache.Config{TTL: cfg.cacheTTL, Registerer: reg})
	if err != nil {
		return err
	}
	defer rdb.Close()
	pub := newSite(prof, rdb, cch, cfg.serviceUser, getenv) // issue 8: the public site (site.go)

	coalescer := ledger.NewCoalescer(fab, ledger.CoalescerConfig{
		MaxItems: cfg.batchMax, MaxWait: cfg.batchWait, InFlight: cfg.batchInFlight, Metrics: lm})
	defer coalescer.Close()

	if err := os.MkdirAll(filepath.Dir(cfg.checkpoint), 0o700); err != nil {
		return err
	}
	// The in-process cache of rendered answers in front of Redis: dropped
	// by id with the Redis entries, flushed with them, TTL backstop.
	hot := hotcache.New(hotcache.Config{TTL: cfg.hotTTL, MaxEntries: cfg.hotMax})
	invalidate := func(ctx context.Context, ids []string) {
		hot.Invalidate(ids...)
		cch.Invalidate(ctx, ids)
	}
	go hot.SweepEvery(ctx, 5*time.Second)
	listener := &ledger.Listener{
		Fabric: fab, User: cfg.serviceUser, Checkpoint: cfg.checkpoint, Log: log,
		Handle: func(ctx context.Context, ev domain.ChaincodeEvent) error {
			if ev.Partial {
				// More affected items than the event lists (a recall of any
				// size): every view may have changed. The in-process cache's
				// flush is O(1); the shared cache moves to a new epoch.
				log.Info("partial chaincode event: new cache epoch", "type", ev.Type, "txId", ev.TxID)
				hot.Flush()
				cch.NewEpoch(ctx, ev.TxID)
			}
			invalidate(ctx, ev.IDs)
			log.Debug("chaincode event", "type", ev.Type, "txId", ev.TxID, "ids", len(ev.IDs))
			return nil
		},
		OnGap: func(ctx context.Context) {
			log.Info("no event checkpoint yet: flushing the cache")
			hot.Flush()
			cch.Flush(ctx)
		},
	}
	lctx, stopListener := context.WithCancel(ctx)
	listenerDone := make(chan error, 1)
	go func() { listenerDone <- listener.Run(lctx) }()
	// Cross-org read-your-writes: a write answers once every org's peer has
	// its block (at most 3s; docs/network.md "Open problems").
	heights := fab.TrackHeights(3*time.Second, log)
	heightsDone := make(chan struct{})
	go func() { heights.Run(lctx); close(heightsDone) }()
	defer func() { stopListener(); <-heightsDone }()
	pub.run(lctx, fab, cfg.serviceUser, recordScans, log)
	defer func() { stopListener(); <-listenerDone }()

	handler := httpapi.NewServer(httpapi.Deps{
		Ledger: fab, Reads: cch, Registrar: coalescer,
		Invalidate:  invalidate,
		Hot:         hot,
		Jobs:        cache.NewJobs(rdb, 24*time.Hour),
		BypassCache: cache.Bypass,
		AwaitTx: func(ctx context.Context, txID string) {
			listener.Await(ctx, txID, 2*time.Second)
		},
		Users: users, Keys: keys, ServiceUser: cfg.serviceUser,
		Mounts:      []httpapi.Mounter{pub.site},
		Enterprises: ents,
		Checks: []httpapi.Check{
			{Name: "fabric", Required: true, Run: func(ctx context.Context) error {
				_, err := fab.Evaluate(ctx, ledger.Call{User: cfg.serviceUser, Fn: ledger.FnPing})
				if err != nil && domain.CodeOf(err) != domain.CodeInternal && domain.CodeOf(err) != domain.CodeUnavailable {
					return nil // the chaincode answered, with a rule error
				}
				return err
			}},
			{Name: "redis", Run: cch.Ping},
			{Name: "events", Run: func(context.Context) error {
				if !listener.Connected() {
					return errors.New("chaincode event stream not connected")
				}
				return nil
			}},
		},
		Log: log, Registry: reg,
		PublicRate: rate.Limit(cfg.publicRate), PublicBurst: cfg.publicBurst,
	})
	srv := &http.Server{
		Addr: cfg.addr, Handler: handler,
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 2 * time.Minute,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute,
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	log.Info("idchain-api listening", "addr", ln.Addr().String(), "profile", cfg.profile, "redis", cache.RedactURL(redisURL), "users", len(users))
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	log.Info("shutting down")
	return srv.Shutdown(sctx)
}
