package cache

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"time"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/ledger"
)

// StatsRecorder turns chaincode events into the dashboard counters. The
// event listener hands it events with Observe, which never blocks (the
// listener must keep invalidating the cache promptly); a worker enriches
// each event with the org and industry of the items it names (cached reads)
// and adds the counts. Counting starts when the listener starts; an event
// seen twice is counted once (AddStats deduplicates by tx id).
type StatsRecorder struct {
	scans *Scans
	reads Evaluator
	user  string
	// Sample bounds the items read per registration event; larger batches
	// are apportioned by the industries of an evenly spread sample.
	Sample  int
	Now     func() time.Time
	ch      chan domain.ChaincodeEvent
	dropped atomic.Int64
}

// NewStatsRecorder reads items through reads as user.
func NewStatsRecorder(s *Scans, reads Evaluator, user string) *StatsRecorder {
	return &StatsRecorder{scans: s, reads: reads, user: user, Sample: 50, Now: time.Now,
		ch: make(chan domain.ChaincodeEvent, 4096)}
}

// Observe queues ev; when the queue is full the event is dropped and counted.
func (r *StatsRecorder) Observe(ev domain.ChaincodeEvent) {
	select {
	case r.ch <- ev:
	default:
		r.dropped.Add(1)
	}
}

// Dropped is how many events were not counted because the queue was full.
func (r *StatsRecorder) Dropped() int64 { return r.dropped.Load() }

// Run counts queued events until ctx ends. onErr sees failures.
func (r *StatsRecorder) Run(ctx context.Context, onErr func(error)) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-r.ch:
			if err := r.Record(ctx, ev); err != nil && onErr != nil {
				onErr(err)
			}
		}
	}
}

type orgInd struct{ org, ind string }

// Record counts one event now.
func (r *StatsRecorder) Record(ctx context.Context, ev domain.ChaincodeEvent) error {
	incs := map[StatKey]int64{}
	add := func(metric string, oi orgInd, n int64) {
		if n > 0 {
			incs[StatKey{metric, oi.org, oi.ind}] += n
		}
	}
	first := func() orgInd {
		if len(ev.IDs) == 0 {
			return orgInd{}
		}
		return r.itemOf(ctx, ev.IDs[0])
	}
	switch ev.Type {
	case "items.registered":
		for oi, n := range r.apportion(ctx, ev.IDs) {
			add(MetricItems, oi, n)
		}
	case "scans.recorded":
		for oi, n := range r.apportion(ctx, ev.IDs) {
			add(MetricFirstScans, oi, n)
		}
	case "item.inspected":
		if len(ev.IDs) == 0 {
			return nil
		}
		oi := first()
		add(MetricInspected, oi, 1)
		if r.lastPassed(ctx, ev.IDs[0]) {
			add(MetricPassed, oi, 1)
		}
	case "item.released":
		add(MetricReleases, first(), 1)
	case "item.recalled":
		add(MetricRecalls, first(), 1)
	case "access.recorded":
		add(MetricShared, first(), 1)
	case "consent.granted":
		add(MetricConsents, orgInd{}, 1) // the event names only the consent id
	default:
		return nil
	}
	_, err := r.scans.AddStats(ctx, ev.TxID, DayOf(r.Now()), incs)
	return err
}

// itemOf returns the owner and industry of id ("" when unreadable).
func (r *StatsRecorder) itemOf(ctx context.Context, id string) orgInd {
	b, err := r.reads.Evaluate(ctx, ledger.Call{User: r.user, Fn: ledger.FnGetItem, Args: []string{id}})
	if err != nil {
		return orgInd{}
	}
	var it domain.Item
	if json.Unmarshal(b, &it) != nil {
		return orgInd{}
	}
	return orgInd{it.Owner, string(it.Industry)}
}

func (r *StatsRecorder) lastPassed(ctx context.Context, id string) bool {
	b, err := r.reads.Evaluate(ctx, ledger.Call{User: r.user, Fn: ledger.FnGetInspections, Args: []string{id}})
	if err != nil {
		return false
	}
	var ins []domain.Inspection
	if json.Unmarshal(b, &ins) != nil || len(ins) == 0 {
		return false
	}
	return ins[len(ins)-1].Passed
}

// apportion attributes len(ids) to (org, industry) by reading at most
// Sample evenly spread items.
func (r *StatsRecorder) apportion(ctx context.Context, ids []string) map[orgInd]int64 {
	n := len(ids)
	out := map[orgInd]int64{}
	if n == 0 {
		return out
	}
	m := min(n, max(r.Sample, 1))
	seen := map[orgInd]int64{}
	var order []orgInd
	for i := range m {
		oi := r.itemOf(ctx, ids[i*n/m])
		if seen[oi] == 0 {
			order = append(order, oi)
		}
		seen[oi]++
	}
	var total int64
	for _, oi := range order {
		out[oi] = seen[oi] * int64(n) / int64(m)
		total += out[oi]
	}
	out[order[0]] += int64(n) - total // rounding remainder
	return out
}
