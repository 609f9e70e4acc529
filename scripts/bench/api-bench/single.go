package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"github.com/idchain/idchain/scripts/bench/benchkit"
)

// runSingleOnly measures only (b), the synchronous single-item workload on
// the running API, and says where its time went (phases).
func runSingleOnly(ctx context.Context, c config, api benchkit.API, ids *benchkit.IDs, stdout io.Writer) error {
	var regs []benchkit.RegResult
	var r rawR
	if c.withR {
		var err error
		if r, err = measureR(ctx, c.touchDuration); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "R = %.1f tx/s, p50 %.0f ms (scripts/bench/fabric, 32 clients, %s)\n", r.TxPerSec, r.P50ms, c.touchDuration)
	}
	fmt.Fprintln(stdout, "(b) concurrent single-item requests, coalesced …")
	before := readPhases(ctx, api.Ops)
	b := benchkit.Register(ctx, fmt.Sprintf("(b) %d concurrent single-item, coalesced", c.singleClients),
		api.URL, api.OperatorKey, c.singleClients*c.singlePer, c.singleClients, 1, ids)
	ph := readPhases(ctx, api.Ops).minus(before)
	b.Txs = int(ph.txs)
	regs = append(regs, b)
	if c.tune != "" {
		tuned, err := parseTune(c.tune)
		if err != nil {
			return err
		}
		// Both in-process APIs up at once, measured alternately (defaults,
		// tuned, defaults, tuned, …): the same box moments for both.
		type side struct {
			name, url, ops string
			ph             phases // summed over its rounds
		}
		var sides []*side
		for _, t := range []struct {
			name string
			cfg  tuning
		}{{"defaults", tuning{}}, {c.tune, tuned}} {
			url, ops, closeSrv, err := inProcessServerOps(api.ProfilePath, &t.cfg.co, t.cfg.fab)
			if err != nil {
				return err
			}
			defer closeSrv()
			sides = append(sides, &side{name: t.name, url: url, ops: ops})
		}
		for round := range max(1, c.rounds) {
			for _, sd := range sides {
				fmt.Fprintf(stdout, "(e) round %d: single-item requests, in-process API %s …\n", round+1, sd.name)
				before := readPhases(ctx, sd.ops)
				regs = append(regs, benchkit.Register(ctx, fmt.Sprintf("(e%d) %d single-item, %s", round+1, c.singleClients, sd.name),
					sd.url, "bench", c.singleClients*c.singlePer, c.singleClients, 1, ids))
				sd.ph = sd.ph.plus(readPhases(ctx, sd.ops).minus(before))
			}
		}
		defer func() {
			for _, sd := range sides {
				sd.ph.printAs(stdout, "(e) "+sd.name)
			}
		}()
	}
	fmt.Fprintf(stdout, "\n%-48s %8s %8s %6s %8s %10s %8s %8s %6s\n", "registration", "items", "requests", "txs", "seconds", "items/s", "p50 ms", "p99 ms", "failed")
	for _, r := range regs {
		fmt.Fprintf(stdout, "%-48s %8d %8d %6d %8.2f %10.1f %8.1f %8.1f %6d\n", r.Name, r.Items, r.Requests, r.Txs, r.Seconds, r.ItemsPerS, r.P50ms, r.P99ms, r.Failed)
	}
	ph.print(stdout)
	if r.TxPerSec > 0 {
		for _, g := range regs {
			fmt.Fprintf(stdout, "%-48s %7.1f items/s = %.2f × R (R %.1f tx/s, p50 %.0f ms); p50 %.0f ms\n", g.Name, g.ItemsPerS, g.ItemsPerS/r.TxPerSec, r.TxPerSec, r.P50ms, g.P50ms)
		}
	}
	if c.jsonOut != "" {
		return benchkit.WriteJSON(c.jsonOut, map[string]any{"at": time.Now().UTC(), "r": r, "registration": regs, "phases": ph.means()})
	}
	return nil
}

// rawR is R as scripts/bench/all measures it.
type rawR struct {
	TxPerSec float64 `json:"txPerSec"`
	P50ms    float64 `json:"p50ms"`
}

// measureR runs scripts/bench/fabric exactly as scripts/bench/all does
// (32 clients, 5 samples) so R and (b) come from the same run.
func measureR(ctx context.Context, d time.Duration) (rawR, error) {
	f, err := os.CreateTemp("", "fabric-*.json")
	if err != nil {
		return rawR{}, err
	}
	f.Close()
	defer os.Remove(f.Name())
	cmd := exec.CommandContext(ctx, "go", "run", "./scripts/bench/fabric", "-clients", "32", "-duration", d.String(), "-samples", "5", "-json", f.Name())
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return rawR{}, fmt.Errorf("%v: %w (run it from the repository root)", cmd.Args, err)
	}
	b, err := os.ReadFile(f.Name())
	if err != nil {
		return rawR{}, err
	}
	var rep struct {
		Load []rawR `json:"load"`
	}
	if err := json.Unmarshal(b, &rep); err != nil || len(rep.Load) == 0 {
		return rawR{}, fmt.Errorf("no raw-Fabric figure in %s (%v)", f.Name(), err)
	}
	return rep.Load[0], nil
}

// phases are the API's cumulative RegisterItems timings (its /metrics).
type phases struct {
	txs, items                       float64
	endorse, submit, commit, sync    float64 // seconds, summed
	syncCount, endorseN, commitCount float64
}

func readPhases(ctx context.Context, ops string) phases {
	m := func(name string) float64 {
		v, err := benchkit.Metric(ctx, ops, name)
		if err != nil {
			return 0
		}
		return v
	}
	const d = "idchain_fabric_duration_seconds"
	fn := `fn="registry:RegisterItems"`
	return phases{
		txs:         m("idchain_register_batch_items_count"),
		items:       m("idchain_register_batch_items_sum"),
		endorse:     m(d + `_sum{` + fn + `,phase="endorse"}`),
		endorseN:    m(d + `_count{` + fn + `,phase="endorse"}`),
		submit:      m(d + `_sum{` + fn + `,phase="submit"}`),
		commit:      m(d + `_sum{` + fn + `,phase="commit"}`),
		commitCount: m(d + `_count{` + fn + `,phase="commit"}`),
		sync:        m(`idchain_fabric_peer_sync_seconds_sum{outcome="synced"}`),
		syncCount:   m(`idchain_fabric_peer_sync_seconds_count{outcome="synced"}`),
	}
}

func (p phases) plus(q phases) phases {
	return phases{p.txs + q.txs, p.items + q.items, p.endorse + q.endorse, p.submit + q.submit, p.commit + q.commit,
		p.sync + q.sync, p.syncCount + q.syncCount, p.endorseN + q.endorseN, p.commitCount + q.commitCount}
}

func (p phases) minus(q phases) phases {
	return phases{p.txs - q.txs, p.items - q.items, p.endorse - q.endorse, p.submit - q.submit, p.commit - q.commit,
		p.sync - q.sync, p.syncCount - q.syncCount, p.endorseN - q.endorseN, p.commitCount - q.commitCount}
}

// means per transaction, in ms.
func (p phases) means() map[string]float64 {
	per := func(v, n float64) float64 {
		if n <= 0 {
			return 0
		}
		return 1000 * v / n
	}
	return map[string]float64{
		"itemsPerTx": per(p.items, p.txs) / 1000,
		"endorseMs":  per(p.endorse, p.endorseN),
		"submitMs":   per(p.submit, p.commitCount),
		"commitMs":   per(p.commit, p.commitCount),
		"peerSyncMs": per(p.sync, p.syncCount),
	}
}

func (p phases) print(w io.Writer) { p.printAs(w, "(b)") }

func (p phases) printAs(w io.Writer, name string) {
	m := p.means()
	fmt.Fprintf(w, "%s: where a transaction's time went (API metrics, means over %.0f transactions of %.1f items): endorse %.0f ms, send to orderer %.0f ms, commit status %.0f ms, every org's peer has the block +%.1f ms\n",
		name, p.txs, m["itemsPerTx"], m["endorseMs"], m["submitMs"], m["commitMs"], m["peerSyncMs"])
}
