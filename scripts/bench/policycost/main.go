// Command policycost measures what the trust model (issue 12) costs:
// registration items/s (batches of -batch items, -clients submitters) and
// single-write latency (one item per transaction, one client, p50/p99) of
// the current chaincode and of the chaincode before the trust model, the
// latter deployed on the same channel under -legacy (scripts/bench/
// policycost.sh deploys it), alternating the two for -rounds rounds, and
// R (system:Touch tx/s, -clients submitters) from the same run. Prints the
// figures per round, the medians and the ratios new/old.
//
//	go run ./scripts/bench/policycost -legacy idchain-legacy -rounds 3
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/profile"
	"github.com/idchain/idchain/scripts/bench/benchkit"
)

type config struct {
	benchkit.Target
	authority string
	legacy    string
	rounds    int
	batch     int
	items     int // per round and chaincode, in batches of batch
	singles   int // single-item transactions per round and chaincode
	clients   int
	touch     time.Duration
	jsonOut   string
	only      string // "new" or "old": run the rounds on that chaincode only (profiling)
}

// result is one workload on one chaincode in one round.
type result struct {
	Chaincode string  `json:"chaincode"`
	Round     int     `json:"round"`
	Workload  string  `json:"workload"` // batch, single, touch
	Items     int64   `json:"items"`
	Errors    int64   `json:"errors"`
	Seconds   float64 `json:"seconds"`
	PerSec    float64 `json:"perSec"` // items/s (batch, single) or tx/s (touch)
	P50ms     float64 `json:"p50ms,omitempty"`
	P99ms     float64 `json:"p99ms,omitempty"`
}

func main() { benchkit.Main("bench policycost", run) }

func parseFlags(args []string, getenv func(string) string) (config, error) {
	var c config
	fs := flag.NewFlagSet("policycost", flag.ContinueOnError)
	c.Flags(fs, "user registering the items")
	fs.StringVar(&c.authority, "authority", "platform-admin", "user assigning the run's fresh prefixes")
	fs.StringVar(&c.legacy, "legacy", "idchain-legacy", "chaincode name of the pre-trust-model chaincode on the same channel")
	fs.IntVar(&c.rounds, "rounds", 3, "rounds; each runs every workload on both chaincodes (order alternating)")
	fs.IntVar(&c.batch, "batch", 500, "items per registration transaction")
	fs.IntVar(&c.items, "items", 8000, "items registered in batches per round and chaincode")
	fs.IntVar(&c.singles, "singles", 60, "single-item transactions per round and chaincode (latency)")
	fs.IntVar(&c.clients, "clients", 8, "concurrent submitters of the batch and Touch workloads")
	fs.DurationVar(&c.touch, "touch", 10*time.Second, "measuring time of R (system:Touch)")
	fs.StringVar(&c.jsonOut, "json", "", "also write the results as JSON to this file")
	fs.StringVar(&c.only, "only", "", "new or old: load that chaincode only (to profile it; no ratios)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.rounds < 1 || c.batch < 1 || c.batch > 5000 || c.items < c.batch || c.singles < 2 || c.clients < 1 || c.clients > 64 || c.legacy == "" ||
		c.only != "" && c.only != "new" && c.only != "old" {
		return c, errors.New("-rounds ≥ 1, -batch 1-5000, -items ≥ -batch, -singles ≥ 2, -clients 1-64, -legacy set, -only new|old")
	}
	return c, c.Resolve(getenv)
}

// target is one chaincode under test.
type target struct {
	label    string // "new" or "old"
	contract *client.Contract
	prefix   string
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, err := parseFlags(args, getenv)
	if err != nil {
		return err
	}
	p, err := benchkit.LoadProfile(cfg.Profile)
	if err != nil {
		return err
	}
	s, err := p.Open(cfg.User, profile.DefaultTimeouts)
	if err != nil {
		return err
	}
	defer s.Close()
	stamp := time.Now().UnixNano() % 1_000_000_000
	targets := []*target{
		{label: "new (" + p.Chaincode + ")", contract: s.Contract(), prefix: fmt.Sprintf("88.951.%d", stamp)},
		{label: "old (" + cfg.legacy + ")", contract: s.Network().GetContract(cfg.legacy), prefix: fmt.Sprintf("88.952.%d", stamp)},
	}
	for i, t := range targets {
		name := p.Chaincode
		if i == 1 {
			name = cfg.legacy
		}
		if err := assignPrefix(ctx, p, cfg.authority, cfg.User, name, t.prefix); err != nil {
			return fmt.Errorf("%s: %w", t.label, err)
		}
	}
	var all []result
	for r := 1; r <= cfg.rounds; r++ {
		order := targets
		if r%2 == 0 {
			order = []*target{targets[1], targets[0]}
		}
		for _, t := range order {
			if cfg.only != "" && !strings.HasPrefix(t.label, cfg.only) {
				continue
			}
			b := batches(ctx, cfg, t, r)
			fmt.Fprintf(stdout, "round %d %-24s batch %d × %d clients: %.0f items/s (%d errors)\n", r, t.label, cfg.batch, cfg.clients, b.PerSec, b.Errors)
			sg := singles(ctx, cfg, t, r)
			fmt.Fprintf(stdout, "round %d %-24s single writes: p50 %.0f ms, p99 %.0f ms (%d errors)\n", r, t.label, sg.P50ms, sg.P99ms, sg.Errors)
			all = append(all, b, sg)
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
	}
	touch := benchkit.Load(ctx, cfg.clients, cfg.touch, func(c, i int) error {
		_, _, err := benchkit.Submit(ctx, targets[0].contract, "system:Touch", fmt.Sprintf("policycost-%d-%d-%d", stamp, c, i), "v")
		return err
	})
	all = append(all, result{Chaincode: targets[0].label, Workload: "touch", Items: touch.OK, Errors: touch.Failed,
		Seconds: touch.Seconds, PerSec: touch.PerSec(), P50ms: benchkit.Ms(benchkit.Quantile(touch.Latencies, 0.5))})
	printSummary(stdout, cfg, targets, all)
	if cfg.jsonOut != "" {
		return benchkit.WriteJSON(cfg.jsonOut, all)
	}
	return nil
}

// assignPrefix assigns prefix to the user's org on chaincode name and waits
// until every peer has committed it.
func assignPrefix(ctx context.Context, p *profile.Profile, authority, user, name, prefix string) error {
	org, _, err := p.User(user)
	if err != nil {
		return err
	}
	s, err := p.Open(authority, profile.DefaultTimeouts)
	if err != nil {
		return err
	}
	defer s.Close()
	_, st, err := benchkit.Submit(ctx, s.Network().GetContract(name), "registry:AssignPrefix", prefix, org.MSPID)
	if err != nil {
		return fmt.Errorf("assign prefix: %w", err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return p.WaitCommitted(wctx, st.BlockNumber)
}

func item(id string) domain.ItemInput {
	return domain.ItemInput{ID: id, Kind: domain.KindUnit, Industry: domain.IndustryGeneric, Model: "BENCH"}
}

// batches registers cfg.items items in transactions of cfg.batch items with
// cfg.clients submitters.
func batches(ctx context.Context, cfg config, t *target, round int) result {
	n := (cfg.items + cfg.batch - 1) / cfg.batch
	var next, items atomic.Int64
	tally := benchkit.Load(ctx, min(cfg.clients, n), 10*time.Minute, func(_, _ int) error {
		b := int(next.Add(1)) - 1
		if b >= n {
			return benchkit.ErrDone
		}
		in := make([]domain.ItemInput, 0, cfg.batch)
		for i := b * cfg.batch; i < min(cfg.items, (b+1)*cfg.batch); i++ {
			in = append(in, item(fmt.Sprintf("%s/R%d-B%07d", t.prefix, round, i)))
		}
		created, err := benchkit.RegisterItems(ctx, t.contract, in)
		items.Add(int64(created))
		return err
	})
	if tally.LastErr != nil {
		fmt.Fprintf(os.Stderr, "%s batches: last error: %v\n", t.label, tally.LastErr)
	}
	return result{Chaincode: t.label, Round: round, Workload: "batch", Items: items.Load(), Errors: tally.Failed,
		Seconds: tally.Seconds, PerSec: float64(items.Load()) / tally.Seconds}
}

// singles registers cfg.singles items one per transaction, one after the
// other, and keeps each submit-to-commit latency.
func singles(ctx context.Context, cfg config, t *target, round int) result {
	tally := benchkit.Load(ctx, 1, 10*time.Minute, func(_, i int) error {
		if i >= cfg.singles {
			return benchkit.ErrDone
		}
		_, err := benchkit.RegisterItems(ctx, t.contract, []domain.ItemInput{item(fmt.Sprintf("%s/R%d-S%07d", t.prefix, round, i))})
		return err
	})
	if tally.LastErr != nil {
		fmt.Fprintf(os.Stderr, "%s singles: last error: %v\n", t.label, tally.LastErr)
	}
	return result{Chaincode: t.label, Round: round, Workload: "single", Items: tally.OK, Errors: tally.Failed,
		Seconds: tally.Seconds, PerSec: tally.PerSec(),
		P50ms: benchkit.Ms(benchkit.Quantile(tally.Latencies, 0.5)), P99ms: benchkit.Ms(benchkit.Quantile(tally.Latencies, 0.99))}
}

// median is the median of the field f of the results of chaincode label
// and workload w.
func median(all []result, label, w string, f func(result) float64) float64 {
	var xs []float64
	for _, r := range all {
		if r.Chaincode == label && r.Workload == w {
			xs = append(xs, f(r))
		}
	}
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	return xs[len(xs)/2]
}

func printSummary(w io.Writer, cfg config, targets []*target, all []result) {
	perSec := func(r result) float64 { return r.PerSec }
	p50 := func(r result) float64 { return r.P50ms }
	p99 := func(r result) float64 { return r.P99ms }
	rows := []struct {
		name string
		w    string
		f    func(result) float64
	}{
		{fmt.Sprintf("registration items/s (%d items/tx, %d clients)", cfg.batch, cfg.clients), "batch", perSec},
		{"single write p50 ms (1 item/tx, 1 client)", "single", p50},
		{"single write p99 ms", "single", p99},
		{"single writes items/s (1 client)", "single", perSec},
	}
	var touch float64
	for _, r := range all {
		if r.Workload == "touch" {
			touch = r.PerSec
		}
	}
	fmt.Fprintf(w, "\nmedians of %d rounds; R = system:Touch %.1f tx/s (%d clients, %s)\n\n", cfg.rounds, touch, cfg.clients, cfg.touch)
	fmt.Fprintf(w, "| measure | %s | %s | new/old | new/R |\n|---|---:|---:|---:|---:|\n", targets[0].label, targets[1].label)
	for _, r := range rows {
		n, o := median(all, targets[0].label, r.w, r.f), median(all, targets[1].label, r.w, r.f)
		ratio, vsR := "–", "–"
		if o > 0 {
			ratio = fmt.Sprintf("%.2f", n/o)
		}
		if touch > 0 && r.w == "batch" {
			vsR = fmt.Sprintf("%.1f×", n/touch)
		}
		fmt.Fprintf(w, "| %s | %.1f | %.1f | %s | %s |\n", r.name, n, o, ratio, vsR)
	}
}
