// Command fabric measures the raw-Fabric baseline of idchain: latency of one
// submit (endorse + order + commit) and committed transactions per second of
// the trivial write system:Touch at several client counts, plus evaluate
// latency of system:Ping. Needs a running network (make up).
//
//	go run ./scripts/bench/fabric -clients 1,8,32 -duration 20s
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"

	"github.com/idchain/idchain/network/profile"
)

type config struct {
	profile  string
	user     string
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

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, getenv func(string) string) (config, error) {
	var c config
	var clients string
	fs := flag.NewFlagSet("fabric", flag.ContinueOnError)
	fs.StringVar(&c.profile, "profile", "", "profile.json (default $IDCHAIN_PROFILE or network/.run/profile.json)")
	fs.StringVar(&c.user, "user", "maker-operator", "user submitting the transactions")
	fs.StringVar(&clients, "clients", "1,8,32", "comma-separated concurrent client counts")
	fs.DurationVar(&c.duration, "duration", 20*time.Second, "measuring time per client count")
	fs.IntVar(&c.samples, "samples", 20, "sequential submits and evaluates for the latency figures")
	fs.StringVar(&c.jsonOut, "json", "", "also write the results as JSON to this file")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	for _, s := range strings.Split(clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return c, fmt.Errorf("bad -clients value %q", s)
		}
		c.clients = append(c.clients, n)
	}
	if c.profile == "" {
		p, err := profile.Path(getenv)
		if err != nil {
			return c, err
		}
		c.profile = p
	}
	return c, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, err := parseFlags(args, getenv)
	if err != nil {
		return err
	}
	p, err := profile.Load(cfg.profile)
	if err != nil {
		return err
	}
	s, err := p.Open(cfg.user, profile.DefaultTimeouts)
	if err != nil {
		return err
	}
	defer s.Close()
	contract := s.Contract()
	runID := strconv.FormatInt(time.Now().UnixNano(), 36)
	rep := report{When: time.Now().UTC().Format(time.RFC3339), User: cfg.user}

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
	rep.SubmitP50ms, rep.SubmitP90ms = ms(quantile(submits, 0.5)), ms(quantile(submits, 0.9))
	rep.EvaluateP50ms, rep.EvaluateP99ms = ms(quantile(evals, 0.5)), ms(quantile(evals, 0.99))

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
		data, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		return os.WriteFile(cfg.jsonOut, append(data, '\n'), 0o644)
	}
	return nil
}

// submit sends system:Touch and waits for a successful commit.
func submit(ctx context.Context, contract *client.Contract, key string) (time.Duration, error) {
	start := time.Now()
	_, commit, err := contract.SubmitAsync("system:Touch", client.WithArguments(key, "v"))
	if err != nil {
		return 0, err
	}
	st, err := commit.StatusWithContext(ctx)
	if err != nil {
		return 0, err
	}
	if !st.Successful {
		return 0, fmt.Errorf("tx %s: %s", st.TransactionID, st.Code)
	}
	return time.Since(start), nil
}

// load runs n clients submitting back to back for d and counts commits.
func load(ctx context.Context, contract *client.Contract, n int, d time.Duration, prefix string) (result, error) {
	var committed, failed atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var lastErr error
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for c := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
				dur, err := submit(ctx, contract, fmt.Sprintf("%s/%d/%d", prefix, c, i))
				mu.Lock()
				if err != nil {
					failed.Add(1)
					lastErr = err
				} else {
					committed.Add(1)
					lat = append(lat, dur)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	return result{
		Clients:   n,
		Committed: committed.Load(),
		Errors:    failed.Load(),
		Seconds:   elapsed,
		TxPerSec:  float64(committed.Load()) / elapsed,
		P50ms:     ms(quantile(lat, 0.5)),
		P95ms:     ms(quantile(lat, 0.95)),
	}, lastErr
}

func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

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
