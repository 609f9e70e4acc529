// Command all is the one benchmark of issue 16 (make bench): in one run on
// the running system it measures R, the raw-Fabric trivial write (tx/s of
// system:Touch at 32 clients, ./scripts/bench/fabric), then the API
// workloads (./scripts/bench/api-bench: 1,000-item requests at 4 clients,
// 64 concurrent single-item requests, hot verify cached vs ledger at 32
// clients), then an `idctl import` of -rows rows (RSS sampled every second,
// every node's data directory measured before and after), and prints every
// target beside R with its ratio. scripts/bench/bench.sh adds the `make up`
// start-up time (-startup-seconds).
//
//	go run ./scripts/bench/all -rows 20000
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/idchain/idchain/scripts/bench/benchkit"
)

func main() { benchkit.Main("bench", run) }

type config struct {
	rows             int
	touchDuration    time.Duration
	bigRequests      int
	singlePer        int
	verifyDuration   time.Duration
	startup, readyIn float64
	out, tune, base  string
	skipImport       bool
}

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.IntVar(&c.rows, "rows", 1_000_000, "rows of the idctl import (a smaller count for quick runs)")
	fs.BoolVar(&c.skipImport, "no-import", false, "leave out the import and the bytes per item")
	fs.DurationVar(&c.touchDuration, "touch-duration", 15*time.Second, "R: system:Touch measuring time at 32 clients")
	fs.IntVar(&c.bigRequests, "big-requests", 16, "1,000-item requests (4 clients)")
	fs.IntVar(&c.singlePer, "single-per-client", 16, "single-item requests per client (64 clients)")
	fs.DurationVar(&c.verifyDuration, "verify-duration", 10*time.Second, "verify: measuring time per mode")
	fs.Float64Var(&c.startup, "startup-seconds", 0, "make up start-up time measured by bench.sh (0: not measured)")
	fs.Float64Var(&c.readyIn, "ready-seconds", 0, "network ready time of that make up")
	fs.StringVar(&c.tune, "tune", "", "coalescer settings to compare with the defaults side by side (api-bench -tune), e.g. wait=20ms,inflight=8")
	fs.StringVar(&c.base, "base-api", "", "URL of a second API over the same network (the previous build): before/after ratios in one run (api-bench -base-api)")
	fs.StringVar(&c.out, "out", "", "result directory (default scripts/bench/results/bench-<time>)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.rows < 1000 {
		return c, fmt.Errorf("-rows %d: at least 1000", c.rows)
	}
	if c.out == "" {
		c.out = filepath.Join("scripts/bench/results", "bench-"+time.Now().UTC().Format("20060102-150405"))
	}
	return c, nil
}

type fabricReport struct {
	Load []struct {
		Clients  int     `json:"clients"`
		TxPerSec float64 `json:"txPerSec"`
		P50ms    float64 `json:"p50ms"`
	} `json:"load"`
}

type apiReport struct {
	Registration []benchkit.RegResult  `json:"registration"`
	Verify       []benchkit.ReadResult `json:"verify"`
	Packed       benchkit.RegResult    `json:"packed"`
	PackedBytes  []benchkit.NodeBytes  `json:"packedBytes"`
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	c, err := parseFlags(args)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	started := time.Now().UTC()
	fmt.Fprintln(stdout, "bench: R = raw Fabric trivial write, 32 clients …")
	var fab fabricReport
	if err := goRun(ctx, filepath.Join(c.out, "fabric.json"), &fab, "./scripts/bench/fabric", "-clients", "32",
		"-duration", c.touchDuration.String(), "-samples", "5"); err != nil {
		return err
	}
	if len(fab.Load) == 0 || fab.Load[0].TxPerSec <= 0 {
		return fmt.Errorf("no raw-Fabric figure")
	}
	r := fab.Load[0].TxPerSec
	fmt.Fprintf(stdout, "bench: R = %.1f tx/s; API workloads …\n", r)
	var api apiReport
	if err := goRun(ctx, filepath.Join(c.out, "api.json"), &api, "./scripts/bench/api-bench",
		"-big-requests", strconv.Itoa(c.bigRequests), "-single-per-client", strconv.Itoa(c.singlePer),
		"-verify-duration", c.verifyDuration.String(), "-tune", c.tune, "-base-api", c.base); err != nil {
		return err
	}
	var imp *importResult
	if !c.skipImport {
		fmt.Fprintf(stdout, "bench: idctl import of %d rows …\n", c.rows)
		if imp, err = runImport(ctx, c, getenv, stdout); err != nil {
			return err
		}
	}
	rep := report{At: started, R: r, TouchP50ms: fab.Load[0].P50ms, API: api, Import: imp, Startup: c.startup, ReadyIn: c.readyIn}
	rep.print(stdout)
	return benchkit.WriteJSON(filepath.Join(c.out, "bench.json"), rep)
}

// goRun runs `go run pkg args… -json out` with its output on stderr and
// reads the JSON it wrote.
func goRun(ctx context.Context, out string, v any, pkg string, args ...string) error {
	cmd := exec.CommandContext(ctx, "go", append(append([]string{"run", pkg}, args...), "-json", out)...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w (run it from the repository root)", strings.Join(cmd.Args, " "), err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

type report struct {
	At         time.Time     `json:"at"`
	R          float64       `json:"rawTouchTxPerSec"`
	TouchP50ms float64       `json:"touchP50ms"`
	API        apiReport     `json:"api"`
	Import     *importResult `json:"import,omitempty"`
	Startup    float64       `json:"makeUpSeconds,omitempty"`
	ReadyIn    float64       `json:"networkReadySeconds,omitempty"`
}

func (rep report) print(w io.Writer) {
	mark := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT met"
	}
	fmt.Fprintf(w, "\n== issue 16 targets, one run (%s) ==\n", rep.At.Format(time.RFC3339))
	fmt.Fprintf(w, "%-58s %12s %9s %s\n", "workload", "figure", "ratio", "target")
	fmt.Fprintf(w, "%-58s %8.1f tx/s %9s %s\n", "R: raw Fabric, trivial one-key write, 32 clients", rep.R, "R", fmt.Sprintf("(p50 %.0f ms)", rep.TouchP50ms))
	regs, reads := rep.API.Registration, rep.API.Verify
	if len(regs) >= 3 {
		a, b, c := regs[0], regs[1], regs[2]
		fmt.Fprintf(w, "%-58s %7.0f it/s %8.1fx %s (≥ 15 × R), a key per item\n", "API, 1,000-item requests, 4 clients", a.ItemsPerS, a.ItemsPerS/rep.R, mark(a.ItemsPerS >= 15*rep.R))
		if p := rep.API.Packed; p.Items > 0 {
			fmt.Fprintf(w, "%-58s %7.0f it/s %8.1fx %s (≥ 15 × R), p50 %.0f ms, %d lots in %d txs\n", "  same as packed lots: one lot of 1,000 units per request", p.ItemsPerS, p.ItemsPerS/rep.R, mark(p.ItemsPerS >= 15*rep.R), p.P50ms, p.Requests, p.Txs)
		}
		fmt.Fprintf(w, "%-58s %7.0f it/s %8.1fx %s (≥ 4 × R), p50 %.0f ms\n", "API, 64 concurrent single-item requests", b.ItemsPerS, b.ItemsPerS/rep.R, mark(b.ItemsPerS >= 4*rep.R), b.P50ms)
		fmt.Fprintf(w, "%-58s %7.0f it/s %8.1fx (without the coalescer), p50 %.0f ms\n", "  same, one transaction per request", c.ItemsPerS, c.ItemsPerS/rep.R, c.P50ms)
		if len(regs) >= 4 {
			d := regs[3]
			fmt.Fprintf(w, "%-58s %7.0f it/s %8.1fx %s (≥ 4 × R), p50 %.0f ms to the 202, %.0f ms to the commit\n", "  same, asynchronous (Prefer: respond-async, 202 + poll)",
				d.ItemsPerS, d.ItemsPerS/rep.R, mark(d.ItemsPerS >= 4*rep.R), d.P50ms, d.CommitP50ms)
		}
		for _, e := range regs[min(4, len(regs)):] {
			fmt.Fprintf(w, "  %-56s %7.0f it/s %8.1fx p50 %.0f ms\n", e.Name, e.ItemsPerS, e.ItemsPerS/rep.R, e.P50ms)
		}
	}
	if len(reads) >= 2 && reads[1].PerS > 0 {
		h, l := reads[0], reads[1]
		ratio := h.PerS / l.PerS
		fmt.Fprintf(w, "%-58s %7.0f rq/s %8.1fx %s (≥ 30 × ledger), p99 %.1f ms %s (≤ 10 ms)\n", "verify one hot id, 32 clients, cached", h.PerS, ratio, mark(ratio >= 30), h.P99ms, mark(h.P99ms <= 10))
		fmt.Fprintf(w, "%-58s %7.0f rq/s %9s p99 %.1f ms\n", "  same read from the ledger", l.PerS, "1x", l.P99ms)
		for _, b := range reads[2:] {
			fmt.Fprintf(w, "  %-56s %7.0f rq/s %8.1fx p99 %.1f ms; this build does %.1fx its req/s\n", b.Name, b.PerS, b.PerS/l.PerS, b.P99ms, h.PerS/b.PerS)
		}
	}
	if im := rep.Import; im != nil {
		fmt.Fprintf(w, "%-58s %7.0f it/s %8.1fx RSS %s MB (min %.0f, max %.0f) %s\n", fmt.Sprintf("idctl import, %d rows (%d created, %d failed)", im.Rows, im.Created, im.Rejected),
			im.ItemsPerS, im.ItemsPerS/rep.R, im.rssLine(), im.RSSMinMB, im.RSSMaxMB, mark(im.Flat()))
		fmt.Fprintf(w, "%-58s\n", "bytes per item per node (data dir after − before, ÷ items):")
		for _, n := range im.Nodes {
			fmt.Fprintf(w, "  %-20s %8.0f B/item  (of which ledger/blocks %.0f B/item)\n", n.Name, n.PerItem, n.LedgerPerItem)
		}
		fmt.Fprintf(w, "  %-20s %8.0f B/item across all nodes\n", "total", im.TotalPerItem)
	}
	if pb := rep.API.PackedBytes; len(pb) > 0 {
		// a small sample: an orderer's WAL segments and snapshots can shrink
		// its directory, so a node counts at least its ledger's growth
		total := 0.0
		for _, n := range pb {
			total += max(n.PerItem, n.LedgerPerItem)
		}
		fmt.Fprintf(w, "%-58s\n", "bytes per packed unit per node (data dir growth over the packed lots ÷ units):")
		for _, n := range pb {
			fmt.Fprintf(w, "  %-20s %8.1f B/unit  (of which ledger/blocks %.1f B/unit)\n", n.Name, n.PerItem, n.LedgerPerItem)
		}
		fmt.Fprintf(w, "  %-20s %8.1f B/unit across all nodes\n", "total", total)
	}
	if rep.Startup > 0 {
		fmt.Fprintf(w, "%-58s %9.0f s %9s %s (< 60 s), network ready in %.0f s\n", "make up from a built clone to a seeded demo", rep.Startup, "", mark(rep.Startup < 60), rep.ReadyIn)
	}
}

type importResult struct {
	Rows, Created, Rejected int
	Seconds                 float64
	ItemsPerS               float64   `json:"itemsPerSecond"`
	RSSMB                   []float64 `json:"rssSamplesMB"` // one a second
	RSSMinMB, RSSMaxMB      float64
	Nodes                   []benchkit.NodeBytes `json:"nodes"`
	TotalPerItem            float64              `json:"totalBytesPerItem"`
}

// Flat: the RSS of the last tenth of the run is within 25 % (and 20 MB) of
// the RSS after the first tenth, i.e. memory does not grow with the rows.
func (im *importResult) Flat() bool {
	n := len(im.RSSMB)
	if n < 3 {
		return true
	}
	early := im.RSSMB[max(1, n/10)]
	late := slices.Max(im.RSSMB[n-max(1, n/10):])
	return late <= early*1.25 || late-early <= 20
}

// rssLine is up to 6 evenly spaced RSS samples.
func (im *importResult) rssLine() string {
	var out []string
	n := len(im.RSSMB)
	for i := range min(6, n) {
		out = append(out, fmt.Sprintf("%.0f", im.RSSMB[i*(n-1)/max(1, min(6, n)-1)]))
	}
	return strings.Join(out, "→")
}

// runImport writes a CSV of fresh bench units, imports it with a freshly
// built idctl and measures RSS and every node's data directory.
func runImport(ctx context.Context, c config, getenv func(string) string, stdout io.Writer) (*importResult, error) {
	api, ids, err := benchkit.StartAPI(ctx, getenv)
	if err != nil {
		return nil, err
	}
	csvPath := filepath.Join(c.out, "items.csv")
	if err := writeCSV(csvPath, ids, c.rows); err != nil {
		return nil, err
	}
	bin := filepath.Join(c.out, "idctl")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/idctl").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build ./cmd/idctl: %v\n%s", err, out)
	}
	dataDir := benchkit.DataDir(api.ProfilePath)
	before, err := benchkit.NodeSizes(dataDir)
	if err != nil {
		return nil, err
	}
	im := &importResult{Rows: c.rows}
	logf, err := os.Create(filepath.Join(c.out, "import.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := exec.CommandContext(ctx, bin, "import", "-api", api.URL, "-key", api.OperatorKey, csvPath)
	var stdoutBuf strings.Builder
	cmd.Stdout, cmd.Stderr = &stdoutBuf, logf
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var waitErr error
loop:
	for {
		select {
		case waitErr = <-done:
			break loop
		case <-tick.C:
			if mb, ok := rssMB(cmd.Process.Pid); ok {
				im.RSSMB = append(im.RSSMB, mb)
			}
			if n := len(im.RSSMB); n%60 == 0 && n > 0 {
				fmt.Fprintf(stdout, "  import: %d s, RSS %.0f MB\n", n, im.RSSMB[n-1])
			}
		}
	}
	im.Seconds = time.Since(start).Seconds()
	if waitErr != nil {
		return nil, fmt.Errorf("idctl import: %v (log %s)", waitErr, logf.Name())
	}
	im.Created, im.Rejected = parseDone(stdoutBuf.String())
	im.ItemsPerS = float64(im.Created) / im.Seconds
	if len(im.RSSMB) > 0 {
		im.RSSMinMB, im.RSSMaxMB = slices.Min(im.RSSMB), slices.Max(im.RSSMB)
	}
	// Let every peer commit the last blocks before measuring.
	time.Sleep(3 * time.Second)
	after, err := benchkit.NodeSizes(dataDir)
	if err != nil {
		return nil, err
	}
	im.Nodes = benchkit.PerNode(before, after, float64(max(1, im.Created)))
	for _, n := range im.Nodes {
		im.TotalPerItem += n.PerItem
	}
	_ = os.Remove(csvPath)
	return im, nil
}

// parseDone reads created and rejected from idctl's final line.
func parseDone(s string) (created, rejected int) {
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(l, "完成 done:") {
			continue
		}
		f := strings.Fields(l)
		for i, w := range f {
			if i+1 < len(f) && w == "created" {
				created, _ = strconv.Atoi(f[i+1])
			}
			if i+1 < len(f) && w == "rejected" {
				rejected, _ = strconv.Atoi(f[i+1])
			}
		}
	}
	return created, rejected
}

func writeCSV(path string, ids *benchkit.IDs, rows int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "id,kind,industry,model,serial")
	for range rows {
		id := ids.Next()
		fmt.Fprintf(w, "%s,unit,kitchen_bath,BENCH-1,%s\n", id, id[len(id)-7:])
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// rssMB is the resident set of process pid in MB (Linux /proc).
func rssMB(pid int) (float64, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, false
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return float64(kb) / 1024, err == nil
		}
	}
	return 0, false
}
