// Command profile puts batched, single-item or hot-verify load on the
// running system through the API and meanwhile takes a CPU profile of every
// process that serves pprof (peers, orderers, chaincode servers, API; the
// system must have been started with IDCHAIN_PPROF=1, which
// scripts/bench/profile.sh does). It saves the profiles and prints where the
// CPU time went, per process kind, in the categories of docs/benchmarks.md.
//
//	go run ./scripts/bench/profile -endpoints peer0.maker=http://127.0.0.1:7203,… -out DIR
//	go run ./scripts/bench/profile -analyze DIR   (tables of saved profiles)
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/pprof/profile"

	"github.com/idchain/idchain/scripts/bench/benchkit"
)

func main() { benchkit.Main("bench profile", run) }

type config struct {
	endpoints []endpoint
	workloads []string
	seconds   int
	warmup    time.Duration
	out       string
	analyze   string
}

type endpoint struct{ name, url string }

// workloads by name: what load runs while the profiles are taken.
var workloads = map[string]string{
	"batched": "1,000-item POST /v1/items, 4 clients",
	"packed":  "POST /v1/items of one packed lot of 1,000 units, 4 clients",
	"single":  "single-item POST /v1/items, 64 clients (coalesced by the API)",
	"verify":  "GET /v1/verify of one hot id, 32 clients (cached)",
}

func parseFlags(args []string) (config, error) {
	var c config
	var eps, wls string
	fs := flag.NewFlagSet("profile", flag.ContinueOnError)
	fs.StringVar(&eps, "endpoints", "", "comma-separated name=http://host:port pprof listeners")
	fs.StringVar(&wls, "workloads", "batched,single", "comma-separated workloads: batched, packed, single, verify")
	fs.IntVar(&c.seconds, "seconds", 20, "CPU profile length per workload")
	fs.DurationVar(&c.warmup, "warmup", 4*time.Second, "load before the profiles start")
	fs.StringVar(&c.out, "out", "", "directory for the profiles (default scripts/bench/results/profile-<time>)")
	fs.StringVar(&c.analyze, "analyze", "", "only print the tables of the profiles saved in this directory")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.analyze != "" {
		return c, nil
	}
	for _, e := range strings.Split(eps, ",") {
		name, u, ok := strings.Cut(strings.TrimSpace(e), "=")
		if !ok || name == "" || strings.ContainsAny(name, "/\\") {
			return c, fmt.Errorf("bad -endpoints entry %q (name=http://host:port)", e)
		}
		if err := benchkit.LoopbackURL(u); err != nil {
			return c, err
		}
		c.endpoints = append(c.endpoints, endpoint{name, strings.TrimSuffix(u, "/")})
	}
	for _, w := range strings.Split(wls, ",") {
		if _, ok := workloads[w]; !ok {
			return c, fmt.Errorf("unknown workload %q", w)
		}
		c.workloads = append(c.workloads, w)
	}
	if c.out == "" {
		c.out = filepath.Join("scripts/bench/results", "profile-"+time.Now().UTC().Format("20060102-150405"))
	}
	return c, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	c, err := parseFlags(args)
	if err != nil {
		return err
	}
	if c.analyze != "" {
		return analyzeDir(stdout, c.analyze)
	}
	api, ids, err := benchkit.StartAPI(ctx, getenv)
	if err != nil {
		return err
	}
	prefix := ids.Prefix
	// The hot id of the verify workload.
	if r := benchkit.Register(ctx, "seed", api.URL, api.OperatorKey, 1, 1, 1, ids); r.Items != 1 {
		return fmt.Errorf("could not register the hot id")
	}
	for _, w := range c.workloads {
		dir := filepath.Join(c.out, w)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %s; profiling %d s …\n", w, workloads[w], c.seconds)
		load := runLoad(ctx, w, api, ids, prefix+"/B0000001")
		time.Sleep(c.warmup)
		got := collect(ctx, c.endpoints, c.seconds, dir)
		summary := load.stop()
		fmt.Fprintf(stdout, "  load during the run: %s\n", summary)
		_ = os.WriteFile(filepath.Join(dir, "load.txt"), []byte(workloads[w]+"\n"+summary+"\n"), 0o644)
		for _, e := range got {
			fmt.Fprintf(stdout, "  %s\n", e)
		}
	}
	fmt.Fprintf(stdout, "profiles: %s (go tool pprof -top FILE)\n\n", c.out)
	return analyzeDir(stdout, c.out)
}

// runningLoad is a workload running until stop.
type runningLoad struct {
	cancel func()
	done   chan string
}

func (l runningLoad) stop() string { l.cancel(); return <-l.done }

func runLoad(ctx context.Context, w string, api benchkit.API, ids *benchkit.IDs, hot string) runningLoad {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan string, 1)
	go func() {
		switch w {
		case "batched":
			r := benchkit.Register(ctx, w, api.URL, api.OperatorKey, 400, 4, 1000, ids)
			done <- fmt.Sprintf("%d items in %.1f s = %.0f items/s, %d failed", r.Items, r.Seconds, r.ItemsPerS, r.Failed)
		case "packed":
			r := benchkit.RegisterLots(ctx, w, api.URL, api.OperatorKey, 100000, 4, 1000, ids)
			done <- fmt.Sprintf("%d units in %.1f s = %.0f units/s, p50 %.0f ms, %d failed", r.Items, r.Seconds, r.ItemsPerS, r.P50ms, r.Failed)
		case "single":
			r := benchkit.Register(ctx, w, api.URL, api.OperatorKey, 64*1000, 64, 1, ids)
			done <- fmt.Sprintf("%d items in %.1f s = %.0f items/s, p50 %.0f ms, %d failed", r.Items, r.Seconds, r.ItemsPerS, r.P50ms, r.Failed)
		case "verify":
			r := benchkit.Verify(ctx, w, api.URL, api.OperatorKey, hot, false, 32, time.Hour)
			done <- fmt.Sprintf("%d requests = %.0f req/s, p99 %.1f ms, %d failed", r.Count, r.PerS, r.P99ms, r.Failed)
		}
	}()
	return runningLoad{cancel, done}
}

// collect takes a CPU profile of every endpoint at once and saves each as
// dir/<name>.pb.gz; it returns one line per endpoint that failed.
func collect(ctx context.Context, eps []endpoint, seconds int, dir string) []string {
	var mu sync.Mutex
	var failed []string
	var wg sync.WaitGroup
	for _, e := range eps {
		wg.Go(func() {
			if err := fetchProfile(ctx, e, seconds, filepath.Join(dir, e.name+".pb.gz")); err != nil {
				mu.Lock()
				failed = append(failed, fmt.Sprintf("%s: no profile: %v", e.name, err))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(failed)
	return failed
}

func fetchProfile(ctx context.Context, e endpoint, seconds int, path string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Duration(seconds+30)*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", e.url, seconds), nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %.200s", res.Status, b)
	}
	return os.WriteFile(path, b, 0o644)
}

// kind groups process names: peer0.maker → peers, orderer1 → orderers,
// cc.maker → chaincode servers, api → API.
func kind(name string) string {
	switch {
	case strings.HasPrefix(name, "peer"):
		return "peers"
	case strings.HasPrefix(name, "orderer"):
		return "orderers"
	case strings.HasPrefix(name, "cc."):
		return "chaincode"
	case strings.HasPrefix(name, "api"):
		return "API"
	}
	return name
}

var kinds = []string{"peers", "orderers", "chaincode", "API"}

func analyzeDir(w io.Writer, dir string) error {
	subs, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	found := false
	for _, s := range subs {
		if !s.IsDir() {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(dir, s.Name(), "*.pb.gz"))
		if len(files) == 0 {
			continue
		}
		found = true
		if err := analyze(w, filepath.Join(dir, s.Name()), s.Name(), files); err != nil {
			return err
		}
	}
	if !found {
		return errors.New("no profiles under " + dir)
	}
	return nil
}

// analyze prints one workload's table: CPU cores used per category and
// process kind, with each category's share of the whole system's CPU and
// the two largest costs per kind.
func analyze(w io.Writer, dir, workload string, files []string) error {
	byKind := map[string]map[string]float64{}
	cum := map[string]float64{} // by marker label
	kindTotal := map[string]float64{}
	var procs []string
	var dur float64
	total := 0.0
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return err
		}
		p, err := profile.Parse(fh)
		fh.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		d := float64(p.DurationNanos) / 1e9
		dur = max(dur, d)
		cats, sum := breakdown(p)
		name := strings.TrimSuffix(filepath.Base(f), ".pb.gz")
		k := kind(name)
		if byKind[k] == nil {
			byKind[k] = map[string]float64{}
		}
		for c, v := range cats {
			if k == "chaincode" && c == catTransport {
				// A chaincode server's only gRPC connection is its stream
				// with its peer, served by goroutines of their own.
				c = catCCMsg
			}
			byKind[k][c] += v
		}
		kindTotal[k] += sum
		for _, m := range markers {
			if m.kind == k {
				cum[m.label] += cumulative(p, m.sub)
			}
		}
		total += sum
		procs = append(procs, fmt.Sprintf("%s %.2f", name, sum/max(d, 1)))
	}
	if dur == 0 || total == 0 {
		return fmt.Errorf("%s: empty profiles", dir)
	}
	load, _ := os.ReadFile(filepath.Join(dir, "load.txt"))
	fmt.Fprintf(w, "### %s\n\n%s\nCPU cores used per process over %.0f s: %s\n\n", workload, strings.TrimSpace(string(load)), dur, strings.Join(procs, ", "))
	present := slices.DeleteFunc(slices.Clone(kinds), func(k string) bool { return kindTotal[k] == 0 })
	fmt.Fprintf(w, "| category (cores) | %s | all | share |\n|---|%s---:|---:|\n", strings.Join(present, " | "), strings.Repeat("---:|", len(present)))
	for _, c := range categories {
		all := 0.0
		row := ""
		for _, k := range present {
			v := byKind[k][c]
			all += v
			row += fmt.Sprintf(" %.3f |", v/dur)
		}
		if all/total < 0.002 {
			continue
		}
		fmt.Fprintf(w, "| %s |%s %.3f | %.1f %% |\n", c, row, all/dur, 100*all/total)
	}
	tot := ""
	for _, k := range present {
		tot += fmt.Sprintf(" %.3f |", kindTotal[k]/dur)
	}
	fmt.Fprintf(w, "| **total** |%s %.3f | 100 %% |\n\n", tot, total/dur)
	allCats := map[string]float64{}
	for _, k := range present {
		fmt.Fprintf(w, "- %s: %s\n", k, topTwo(byKind[k], kindTotal[k]))
		for c, v := range byKind[k] {
			allCats[c] += v
		}
	}
	fmt.Fprintf(w, "- whole system: %s\n\n", topTwo(allCats, total))
	fmt.Fprintf(w, "| cumulative (whatever category) | kind | cores | share of kind |\n|---|---|---:|---:|\n")
	for _, m := range markers {
		if kindTotal[m.kind] > 0 && cum[m.label] > 0 {
			fmt.Fprintf(w, "| %s | %s | %.3f | %.1f %% |\n", m.label, m.kind, cum[m.label]/dur, 100*cum[m.label]/kindTotal[m.kind])
		}
	}
	fmt.Fprintln(w)
	return nil
}

// topTwo names the two largest categories with their shares, leaving out
// "GC and runtime" and "other", which are no cost one can remove by itself.
func topTwo(cats map[string]float64, total float64) string {
	type kv struct {
		c string
		v float64
	}
	var l []kv
	for c, v := range cats {
		if c != catRuntime && c != catOther {
			l = append(l, kv{c, v})
		}
	}
	slices.SortFunc(l, func(a, b kv) int { return cmp.Or(cmp.Compare(b.v, a.v), strings.Compare(a.c, b.c)) })
	var out []string
	for _, e := range l[:min(2, len(l))] {
		out = append(out, fmt.Sprintf("%s %.0f %%", e.c, 100*e.v/total))
	}
	return strings.Join(out, ", ")
}
