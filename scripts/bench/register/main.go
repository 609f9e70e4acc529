// Command register measures committed items/s of registry:RegisterItems at
// several batch sizes side by side with the raw-Fabric baseline
// (system:Touch tx/s, measured by ./scripts/bench/fabric, which this
// program runs first), in one run, and prints one table with items/s, tx/s
// and the ratios to one transaction per item. Needs a running network
// (make network-up); every endpoint must be on loopback.
//
//	go run ./scripts/bench/register -sizes 1,10,100,500,1000 -items 2000 -items1 200
//	go run ./scripts/bench/register -baseline=false -sizes 100,500 -gtin 06901234567892
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
	"github.com/idchain/idchain/profile"
	"github.com/idchain/idchain/scripts/bench/benchkit"
)

type config struct {
	benchkit.Target
	authority     string
	sizes         []int
	items, items1 int // items per batch size; for size 1
	clients       int
	maxTime       time.Duration // per batch size
	baseline      bool
	baseClients   string
	baseDuration  time.Duration
	jsonOut       string
	gtin          string // GTIN-14 given to every unit (with a unique serial); "" none
}

// row is one measured workload.
type row struct {
	Workload string  `json:"workload"`
	Batch    int     `json:"batch"` // items per transaction (1 for Touch)
	Clients  int     `json:"clients"`
	Tx       int64   `json:"tx"`
	Items    int64   `json:"items"`
	Errors   int64   `json:"errors"`
	Seconds  float64 `json:"seconds"`
	TxPerSec float64 `json:"txPerSec"`
	ItemsSec float64 `json:"itemsPerSec"`
}

// baselineReport is the part of ./scripts/bench/fabric's JSON used here.
type baselineReport struct {
	SubmitP50ms float64 `json:"submitP50ms"`
	Load        []struct {
		Clients   int     `json:"clients"`
		Committed int64   `json:"committed"`
		Errors    int64   `json:"errors"`
		Seconds   float64 `json:"seconds"`
		TxPerSec  float64 `json:"txPerSec"`
	} `json:"load"`
}

func main() { benchkit.Main("bench register", run) }

func parseFlags(args []string, getenv func(string) string) (config, error) {
	var c config
	var sizes string
	fs := flag.NewFlagSet("register", flag.ContinueOnError)
	c.Flags(fs, "user registering the items")
	fs.StringVar(&c.authority, "authority", "platform-admin", "user assigning the run's fresh prefix")
	fs.StringVar(&sizes, "sizes", "1,10,100,500,1000", "comma-separated batch sizes (items per transaction)")
	fs.IntVar(&c.items, "items", 2000, "items registered per batch size")
	fs.IntVar(&c.items1, "items1", 200, "items registered with batch size 1")
	fs.IntVar(&c.clients, "clients", 8, "concurrent submitters (at most one per batch)")
	fs.DurationVar(&c.maxTime, "max-time", 90*time.Second, "stop submitting a batch size after this long")
	fs.BoolVar(&c.baseline, "baseline", true, "run the raw-Fabric baseline (./scripts/bench/fabric) first")
	fs.StringVar(&c.baseClients, "baseline-clients", "1,8,32", "client counts of the baseline")
	fs.DurationVar(&c.baseDuration, "baseline-duration", 10*time.Second, "baseline measuring time per client count")
	fs.StringVar(&c.jsonOut, "json", "", "also write the rows as JSON to this file")
	fs.StringVar(&c.gtin, "gtin", "", "GTIN carried by every unit, each with its own serial (exercises the GS1 index); empty: none")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	var err error
	if c.sizes, err = benchkit.Ints("sizes", sizes, 1, 5000); err != nil {
		return c, err
	}
	if c.items < 1 || c.items > 100_000 || c.items1 < 1 || c.items1 > 10_000 || c.clients < 1 || c.clients > 64 {
		return c, errors.New("-items 1-100000, -items1 1-10000, -clients 1-64")
	}
	if c.gtin != "" {
		g, err := identifier.NormalizeGTIN(c.gtin)
		if err != nil {
			return c, fmt.Errorf("-gtin: %w", err)
		}
		c.gtin = g
	}
	return c, c.Resolve(getenv)
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
	var rows []row
	if cfg.baseline {
		fmt.Fprintln(stdout, "running the raw-Fabric baseline (./scripts/bench/fabric) …")
		base, err := runBaseline(ctx, cfg)
		if err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
		for _, l := range base.Load {
			rows = append(rows, row{Workload: "system:Touch", Batch: 1, Clients: l.Clients, Tx: l.Committed, Items: l.Committed,
				Errors: l.Errors, Seconds: l.Seconds, TxPerSec: l.TxPerSec, ItemsSec: l.TxPerSec})
		}
	}

	run := time.Now().UnixNano() % 1_000_000_000
	prefix := fmt.Sprintf("88.950.%d", run)
	if err := assignPrefix(ctx, p, cfg.authority, cfg.User, prefix); err != nil {
		return err
	}
	s, err := p.Open(cfg.User, profile.DefaultTimeouts)
	if err != nil {
		return err
	}
	defer s.Close()
	contract := s.Contract()
	lot := prefix + "/LOT"
	if _, err := benchkit.RegisterItems(ctx, contract, []domain.ItemInput{{ID: lot, Kind: domain.KindLot, Industry: domain.IndustryGeneric, Model: "BENCH"}}); err != nil {
		return fmt.Errorf("register the lot: %w", err)
	}
	for _, n := range cfg.sizes {
		total := cfg.items
		if n == 1 {
			total = cfg.items1
		}
		fmt.Fprintf(stdout, "RegisterItems: %d items in batches of %d …\n", total, n)
		r := measure(ctx, contract, cfg, prefix, lot, n, total)
		rows = append(rows, r)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	printTable(stdout, rows)
	if cfg.jsonOut != "" {
		return benchkit.WriteJSON(cfg.jsonOut, rows)
	}
	return nil
}

// runBaseline runs ./scripts/bench/fabric (the network engineer's baseline)
// and reads its JSON report.
func runBaseline(ctx context.Context, cfg config) (baselineReport, error) {
	var rep baselineReport
	tmp, err := os.MkdirTemp("", "bench-register-")
	if err != nil {
		return rep, err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "baseline.json")
	cmd := exec.CommandContext(ctx, "go", "run", "./scripts/bench/fabric", "-profile", cfg.Profile, "-user", cfg.User,
		"-clients", cfg.baseClients, "-duration", cfg.baseDuration.String(), "-samples", "5", "-json", out)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return rep, fmt.Errorf("%s: %w (run it from the repository root)", strings.Join(cmd.Args, " "), err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return rep, err
	}
	return rep, json.Unmarshal(b, &rep)
}

// assignPrefix assigns prefix (as authority) to the org of user and waits
// until every peer has committed it (a commit status covers only the
// gateway's own peer; see docs/network.md "Open problems").
func assignPrefix(ctx context.Context, p *profile.Profile, authority, user, prefix string) error {
	org, _, err := p.User(user)
	if err != nil {
		return err
	}
	s, err := p.Open(authority, profile.DefaultTimeouts)
	if err != nil {
		return err
	}
	defer s.Close()
	_, st, err := benchkit.Submit(ctx, s.Contract(), "registry:AssignPrefix", prefix, org.MSPID)
	if err != nil {
		return fmt.Errorf("assign prefix: %w", err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return p.WaitCommitted(wctx, st.BlockNumber)
}

// measure registers total items in batches of n with up to cfg.clients
// concurrent submitters and returns the committed figures.
func measure(ctx context.Context, contract *client.Contract, cfg config, prefix, lot string, n, total int) row {
	batches := (total + n - 1) / n
	clients := min(cfg.clients, batches)
	var next, items atomic.Int64
	t := benchkit.Load(ctx, clients, cfg.maxTime, func(_, _ int) error {
		b := int(next.Add(1)) - 1
		if b >= batches {
			return benchkit.ErrDone
		}
		in := make([]domain.ItemInput, 0, n)
		for i := b * n; i < min(total, (b+1)*n); i++ {
			it := domain.ItemInput{ID: fmt.Sprintf("%s/B%d-%07d", prefix, n, i), Kind: domain.KindUnit,
				Industry: domain.IndustryGeneric, Model: "BENCH", Parent: lot}
			if cfg.gtin != "" {
				// ≤ 20 characters (AI 21), unique across runs: the run's prefix segment.
				it.GTIN, it.Serial = cfg.gtin, fmt.Sprintf("%s.%d.%d", prefix[strings.LastIndex(prefix, ".")+1:], n, i)
			}
			in = append(in, it)
		}
		created, err := benchkit.RegisterItems(ctx, contract, in)
		if err == nil {
			items.Add(int64(created))
		}
		return err
	})
	if t.LastErr != nil {
		fmt.Fprintf(os.Stderr, "batch size %d: last error: %v\n", n, t.LastErr)
	}
	return row{Workload: "RegisterItems", Batch: n, Clients: clients, Tx: t.OK, Items: items.Load(), Errors: t.Failed,
		Seconds: t.Seconds, TxPerSec: t.PerSec(), ItemsSec: float64(items.Load()) / t.Seconds}
}

// printTable prints every row with ratios to one transaction per item
// (RegisterItems batch 1) and to the baseline's best tx/s.
func printTable(w io.Writer, rows []row) {
	var one, touch float64
	for _, r := range rows {
		if r.Workload == "RegisterItems" && r.Batch == 1 {
			one = r.ItemsSec
		}
		if r.Workload == "system:Touch" && r.TxPerSec > touch {
			touch = r.TxPerSec
		}
	}
	ratio := func(x, base float64) string {
		if base == 0 {
			return "–"
		}
		return fmt.Sprintf("%.1f×", x/base)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| workload | items/tx | clients | tx | items | errors | s | tx/s | items/s | vs 1 item/tx | vs best Touch tx/s |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %d | %d | %d | %d | %d | %.1f | %.1f | %.0f | %s | %s |\n", r.Workload, r.Batch, r.Clients,
			r.Tx, r.Items, r.Errors, r.Seconds, r.TxPerSec, r.ItemsSec, ratio(r.ItemsSec, one), ratio(r.ItemsSec, touch))
	}
}
