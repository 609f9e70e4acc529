// Command fabric measures the raw-Fabric baseline of idchain: latency of one
// submit (endorse + order + commit) and committed transactions per second of
// the trivial write system:Touch at several client counts, plus evaluate
// latency of system:Ping. Needs a running network (make up).
//
//	go run ./scripts/bench/fabric -clients 1,8,32 -duration 20s
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"

	"github.com/idchain/idchain/profile"
	"github.com/idchain/idchain/scripts/bench/benchkit"
)

type config struct {
	benchkit.Target
	clients  []int
	duration time.Duration
	samples  int
	jsonOut  string
}

// result of one load level.
type result struct {
	Clients   int     `json:"clients"`
	Committed int64   `json:"committed"`
	Errors    int64   `json:"errors"`
	Seconds   float64 `json:"seconds"`
	TxPerSec  float64 `json:"txPerSec"`
	P50ms     float64 `json:"p50ms"`
	P95ms     float64 `json:"p95ms"`
}

type report struct {
	When          string   `json:"when"`
	User          string   `json:"user"`
	SubmitP50ms   float64  `json:"submitP50ms"`
	SubmitP90ms   float64  `json:"submitP90ms"`
	EvaluateP50ms float64  `json:"evaluateP50ms"`
	EvaluateP99ms float64  `json:"evaluateP99ms"`
	Load          []result `json:"load"`
	LastError     string   `json:"lastError,omitempty"`
}

func main() { benchkit.Main("bench", run) }

func parseFlags(args []string, getenv func(string) string) (config, error) {
	var c config
	var clients string
	fs := flag.NewFlagSet("fabric", flag.ContinueOnError)
	c.Flags(fs, "user submitting the transactions")
	fs.StringVar(&clients, "clients", "1,8,32", "comma-separated concurrent client counts")
	fs.DurationVar(&c.duration, "duration", 20*time.Second, "measuring time per client count")
	fs.IntVar(&c.samples, "samples", 20, "sequential submits and evaluates for the latency figures")
	fs.StringVar(&c.jsonOut, "json", "", "also write the results as JSON to this file")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	var err error
	if c.clients, err = benchkit.Ints("clients", clients, 1, 0); err != nil {
		return c, err
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
	s, err := p.Open(cfg.User, profile.DefaultTimeouts)
	if err != nil {
		return err
	}
	defer s.Close()
	contract := s.Contract()
	runID := strconv.FormatInt(time.Now().UnixNano(), 36)
	rep := report{When: time.Now().UTC().Format(time.RFC3339), User: cfg.User}

	// Warm up (first calls pay for connections and discovery).
	for i := range 3 {
		if _, err := submit(ctx, contract, fmt.Sprintf("bench/%s/warm/%d", runID, i)); err != nil {
			return fmt.Errorf("warm-up submit: %w", err)
		}
	}

	var submits, evals []time.Duration
	for i := range cfg.samples {
		d, err := submit(ctx, contract, fmt.Sprintf("bench/%s/seq/%d", runID, i))
		if err != nil {
			return fmt.Errorf("sequential submit: %w", err)
		}
		submits = append(submits, d)
	}
	for range cfg.samples * 5 {
		start := time.Now()
		if _, err := contract.EvaluateTransaction("system:Ping"); err != nil {
			return fmt.Errorf("evaluate: %w", err)
		}
		evals = append(evals, time.Since(start))
	}
	rep.SubmitP50ms, rep.SubmitP90ms = benchkit.Ms(benchkit.Quantile(submits, 0.5)), benchkit.Ms(benchkit.Quantile(submits, 0.9))
	rep.EvaluateP50ms, rep.EvaluateP99ms = benchkit.Ms(benchkit.Quantile(evals, 0.5)), benchkit.Ms(benchkit.Quantile(evals, 0.99))

	for _, n := range cfg.clients {
		r, lastErr := load(ctx, contract, n, cfg.duration, fmt.Sprintf("bench/%s/c%d", runID, n))
		rep.Load = append(rep.Load, r)
		if lastErr != nil {
			rep.LastError = lastErr.Error()
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	printReport(stdout, rep)
	if cfg.jsonOut != "" {
		return benchkit.WriteJSON(cfg.jsonOut, rep)
	}
	return nil
}

// submit sends system:Touch and waits for a successful commit.
func submit(ctx context.Context, contract *client.Contract, key string) (time.Duration, error) {
	start := time.Now()
	if _, _, err := benchkit.Submit(ctx, contract, "system:Touch", key, "v"); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// load runs n clients submitting back to back for d and counts commits.
func load(ctx context.Context, contract *client.Contract, n int, d time.Duration, prefix string) (result, error) {
	t := benchkit.Load(ctx, n, d, func(c, i int) error {
		_, err := submit(ctx, contract, fmt.Sprintf("%s/%d/%d", prefix, c, i))
		return err
	})
	return result{
		Clients:   n,
		Committed: t.OK,
		Errors:    t.Failed,
		Seconds:   t.Seconds,
		TxPerSec:  t.PerSec(),
		P50ms:     benchkit.Ms(benchkit.Quantile(t.Latencies, 0.5)),
		P95ms:     benchkit.Ms(benchkit.Quantile(t.Latencies, 0.95)),
	}, t.LastErr
}

func printReport(w io.Writer, r report) {
	fmt.Fprintf(w, "raw Fabric baseline (%s, user %s, system:Touch)\n\n", r.When, r.User)
	fmt.Fprintf(w, "one submit+commit: p50 %.0f ms, p90 %.0f ms; evaluate (system:Ping): p50 %.1f ms, p99 %.1f ms\n\n",
		r.SubmitP50ms, r.SubmitP90ms, r.EvaluateP50ms, r.EvaluateP99ms)
	fmt.Fprintln(w, "| clients | committed | errors | tx/s | p50 ms | p95 ms |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|")
	for _, l := range r.Load {
		fmt.Fprintf(w, "| %d | %d | %d | %.1f | %.0f | %.0f |\n", l.Clients, l.Committed, l.Errors, l.TxPerSec, l.P50ms, l.P95ms)
	}
	if r.LastError != "" {
		fmt.Fprintf(w, "\nlast error: %v\n", errors.New(r.LastError))
	}
}
