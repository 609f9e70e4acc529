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
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/httpapi"
	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/profile"
	"github.com/idchain/idchain/scripts/bench/benchkit"
)

func main() { benchkit.Main("api-bench", run) }

type config struct {
	bigRequests, bigClients    int
	singleClients, singlePer   int
	verifyClients              int
	verifyDuration             time.Duration
	jsonOut                    string
	api, operatorKey, adminKey string
}

type regResult struct {
	Name      string  `json:"name"`
	Items     int     `json:"items"`
	Requests  int     `json:"requests"`
	Txs       int     `json:"transactions"`
	Seconds   float64 `json:"seconds"`
	ItemsPerS float64 `json:"itemsPerSecond"`
	Failed    int     `json:"failed"`
}

type readResult struct {
	Name    string  `json:"name"`
	Count   int     `json:"requests"`
	PerS    float64 `json:"requestsPerSecond"`
	P50ms   float64 `json:"p50ms"`
	P99ms   float64 `json:"p99ms"`
	Failed  int64   `json:"failed"`
	Clients int     `json:"clients"`
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	var c config
	fs := flag.NewFlagSet("api-bench", flag.ContinueOnError)
	fs.IntVar(&c.bigRequests, "big-requests", 8, "(a) number of 1,000-item requests")
	fs.IntVar(&c.bigClients, "big-clients", 4, "(a) concurrent clients")
	fs.IntVar(&c.singleClients, "single-clients", 64, "(b)/(c) concurrent single-item clients")
	fs.IntVar(&c.singlePer, "single-per-client", 8, "(b)/(c) requests per client")
	fs.IntVar(&c.verifyClients, "verify-clients", 32, "verify clients")
	fs.DurationVar(&c.verifyDuration, "verify-duration", 10*time.Second, "verify duration per mode")
	fs.StringVar(&c.jsonOut, "json", "", "also write results as JSON to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ppath, err := profile.Path(getenv)
	if err != nil {
		return err
	}
	env, err := profile.ReadEnvFile(filepath.Join(filepath.Dir(ppath), "env"))
	if err != nil {
		return err
	}
	c.api, c.operatorKey, c.adminKey = env["IDCHAIN_API"], env["IDCHAIN_KEY_MAKER_OPERATOR"], env["IDCHAIN_KEY_PLATFORM_ADMIN"]
	if c.api == "" || c.operatorKey == "" {
		return fmt.Errorf("no IDCHAIN_API / keys in the env file: run make up")
	}
	if err := benchkit.LoopbackURL(c.api); err != nil {
		return err
	}
	prefix, err := assignPrefix(ctx, c)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "api-bench: API %s, prefix %s\n", c.api, prefix)

	var regs []regResult
	n := 0
	next := func() string { n++; return fmt.Sprintf("%s/B%07d", prefix, n) }

	// The API reports one tx id per request; count its transactions from
	// its batch metric instead.
	counted := func(r regResult, before float64) regResult {
		if after, err := batchCount(ctx, c.api); err == nil && before >= 0 {
			r.Txs = int(after - before)
		}
		return r
	}
	fmt.Fprintln(stdout, "(a) 1,000-item requests …")
	before, _ := batchCount(ctx, c.api)
	regs = append(regs, counted(register(ctx, "(a) 1,000-item requests", c.api, c.operatorKey, c.bigRequests, c.bigClients, 1000, next), before))
	fmt.Fprintln(stdout, "(b) concurrent single-item requests, coalesced …")
	before, _ = batchCount(ctx, c.api)
	regs = append(regs, counted(register(ctx, fmt.Sprintf("(b) %d concurrent single-item, coalesced", c.singleClients),
		c.api, c.operatorKey, c.singleClients*c.singlePer, c.singleClients, 1, next), before))
	fmt.Fprintln(stdout, "(c) concurrent single-item requests, one transaction each …")
	direct, closeDirect, err := uncoalescedServer(ppath)
	if err != nil {
		return err
	}
	regs = append(regs, register(ctx, fmt.Sprintf("(c) %d concurrent single-item, one tx per item", c.singleClients),
		direct, "bench", c.singleClients*c.singlePer, c.singleClients, 1, next))
	closeDirect()

	hot := fmt.Sprintf("%s/B%07d", prefix, 1)
	fmt.Fprintln(stdout, "verify: hot cached id vs ledger …")
	var reads []readResult
	reads = append(reads, verify(ctx, "verify, cached (Redis)", c.api, c.operatorKey, hot, false, c.verifyClients, c.verifyDuration))
	reads = append(reads, verify(ctx, "verify, ledger (cache bypassed)", c.api, c.operatorKey, hot, true, c.verifyClients, c.verifyDuration))

	fmt.Fprintf(stdout, "\n%-48s %8s %8s %6s %8s %10s %6s\n", "registration", "items", "requests", "txs", "seconds", "items/s", "failed")
	for _, r := range regs {
		fmt.Fprintf(stdout, "%-48s %8d %8d %6d %8.2f %10.1f %6d\n", r.Name, r.Items, r.Requests, r.Txs, r.Seconds, r.ItemsPerS, r.Failed)
	}
	if base := regs[2].ItemsPerS; base > 0 {
		fmt.Fprintf(stdout, "ratio (a)/(c) = %.1fx   (b)/(c) = %.1fx\n", regs[0].ItemsPerS/base, regs[1].ItemsPerS/base)
	}
	fmt.Fprintf(stdout, "\n%-36s %8s %10s %8s %8s %7s %6s\n", "verify", "clients", "req/s", "p50 ms", "p99 ms", "reqs", "failed")
	for _, r := range reads {
		fmt.Fprintf(stdout, "%-36s %8d %10.1f %8.2f %8.2f %7d %6d\n", r.Name, r.Clients, r.PerS, r.P50ms, r.P99ms, r.Count, r.Failed)
	}
	if reads[1].PerS > 0 {
		fmt.Fprintf(stdout, "ratio cached/ledger = %.1fx req/s, p50 %.1fx lower\n", reads[0].PerS/reads[1].PerS, reads[1].P50ms/max(reads[0].P50ms, 1e-9))
	}
	if c.jsonOut != "" {
		return benchkit.WriteJSON(c.jsonOut, map[string]any{"at": time.Now().UTC(), "registration": regs, "verify": reads})
	}
	return nil
}

// batchCount reads the API's count of RegisterItems transactions.
func batchCount(ctx context.Context, api string) (float64, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", api+"/metrics", nil)
	if err != nil {
		return -1, err
	}
	res, err := client.Do(req)
	if err != nil {
		return -1, err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "idchain_register_batch_items_count "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	return 0, nil
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func assignPrefix(ctx context.Context, c config) (string, error) {
	p := "88.990." + randHex(4)
	st, body, _, err := post(ctx, c.api+"/v1/prefixes", c.adminKey, map[string]string{"prefix": p, "owner": "MakerMSP"})
	if err != nil {
		return "", err
	}
	if st != http.StatusCreated {
		return "", fmt.Errorf("assign prefix: %d %s", st, body)
	}
	return p, nil
}

var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 5 * time.Minute}

func post(ctx context.Context, url, key string, v any) (int, []byte, string, error) {
	b, _ := json.Marshal(v)
	req, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(b))
	if err != nil {
		return 0, nil, "", err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, body, res.Header.Get("X-Tx-Id"), nil
}

// register sends requests of size items from clients goroutines and counts
// created items and distinct transactions.
func register(ctx context.Context, name, api, key string, requests, clients, size int, next func() string) regResult {
	batches := make(chan []domain.ItemInput, requests)
	for range requests {
		items := make([]domain.ItemInput, size)
		for i := range items {
			id := next()
			items[i] = domain.ItemInput{ID: id, Kind: domain.KindUnit, Industry: domain.IndustryKitchenBath,
				Model: "BENCH-1", Serial: id[len(id)-7:]}
		}
		batches <- items
	}
	close(batches)
	var mu sync.Mutex
	txs := map[string]bool{}
	created, failed := 0, 0
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for items := range batches {
				st, body, tx, err := post(ctx, api+"/v1/items", key, map[string]any{"items": items})
				var res domain.BatchResult
				mu.Lock()
				if err != nil || st != http.StatusCreated || json.Unmarshal(body, &res) != nil {
					failed++
					if failed <= 3 {
						fmt.Fprintf(os.Stderr, "%s: %d %v %.200s\n", name, st, err, body)
					}
				} else {
					txs[tx] = true
					for _, r := range res.Results {
						if r.Status == domain.ResultCreated {
							created++
						}
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	d := time.Since(start).Seconds()
	return regResult{Name: name, Items: created, Requests: requests, Txs: len(txs), Seconds: d, ItemsPerS: float64(created) / d, Failed: failed}
}

// uncoalescedServer runs the API's handlers in-process over the same
// network with no coalescer: each request is its own transaction.
func uncoalescedServer(profilePath string) (string, func(), error) {
	prof, err := benchkit.LoadProfile(profilePath)
	if err != nil {
		return "", nil, err
	}
	fab, err := ledger.Open(prof, ledger.Config{})
	if err != nil {
		return "", nil, err
	}
	users := map[string]httpapi.Principal{}
	for _, id := range fab.Identities() {
		users[id.Name] = httpapi.Principal{Name: id.Name, MSPID: id.MSPID, Role: id.Role}
	}
	srv := httptest.NewServer(httpapi.NewServer(httpapi.Deps{
		Ledger: fab, Users: users, Keys: map[string]string{httpapi.HashKey("bench"): "maker-operator"},
		ServiceUser: "maker-operator",
	}))
	return srv.URL, func() { srv.Close(); fab.Close() }, nil
}

// verify reads one id from clients goroutines for d.
func verify(ctx context.Context, name, api, key, id string, bypass bool, clients int, d time.Duration) readResult {
	var mu sync.Mutex
	var lat []time.Duration
	var failed atomic.Int64
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			var mine []time.Duration
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, "GET", api+"/v1/verify/"+id, nil)
				req.Header.Set("Authorization", "Bearer "+key) // keyed: not rate limited
				if bypass {
					req.Header.Set("Cache-Control", "no-cache")
				}
				t0 := time.Now()
				res, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						failed.Add(1)
					}
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					failed.Add(1)
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	el := time.Since(start).Seconds()
	pct := func(q float64) float64 { return benchkit.Ms(benchkit.Quantile(lat, q)) }
	return readResult{Name: name, Count: len(lat), PerS: float64(len(lat)) / el, P50ms: pct(0.5), P99ms: pct(0.99), Failed: failed.Load(), Clients: clients}
}
