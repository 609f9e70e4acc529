package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/httpapi"
	"github.com/idchain/idchain/profile"
)

type config struct {
	addr, opsAddr, profile, keys, accounts, redisURL, checkpoint, serviceUser, logLevel, org string
	// accountsStore is "dir" (accounts in the directory accounts: one
	// API process) or "redis" (shared by replicas; keys sealed with the
	// key-encryption key in the file accountsKEK).
	accountsStore, accountsKEK string
	// publicURL is the origin printed in QR labels and Handle records.
	publicURL                   string
	trustedProxies              []string
	cacheTTL, batchWait, hotTTL time.Duration
	hotMax                      int
	batchMax                    int
	batchInFlight               int
	publicBurst                 int
	publicRate                  float64
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
	var proxies string
	fs.StringVar(&c.addr, "addr", env("IDCHAIN_API_ADDR", "127.0.0.1:8080"), "public listen address (IDCHAIN_API_ADDR)")
	fs.StringVar(&c.opsAddr, "ops-addr", env("IDCHAIN_OPS_ADDR", "127.0.0.1:8070"), "operations listen address: /metrics, /readyz with error text; keep it off the public network (IDCHAIN_OPS_ADDR)")
	fs.StringVar(&c.publicURL, "public-url", getenv("IDCHAIN_PUBLIC_URL"), "public origin printed in QR labels and Handle records, e.g. https://id.example.cn; default http://<addr> (IDCHAIN_PUBLIC_URL)")
	fs.StringVar(&proxies, "trusted-proxies", getenv("IDCHAIN_TRUSTED_PROXIES"), "comma-separated IPs or CIDRs of the proxies whose X-Forwarded-For names the client for the per-IP limit; default none (IDCHAIN_TRUSTED_PROXIES)")
	fs.StringVar(&c.profile, "profile", env("IDCHAIN_PROFILE", "network/.run/profile.json"), "network profile (IDCHAIN_PROFILE)")
	fs.StringVar(&c.keys, "keys", env("IDCHAIN_API_KEYS", "network/.run/api/keys.json"), "API key hash file (IDCHAIN_API_KEYS)")
	fs.StringVar(&c.redisURL, "redis", getenv("IDCHAIN_REDIS_URL"), "Redis URL; default the profile's redisUrl (IDCHAIN_REDIS_URL)")
	fs.StringVar(&c.checkpoint, "checkpoint", env("IDCHAIN_API_CHECKPOINT", "network/.run/api/events.checkpoint"), "chaincode event checkpoint file (IDCHAIN_API_CHECKPOINT)")
	fs.StringVar(&c.serviceUser, "service-user", getenv("IDCHAIN_API_SERVICE_USER"), "identity for public reads and the event stream; default the profile's first user (IDCHAIN_API_SERVICE_USER)")
	fs.StringVar(&c.accounts, "accounts", env("IDCHAIN_API_ACCOUNTS", "network/.run/api/accounts"), "enterprise user store (IDCHAIN_API_ACCOUNTS)")
	fs.StringVar(&c.accountsStore, "accounts-store", env("IDCHAIN_API_ACCOUNTS_STORE", "dir"), "where enterprise users live: dir (the -accounts directory, one API process) or redis (the API's Redis, shared by every replica; needs -accounts-kek) (IDCHAIN_API_ACCOUNTS_STORE)")
	fs.StringVar(&c.accountsKEK, "accounts-kek", getenv("IDCHAIN_API_ACCOUNTS_KEK"), "file (0600) with the 64-hex-character key that seals custodial users' enrollment keys in Redis; the same on every replica (IDCHAIN_API_ACCOUNTS_KEK)")
	fs.StringVar(&c.org, "org", getenv("IDCHAIN_API_ORG"), "serve only this MSP's users: the process loads no other org's keys and refuses their API keys (one API per org); empty: every org (IDCHAIN_API_ORG)")
	fs.StringVar(&c.logLevel, "log-level", env("IDCHAIN_LOG_LEVEL", "info"), "debug, info, warn or error (IDCHAIN_LOG_LEVEL)")
	fs.DurationVar(&c.cacheTTL, "cache-ttl", dur("IDCHAIN_CACHE_TTL", 5*time.Minute), "cache entry backstop TTL (IDCHAIN_CACHE_TTL)")
	fs.DurationVar(&c.batchWait, "batch-wait", dur("IDCHAIN_BATCH_WAIT", 5*time.Millisecond), "how long a registration waits for others to share its transaction (IDCHAIN_BATCH_WAIT)")
	fs.DurationVar(&c.hotTTL, "hot-ttl", dur("IDCHAIN_HOT_TTL", time.Second), "lifetime of an answer in the in-process cache: the bound on a replica's staleness when its event stream lags (IDCHAIN_HOT_TTL)")
	fs.IntVar(&c.hotMax, "hot-max", num("IDCHAIN_HOT_MAX", 10000), "ids kept in the in-process cache (IDCHAIN_HOT_MAX)")
	fs.IntVar(&c.batchMax, "batch-max", num("IDCHAIN_BATCH_MAX", domain.DefaultTxBatch), "items per registration transaction, 1-5000 (IDCHAIN_BATCH_MAX)")
	fs.IntVar(&c.batchInFlight, "batch-inflight", num("IDCHAIN_BATCH_INFLIGHT", 4), "registration transactions in flight per user (IDCHAIN_BATCH_INFLIGHT)")
	fs.Float64Var(&c.publicRate, "public-rate", float64(num("IDCHAIN_PUBLIC_RATE", 20)), "public requests per second per client IP (IDCHAIN_PUBLIC_RATE)")
	fs.IntVar(&c.publicBurst, "public-burst", num("IDCHAIN_PUBLIC_BURST", 40), "public request burst per client IP (IDCHAIN_PUBLIC_BURST)")
	if err := fs.Parse(args[1:]); err != nil {
		return c, err
	}
	switch c.accountsStore {
	case "dir":
	case "redis":
		if c.accountsKEK == "" {
			return c, fmt.Errorf("-accounts-store redis needs -accounts-kek (IDCHAIN_API_ACCOUNTS_KEK)")
		}
	default:
		return c, fmt.Errorf("-accounts-store %q: want dir or redis", c.accountsStore)
	}
	if c.batchMax < 1 || c.batchMax > domain.MaxTxBatch {
		return c, fmt.Errorf("batch-max %d: want 1-%d (the chaincode's limit per transaction)", c.batchMax, domain.MaxTxBatch)
	}
	var err error
	if c.trustedProxies, err = httpapi.ParseTrustedProxies(proxies); err != nil {
		return c, err
	}
	if c.publicURL, err = publicOrigin(c.publicURL, c.addr); err != nil {
		return c, err
	}
	return c, nil
}

// publicOrigin checks the configured public URL, or makes one from the
// listen address: links never take their host from a request.
func publicOrigin(configured, addr string) (string, error) {
	if configured == "" {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return "", fmt.Errorf("listen address %q: %w", addr, err)
		}
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		return "http://" + net.JoinHostPort(host, port), nil
	}
	u, err := url.Parse(configured)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" || strings.Trim(u.Path, "/") != "" {
		return "", fmt.Errorf("IDCHAIN_PUBLIC_URL %q: want an origin such as https://id.example.cn", configured)
	}
	return u.Scheme + "://" + u.Host, nil
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
