// Command api-bench measures the gateway API side by side in one run:
//
//   - registration, items/s committed: (a) 1,000-item requests, (b) 64
//     concurrent single-item requests (coalesced by the API), (c) 64
//     concurrent single-item requests through an in-process copy of the
//     same handlers without the coalescer: one transaction per item;
//   - verify, req/s and p50/p99 with 32 clients: a hot id served from Redis
//     vs the same read from the ledger (cache bypassed).
//
// Needs the running system (make up).
//
//	go run ./scripts/bench/api-bench
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/idchain/idchain/gateway-api/httpapi"
	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/scripts/bench/benchkit"
)

func main() { benchkit.Main("api-bench", run) }

type config struct {
	bigRequests, bigClients  int
	packedRequests, packedN  int
	singleClients, singlePer int
	verifyClients            int
	verifyDuration           time.Duration
	jsonOut, tune, baseAPI   string
	singleOnly, withR        bool
	rounds                   int
	touchDuration            time.Duration
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	var c config
	fs := flag.NewFlagSet("api-bench", flag.ContinueOnError)
	fs.IntVar(&c.bigRequests, "big-requests", 8, "(a) number of 1,000-item requests")
	fs.IntVar(&c.bigClients, "big-clients", 4, "(a) concurrent clients")
	fs.IntVar(&c.packedRequests, "packed-requests", 200, "(p) number of packed-lot requests (one lot each, big-clients clients)")
	fs.IntVar(&c.packedN, "packed-units", 1000, "(p) units per packed lot")
	fs.IntVar(&c.singleClients, "single-clients", 64, "(b)/(c) concurrent single-item clients")
	fs.IntVar(&c.singlePer, "single-per-client", 8, "(b)/(c) requests per client")
	fs.IntVar(&c.verifyClients, "verify-clients", 32, "verify clients")
	fs.DurationVar(&c.verifyDuration, "verify-duration", 10*time.Second, "verify duration per mode")
	fs.StringVar(&c.jsonOut, "json", "", "also write results as JSON to this file")
	fs.StringVar(&c.baseAPI, "base-api", "", "URL of a second API over the same network (e.g. the previous build, same keys): single-item and hot verify measured on it too, for before/after ratios in one run")
	fs.StringVar(&c.tune, "tune", "", "coalescer settings to compare with the defaults, e.g. wait=20ms,inflight=8,max=500: (b) through two in-process APIs side by side")
	fs.BoolVar(&c.singleOnly, "single-only", false, "only (b), the synchronous single-item workload (and the -tune pair), with where its time goes; for quick side-by-side runs beside R")
	fs.IntVar(&c.rounds, "rounds", 1, "with -single-only and -tune: rounds of the two in-process APIs, measured alternately")
	fs.BoolVar(&c.withR, "with-r", false, "with -single-only: measure R first (scripts/bench/fabric at 32 clients, as make bench does) and print the ratio")
	fs.DurationVar(&c.touchDuration, "touch-duration", 15*time.Second, "with -with-r: R's measuring time")
	if err := fs.Parse(args); err != nil {
		return err
	}
	api, ids, err := benchkit.StartAPI(ctx, getenv)
	if err != nil {
		return err
	}
	prefix := ids.Prefix
	fmt.Fprintf(stdout, "api-bench: API %s, prefix %s\n", api.URL, prefix)
	if c.singleOnly {
		return runSingleOnly(ctx, c, api, ids, stdout)
	}

	var regs []benchkit.RegResult
	// The API reports one tx id per request; count its transactions from
	// its batch metric instead.
	const batches = "idchain_register_batch_items_count"
	counted := func(r benchkit.RegResult, before float64) benchkit.RegResult {
		if after, err := benchkit.Metric(ctx, api.Ops, batches); err == nil && before >= 0 {
			r.Txs = int(after - before)
		}
		return r
	}
	fmt.Fprintln(stdout, "(a) 1,000-item requests …")
	before, _ := benchkit.Metric(ctx, api.Ops, batches)
	regs = append(regs, counted(benchkit.Register(ctx, "(a) 1,000-item requests", api.URL, api.OperatorKey, c.bigRequests, c.bigClients, 1000, ids), before))
	packed, packedBytes, err := packedLots(ctx, stdout, c, api, ids, counted)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "(b) concurrent single-item requests, coalesced …")
	before, _ = benchkit.Metric(ctx, api.Ops, batches)
	regs = append(regs, counted(benchkit.Register(ctx, fmt.Sprintf("(b) %d concurrent single-item, coalesced", c.singleClients),
		api.URL, api.OperatorKey, c.singleClients*c.singlePer, c.singleClients, 1, ids), before))
	fmt.Fprintln(stdout, "(d) concurrent single-item requests, asynchronous (Prefer: respond-async) …")
	before, _ = benchkit.Metric(ctx, api.Ops, batches)
	async := counted(benchkit.RegisterAsync(ctx, fmt.Sprintf("(d) %d concurrent single-item, async 202+poll", c.singleClients),
		api.URL, api.OperatorKey, c.singleClients*c.singlePer, c.singleClients, ids), before)
	fmt.Fprintln(stdout, "(c) concurrent single-item requests, one transaction each …")
	direct, closeDirect, err := uncoalescedServer(api.ProfilePath)
	if err != nil {
		return err
	}
	regs = append(regs, benchkit.Register(ctx, fmt.Sprintf("(c) %d concurrent single-item, one tx per item", c.singleClients),
		direct, "bench", c.singleClients*c.singlePer, c.singleClients, 1, ids))
	closeDirect()
	regs = append(regs, async) // (d) after (a)–(c): they keep their indexes
	if c.tune != "" {
		tuned, err := parseTune(c.tune)
		if err != nil {
			return err
		}
		for _, t := range []struct {
			name string
			cfg  tuning
		}{{"defaults", tuning{}}, {c.tune, tuned}} {
			fmt.Fprintf(stdout, "(e) single-item requests, in-process coalescer %s …\n", t.name)
			url, closeSrv, err := inProcessServer(api.ProfilePath, &t.cfg.co, t.cfg.fab)
			if err != nil {
				return err
			}
			regs = append(regs, benchkit.Register(ctx, fmt.Sprintf("(e) %d single-item, coalescer %s", c.singleClients, t.name),
				url, "bench", c.singleClients*c.singlePer, c.singleClients, 1, ids))
			closeSrv()
		}
	}

	hot := prefix + "/B0000001"
	fmt.Fprintln(stdout, "verify: hot cached id vs ledger …")
	var reads []benchkit.ReadResult
	reads = append(reads, benchkit.Verify(ctx, "verify, cached", api.URL, api.OperatorKey, hot, false, c.verifyClients, c.verifyDuration))
	reads = append(reads, benchkit.Verify(ctx, "verify, ledger (cache bypassed)", api.URL, api.OperatorKey, hot, true, c.verifyClients, c.verifyDuration))

	if c.baseAPI != "" {
		if err := benchkit.LoopbackURL(c.baseAPI); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "base API %s: single-item and verify …\n", c.baseAPI)
		regs = append(regs, benchkit.Register(ctx, fmt.Sprintf("(base) %d concurrent single-item, coalesced", c.singleClients),
			c.baseAPI, api.OperatorKey, c.singleClients*c.singlePer, c.singleClients, 1, ids))
		reads = append(reads, benchkit.Verify(ctx, "(base) verify, cached", c.baseAPI, api.OperatorKey, hot, false, c.verifyClients, c.verifyDuration))
	}
	fmt.Fprintf(stdout, "\n%-48s %8s %8s %6s %8s %10s %8s %10s %6s\n", "registration", "items", "requests", "txs", "seconds", "items/s", "p50 ms", "commit p50", "failed")
	for _, r := range append(regs, packed) {
		fmt.Fprintf(stdout, "%-48s %8d %8d %6d %8.2f %10.1f %8.1f %10.1f %6d\n", r.Name, r.Items, r.Requests, r.Txs, r.Seconds, r.ItemsPerS, r.P50ms, r.CommitP50ms, r.Failed)
	}
	if base := regs[2].ItemsPerS; base > 0 {
		fmt.Fprintf(stdout, "ratio (a)/(c) = %.1fx   (b)/(c) = %.1fx   (d)/(c) = %.1fx\n", regs[0].ItemsPerS/base, regs[1].ItemsPerS/base, regs[3].ItemsPerS/base)
	}
	fmt.Fprintf(stdout, "\n%-36s %8s %10s %8s %8s %7s %6s\n", "verify", "clients", "req/s", "p50 ms", "p99 ms", "reqs", "failed")
	for _, r := range reads {
		fmt.Fprintf(stdout, "%-36s %8d %10.1f %8.2f %8.2f %7d %6d\n", r.Name, r.Clients, r.PerS, r.P50ms, r.P99ms, r.Count, r.Failed)
	}
	if reads[1].PerS > 0 {
		fmt.Fprintf(stdout, "ratio cached/ledger = %.1fx req/s, p50 %.1fx lower\n", reads[0].PerS/reads[1].PerS, reads[1].P50ms/max(reads[0].P50ms, 1e-9))
	}
	if c.jsonOut != "" {
		return benchkit.WriteJSON(c.jsonOut, map[string]any{"at": time.Now().UTC(), "registration": regs, "verify": reads,
			"packed": packed, "packedBytes": packedBytes})
	}
	return nil
}

// uncoalescedServer runs the API's handlers in-process over the same
// network with no coalescer: each request is its own transaction.
func uncoalescedServer(profilePath string) (string, func(), error) {
	return inProcessServer(profilePath, nil, ledger.Config{})
}

// inProcessServer runs the API's handlers in-process over the same network,
// with a coalescer of config cc (nil: none), accepting the key "bench" as
// maker-operator.
func inProcessServer(profilePath string, cc *ledger.CoalescerConfig, fc ledger.Config) (string, func(), error) {
	url, _, closeSrv, err := inProcessServerOps(profilePath, cc, fc)
	return url, closeSrv, err
}

// inProcessServerOps is inProcessServer with the in-process API's ledger
// metrics served at ops (/metrics), as the API's operations listener does.
func inProcessServerOps(profilePath string, cc *ledger.CoalescerConfig, fc ledger.Config) (url, ops string, closeAll func(), err error) {
	prof, err := benchkit.LoadProfile(profilePath)
	if err != nil {
		return "", "", nil, err
	}
	reg := prometheus.NewRegistry()
	fc.Metrics = ledger.NewMetrics(reg)
	opsSrv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	fab, err := ledger.Open(prof, fc)
	if err != nil {
		opsSrv.Close()
		return "", "", nil, err
	}
	users := map[string]httpapi.Principal{}
	for _, id := range fab.Identities() {
		users[id.Name] = httpapi.Principal{Name: id.Name, MSPID: id.MSPID, Role: id.Role}
	}
	deps := httpapi.Deps{
		Ledger: fab, Users: users, Keys: map[string]string{httpapi.HashKey("bench"): "maker-operator"},
		ServiceUser: "maker-operator",
	}
	closeCoalescer := func() {}
	if cc != nil {
		// The API's after-commit wait (every org's peer has the block), so a
		// tuned coalescer is compared on the path the API takes.
		hctx, stopHeights := context.WithCancel(context.Background())
		heights := fab.TrackHeights(3*time.Second, slog.New(slog.NewTextHandler(io.Discard, nil)))
		heightsDone := make(chan struct{})
		go func() { heights.Run(hctx); close(heightsDone) }()
		cfg := *cc
		cfg.Metrics = fc.Metrics
		cfg.AfterCommit = ledger.AfterCommit{AwaitPeers: fab.AwaitPeers}.Run
		deps.AfterCommit = cfg.AfterCommit
		co := ledger.NewCoalescer(fab, cfg)
		deps.Registrar, closeCoalescer = co, func() { co.Close(); stopHeights(); <-heightsDone }
	}
	srv := httptest.NewServer(httpapi.NewServer(deps))
	return srv.URL, opsSrv.URL, func() { srv.Close(); closeCoalescer(); fab.Close(); opsSrv.Close() }, nil
}

// tuning is what -tune changes in the in-process API: its coalescer and
// its Fabric access.
type tuning struct {
	co  ledger.CoalescerConfig
	fab ledger.Config
}

// parseTune reads "wait=20ms,inflight=8,max=500,endorsers=gateway" into a
// tuning (unnamed settings keep their defaults; endorsers=gateway lets the
// gateway choose a registration's endorsers in its two rounds instead of
// naming them, ledger.Endorsers).
func parseTune(s string) (tuning, error) {
	var t tuning
	for _, kv := range strings.Split(s, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		var err error
		switch k {
		case "wait":
			t.co.MaxWait, err = time.ParseDuration(v)
		case "inflight":
			t.co.InFlight, err = strconv.Atoi(v)
		case "max":
			t.co.MaxItems, err = strconv.Atoi(v)
		case "endorsers":
			switch v {
			case "gateway":
				t.fab.GatewayEndorsers = true
			case "named":
			default:
				err = fmt.Errorf("endorsers=%s: want gateway or named", v)
			}
		default:
			err = fmt.Errorf("unknown setting %q", k)
		}
		if err != nil {
			return t, fmt.Errorf("-tune %q: %v", s, err)
		}
	}
	return t, nil
}

// packedLots runs (p): requests of one packed lot of c.packedN units each
// from c.bigClients clients, and what every node's data directory grew by
// per unit over it.
func packedLots(ctx context.Context, w io.Writer, c config, api benchkit.API, ids *benchkit.IDs,
	counted func(benchkit.RegResult, float64) benchkit.RegResult) (benchkit.RegResult, []benchkit.NodeBytes, error) {
	fmt.Fprintf(w, "(p) packed lots: one lot of %d units per request …\n", c.packedN)
	dataDir := benchkit.DataDir(api.ProfilePath)
	sizes, err := benchkit.NodeSizes(dataDir)
	if err != nil {
		return benchkit.RegResult{}, nil, err
	}
	before, _ := benchkit.Metric(ctx, api.Ops, "idchain_register_batch_items_count")
	r := counted(benchkit.RegisterLots(ctx, fmt.Sprintf("(p) %d-unit packed lots, one per request", c.packedN),
		api.URL, api.OperatorKey, c.packedRequests, c.bigClients, c.packedN, ids), before)
	time.Sleep(3 * time.Second) // every peer commits the last blocks
	after, err := benchkit.NodeSizes(dataDir)
	if err != nil {
		return r, nil, err
	}
	return r, benchkit.PerNode(sizes, after, float64(max(1, r.Items))), nil
}
