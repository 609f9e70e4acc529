package benchkit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/idchain/idchain/apiclient"
	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/profile"
)

// API is the running gateway API as make up leaves it: its base URL and the
// keys of the users the benchmarks act as.
type API struct {
	URL, OperatorKey, AdminKey string
	Ops                        string // operations listener: /metrics
	ProfilePath                string
}

// LoadAPI reads the API's URL and keys from the env file next to the
// profile (network/.run/env) and refuses an API off loopback.
func LoadAPI(getenv func(string) string) (API, error) {
	ppath, err := profile.Path(getenv)
	if err != nil {
		return API{}, err
	}
	env, err := profile.ReadEnvFile(filepath.Join(filepath.Dir(ppath), "env"))
	if err != nil {
		return API{}, err
	}
	a := API{URL: env["IDCHAIN_API"], Ops: env["IDCHAIN_API_OPS"], OperatorKey: env["IDCHAIN_KEY_MAKER_OPERATOR"], AdminKey: env["IDCHAIN_KEY_PLATFORM_ADMIN"], ProfilePath: ppath}
	if a.URL == "" || a.OperatorKey == "" {
		return a, fmt.Errorf("no IDCHAIN_API / keys in the env file: run make up")
	}
	return a, LoopbackURL(a.URL)
}

// StartAPI loads the API (LoadAPI) and assigns a fresh bench prefix
// (AssignPrefix), whose ids the returned IDs hand out.
func StartAPI(ctx context.Context, getenv func(string) string) (API, *IDs, error) {
	api, err := LoadAPI(getenv)
	if err != nil {
		return api, nil, err
	}
	prefix, err := api.AssignPrefix(ctx)
	if err != nil {
		return api, nil, err
	}
	return api, &IDs{Prefix: prefix}, nil
}

// HTTP is the client every API benchmark shares (many idle connections:
// up to 64 clients keep theirs).
var HTTP = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 5 * time.Minute}

// RandHex is n random bytes in hex.
func RandHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Client is an API client for the benchmarks: the shared HTTP client and
// no retries (a failed request counts as failed; a retry would hide it).
func Client(url, key string) *apiclient.Client {
	return &apiclient.Client{BaseURL: url, Key: key, HTTP: HTTP}
}

// AssignPrefix assigns a fresh bench prefix 88.990.<random> to MakerMSP
// through the API (as the platform admin) and returns it.
func (a API) AssignPrefix(ctx context.Context) (string, error) {
	p := "88.990." + RandHex(4)
	if _, err := Client(a.URL, a.AdminKey).AssignPrefix(ctx, p, "MakerMSP"); err != nil {
		return "", fmt.Errorf("assign prefix: %w", err)
	}
	return p, nil
}

// IDs hands out item ids prefix/B0000001, prefix/B0000002, … to concurrent
// callers.
type IDs struct {
	Prefix string
	n      atomic.Int64
}

// Next is the next id.
func (s *IDs) Next() string { return fmt.Sprintf("%s/B%07d", s.Prefix, s.n.Add(1)) }

// Units is n generic kitchen/bath bench units with fresh ids.
func (s *IDs) Units(n int) []domain.ItemInput {
	items := make([]domain.ItemInput, n)
	for i := range items {
		id := s.Next()
		items[i] = domain.ItemInput{ID: id, Kind: domain.KindUnit, Industry: domain.IndustryKitchenBath,
			Model: "BENCH-1", Serial: id[len(id)-7:]}
	}
	return items
}

// Lots is n kitchen/bath bench lots with fresh ids, each holding units
// packed units (domain/packed.go).
func (s *IDs) Lots(n, units int) []domain.ItemInput {
	lots := make([]domain.ItemInput, n)
	for i := range lots {
		lots[i] = domain.ItemInput{ID: s.Next(), Kind: domain.KindLot, Industry: domain.IndustryKitchenBath,
			Model: "BENCH-1", Attributes: map[string]string{"productionDate": "2026-12-01"}, Units: units}
	}
	return lots
}

// RegResult is one registration workload.
type RegResult struct {
	Name      string  `json:"name"`
	Items     int     `json:"items"`
	Requests  int     `json:"requests"`
	Txs       int     `json:"transactions"`
	Seconds   float64 `json:"seconds"`
	ItemsPerS float64 `json:"itemsPerSecond"`
	P50ms     float64 `json:"p50ms"`
	P99ms     float64 `json:"p99ms"`
	// CommitP50ms: asynchronous requests, from the request to its job's
	// outcome.
	CommitP50ms float64 `json:"commitP50ms,omitempty"`
	Failed      int     `json:"failed"`
}

// Register posts requests requests of size units each to api/v1/items from
// clients goroutines (stopping early when ctx ends) and counts created
// items, distinct transactions and per-request latency.
func Register(ctx context.Context, name, api, key string, requests, clients, size int, ids *IDs) RegResult {
	return register(ctx, name, api, key, requests, clients, func() []domain.ItemInput { return ids.Units(size) })
}

// RegisterLots is Register with requests of one lot of units packed units
// each; every created lot counts its units as items.
func RegisterLots(ctx context.Context, name, api, key string, requests, clients, units int, ids *IDs) RegResult {
	return register(ctx, name, api, key, requests, clients, func() []domain.ItemInput { return ids.Lots(1, units) })
}

func register(ctx context.Context, name, api, key string, requests, clients int, next func() []domain.ItemInput) RegResult {
	batches := make(chan []domain.ItemInput, requests)
	for range requests {
		batches <- next()
	}
	close(batches)
	var mu sync.Mutex
	txs := map[string]bool{}
	var lat []time.Duration
	created, failed, sent := 0, 0, 0
	start := time.Now()
	c := Client(api, key)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for items := range batches {
				if ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				res, err := c.RegisterItems(ctx, items)
				d := time.Since(t0)
				mu.Lock()
				sent++
				if err == nil && res.Status != http.StatusCreated {
					err = fmt.Errorf("HTTP %d, %d rejected", res.Status, res.Rejected())
				}
				if err != nil {
					if ctx.Err() == nil {
						failed++
						if failed <= 3 {
							fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
						}
					}
				} else {
					txs[res.TxID] = true
					lat = append(lat, d)
					for i, r := range res.Results {
						if r.Status == domain.ResultCreated {
							created += max(1, items[i].Units) // a packed lot: its units
						}
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	d := time.Since(start).Seconds()
	return RegResult{Name: name, Items: created, Requests: sent, Txs: len(txs), Seconds: d, ItemsPerS: float64(created) / d,
		P50ms: Ms(Quantile(lat, 0.5)), P99ms: Ms(Quantile(lat, 0.99)), Failed: failed}
}

// ReadResult is one read workload.
type ReadResult struct {
	Name    string  `json:"name"`
	Count   int     `json:"requests"`
	PerS    float64 `json:"requestsPerSecond"`
	P50ms   float64 `json:"p50ms"`
	P99ms   float64 `json:"p99ms"`
	Failed  int64   `json:"failed"`
	Clients int     `json:"clients"`
}

// Verify reads api/v1/verify/id from clients goroutines for d; bypass sends
// Cache-Control: no-cache (the API then reads the ledger).
func Verify(ctx context.Context, name, api, key, id string, bypass bool, clients int, d time.Duration) ReadResult {
	var mu sync.Mutex
	var lat []time.Duration
	var failed atomic.Int64
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	c := Client(api, key) // keyed: not rate limited
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			var mine []time.Duration
			for ctx.Err() == nil {
				t0 := time.Now()
				if _, err := c.Verify(ctx, id, apiclient.VerifyOptions{NoCache: bypass}); err != nil {
					if ctx.Err() == nil {
						failed.Add(1)
					}
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
	return ReadResult{Name: name, Count: len(lat), PerS: float64(len(lat)) / el, P50ms: Ms(Quantile(lat, 0.5)),
		P99ms: Ms(Quantile(lat, 0.99)), Failed: failed.Load(), Clients: clients}
}

// Metric reads one sample (a line "name value") from /metrics of the API's
// operations listener ops (API.Ops); 0 when absent.
func Metric(ctx context.Context, ops, name string) (float64, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", ops+"/metrics", nil)
	if err != nil {
		return -1, err
	}
	res, err := HTTP.Do(req)
	if err != nil {
		return -1, err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, name+" "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	return 0, nil
}

// RegisterAsync sends requests single-unit registrations from clients
// goroutines with Prefer: respond-async, each client back to back without
// waiting for commits (a line station handing items over), then polls every
// job's Location until it is done. Items/s counts committed items over the
// time from the first request to the last commit; P50ms/P99ms are the
// 202 answers', CommitP50ms the time from a request to its job's outcome.
// An API that ignores the preference answers 201 at once: such requests
// count as committed when answered.
func RegisterAsync(ctx context.Context, name, api, key string, requests, clients int, ids *IDs) RegResult {
	type pending struct {
		loc  string
		sent time.Time
	}
	work := make(chan []domain.ItemInput, requests)
	for range requests {
		work <- ids.Units(1)
	}
	close(work)
	var mu sync.Mutex
	var jobs []pending
	var lat, commit []time.Duration
	created, failed, sent := 0, 0, 0
	fail := func(format string, a ...any) {
		failed++
		if failed <= 3 {
			fmt.Fprintf(os.Stderr, name+": "+format+"\n", a...)
		}
	}
	c := Client(api, key)
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for items := range work {
				if ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				acc, err := c.RegisterItemsAsync(ctx, items)
				d := time.Since(t0)
				mu.Lock()
				sent++
				switch {
				case err != nil:
					fail("%v", err)
				case acc.Status == http.StatusAccepted:
					lat = append(lat, d)
					jobs = append(jobs, pending{acc.Location, t0})
				case acc.Status == http.StatusCreated:
					lat, commit = append(lat, d), append(commit, d)
					created += len(items)
				default:
					fail("HTTP %d, %d rejected", acc.Status, acc.Batch.Rejected())
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	// Poll the jobs, 8 pollers, each job again after 100 ms while pending.
	queue := make(chan pending, len(jobs))
	for _, j := range jobs {
		queue <- j
	}
	var left sync.WaitGroup
	left.Add(len(jobs))
	for range 8 {
		go func() {
			for j := range queue {
				done, ok := pollJob(ctx, c, j.loc)
				switch {
				case ctx.Err() != nil:
					left.Done()
				case !done:
					time.Sleep(100 * time.Millisecond)
					queue <- j
				default:
					mu.Lock()
					if ok {
						created++
						commit = append(commit, time.Since(j.sent))
					} else {
						fail("job %s failed", j.loc)
					}
					mu.Unlock()
					left.Done()
				}
			}
		}()
	}
	left.Wait()
	close(queue)
	d := time.Since(start).Seconds()
	return RegResult{Name: name, Items: created, Requests: sent, Seconds: d, ItemsPerS: float64(created) / d,
		P50ms: Ms(Quantile(lat, 0.5)), P99ms: Ms(Quantile(lat, 0.99)), CommitP50ms: Ms(Quantile(commit, 0.5)), Failed: failed}
}

// pollJob reads a job: done when it has an outcome, ok when that outcome
// created (or found) its items.
func pollJob(ctx context.Context, c *apiclient.Client, loc string) (done, ok bool) {
	job, err := c.Job(ctx, loc)
	var e *apiclient.Error
	switch {
	case errors.As(err, &e):
		return true, false // the API answered: the job is gone or not ours
	case err != nil:
		return false, false // transport: poll again
	}
	return job.Status != apiclient.JobPending, job.Status == apiclient.JobDone && job.HTTPStatus == http.StatusCreated
}
