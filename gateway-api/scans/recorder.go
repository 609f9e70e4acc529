package scans

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/ledger"
)

// Evaluator reads items for the counters (cache.Cache, or ledger.Fabric).
type Evaluator interface {
	Evaluate(ctx context.Context, call ledger.Call) ([]byte, error)
}

// StatsRecorder turns chaincode events into the dashboard counters. It
// follows its own event stream (not the cache listener's): its checkpoint
// is kept in Redis next to the counters and moves in the same transaction
// as the counts of each event, so when Redis loses its data the checkpoint
// goes with the counters and they are rebuilt from block 0. Each event is
// enriched with the org and industry of the items it names (cached reads).
type StatsRecorder struct {
	scans *Scans
	reads Evaluator
	user  string
	// Sample bounds the items read per registration event; larger batches
	// are apportioned by the industries of an evenly spread sample.
	Sample int
	Now    func() time.Time
	// Retries bounds the re-reads of an item the answering peer does not
	// show yet (default 8, about 5 s; negative: none).
	Retries int
	// Check is how often Run looks for a lost checkpoint while the stream
	// is idle (default 5s), so the counters come back without new events.
	Check time.Duration

	ents sync.Map // prefix → enterprise name ("" for an org's own prefix)
}

// NewStatsRecorder reads items through reads as user.
func NewStatsRecorder(s *Scans, reads Evaluator, user string) *StatsRecorder {
	return &StatsRecorder{scans: s, reads: reads, user: user, Sample: 50, Now: time.Now}
}

// EventStream delivers the chaincode events from block from on, in ledger
// order, to fn until the stream ends, ctx ends or fn fails (its error is
// returned). The Fabric one is ledger.EventFeed.
type EventStream interface {
	Events(ctx context.Context, from uint64, fn func(context.Context, ledger.BlockEvent) error) error
}

// Run counts the events of src until ctx ends, reconnecting with backoff
// (streams do not recover by themselves) from the Redis checkpoint, or
// from block 0 when there is none. onErr sees every failure.
func (r *StatsRecorder) Run(ctx context.Context, src EventStream, onErr func(error)) {
	delay := 250 * time.Millisecond
	for ctx.Err() == nil {
		began := time.Now()
		from, err := r.scans.StatsStart(ctx, r.Now())
		if err == nil {
			err = r.follow(ctx, src, from)
		}
		if ctx.Err() != nil {
			return
		}
		if onErr != nil && err != nil {
			onErr(err)
		}
		if time.Since(began) > 30*time.Second {
			delay = 250 * time.Millisecond
		}
		select {
		case <-ctx.Done():
		case <-time.After(delay):
		}
		delay = min(2*delay, 10*time.Second)
	}
}

// follow streams from block from until the stream fails or the checkpoint
// disappears.
func (r *StatsRecorder) follow(ctx context.Context, src EventStream, from uint64) error {
	sctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		t := time.NewTicker(cmp.Or(r.Check, 5*time.Second))
		defer t.Stop()
		for {
			select {
			case <-sctx.Done():
				return
			case <-t.C:
			}
			if ok, err := r.scans.StatsCheckpointed(sctx); err == nil && !ok {
				cancel(ErrStatsCheckpointLost)
				return
			}
		}
	}()
	err := src.Events(sctx, from, r.Record)
	if cause := context.Cause(sctx); ctx.Err() == nil && errors.Is(cause, ErrStatsCheckpointLost) {
		return cause
	}
	return err
}

// orgInd attributes a count: org, industry and enterprise name.
type orgInd struct{ org, ind, ent string }

// Record counts one event on the day of its block, once (see AddStats).
// Events older than the counters' lifetime are skipped.
func (r *StatsRecorder) Record(ctx context.Context, le ledger.BlockEvent) error {
	at := le.At
	if at.IsZero() {
		at = r.Now()
	}
	if r.Now().Sub(at) > statsTTL {
		return nil
	}
	incs := r.counts(ctx, le.Event)
	if len(incs) == 0 {
		return nil
	}
	_, err := r.scans.AddStats(ctx, le.Block, le.Event.TxID, DayOf(at), incs)
	return err
}

// counts returns what ev adds to the counters.
func (r *StatsRecorder) counts(ctx context.Context, ev domain.ChaincodeEvent) map[StatKey]int64 {
	incs := map[StatKey]int64{}
	// A fact is counted only under the org its item (or consent subject)
	// reads as on the ledger: a transaction a coalition endorsed can emit an
	// event naming ids nobody registered, and those are no fact to count.
	add := func(metric string, oi orgInd, n int64) {
		if n > 0 && oi.org != "" {
			incs[StatKey{metric, oi.org, oi.ind, oi.ent}] += n
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
		// a packed lot counts its units too
		for oi, n := range r.apportion(ctx, ev.IDs, true) {
			add(MetricItems, oi, n)
		}
	case "scans.recorded":
		for oi, n := range r.apportion(ctx, ev.IDs, false) {
			add(MetricFirstScans, oi, n)
		}
	case "item.inspected":
		if len(ev.IDs) == 0 {
			return nil
		}
		oi := first()
		add(MetricInspected, oi, 1)
		if r.passed(ctx, ev.IDs[0], ev.TxID) {
			add(MetricPassed, oi, 1)
		}
	case "item.released":
		add(MetricReleases, first(), 1)
	case "item.recalled":
		add(MetricRecalls, first(), 1)
	case "access.recorded":
		add(MetricShared, first(), 1)
	case "consent.granted":
		add(MetricConsents, r.consentOf(ctx, ev.IDs), 1)
	}
	return incs
}

// itemOf returns the owner and industry of id ("" when unreadable). The
// live stream can deliver an event before the peer that answers the read
// has committed its block, so a failed read is retried for a few seconds:
// the event says the item exists.
func (r *StatsRecorder) itemOf(ctx context.Context, id string) orgInd {
	oi, _ := r.itemUnits(ctx, id)
	return oi
}

// itemUnits is itemOf with the number of packed units the item holds.
func (r *StatsRecorder) itemUnits(ctx context.Context, id string) (orgInd, int) {
	delay := 100 * time.Millisecond
	for try := 0; ; try++ {
		b, err := r.reads.Evaluate(ctx, ledger.Call{User: r.user, Fn: ledger.FnGetItem, Args: []string{id}})
		var it domain.Item
		if err == nil && json.Unmarshal(b, &it) == nil {
			prefix, _, _ := strings.Cut(it.ID, "/")
			return orgInd{it.Owner, string(it.Industry), r.enterpriseOf(ctx, prefix)}, it.Units
		}
		if try == r.retries() || ctx.Err() != nil {
			return orgInd{}, 0
		}
		select {
		case <-ctx.Done():
			return orgInd{}, 0
		case <-time.After(delay):
		}
		delay = min(2*delay, time.Second)
	}
}

func (r *StatsRecorder) retries() int {
	if r.Retries < 0 {
		return 0
	}
	return cmp.Or(r.Retries, 8)
}

// prefixOwner returns the owner of an identifier prefix ("" when unreadable).
func (r *StatsRecorder) prefixOwner(ctx context.Context, prefix string) string {
	b, err := r.reads.Evaluate(ctx, ledger.Call{User: r.user, Fn: ledger.FnGetPrefix, Args: []string{prefix}})
	var p domain.Prefix
	if err != nil || json.Unmarshal(b, &p) != nil {
		return ""
	}
	return p.Owner
}

// enterpriseOf returns the name of the enterprise prefix is assigned to
// ("" for an org's own prefix, or when unreadable). Answers are cached: an
// assignment never moves (a prefix of an enterprise or of an org cannot be
// given to another), and an enterprise keeps its name.
func (r *StatsRecorder) enterpriseOf(ctx context.Context, prefix string) string {
	if v, ok := r.ents.Load(prefix); ok {
		return v.(string)
	}
	b, err := r.reads.Evaluate(ctx, ledger.Call{User: r.user, Fn: ledger.FnGetPrefixEnterprise, Args: []string{prefix}})
	if domain.CodeOf(err) == domain.CodeNotFound {
		r.ents.Store(prefix, "")
		return ""
	}
	var ep domain.EnterprisePrefix
	if err != nil || json.Unmarshal(b, &ep) != nil || ep.Enterprise == "" {
		return ""
	}
	name := ep.Enterprise
	b, err = r.reads.Evaluate(ctx, ledger.Call{User: r.user, Fn: ledger.FnGetEnterprise, Args: []string{ep.Enterprise}})
	var e domain.Enterprise
	if err != nil || json.Unmarshal(b, &e) != nil {
		return name // the USCC until the name can be read
	}
	if e.Name != "" {
		name = e.Name
	}
	r.ents.Store(prefix, name)
	return name
}

// consentOf attributes a consent to its grantor through its first subject
// (the event lists the consent id, then its subjects): an item gives owner
// and industry; a whole prefix gives its owner and IndustryAll.
func (r *StatsRecorder) consentOf(ctx context.Context, ids []string) orgInd {
	if len(ids) < 2 {
		return orgInd{}
	}
	subject := ids[1]
	if !strings.Contains(subject, "/") {
		return orgInd{r.prefixOwner(ctx, subject), IndustryAll, r.enterpriseOf(ctx, subject)}
	}
	return r.itemOf(ctx, subject)
}

// passed is the judgement of id's inspection recorded by txID (the latest
// when none is), so a replay counts what was judged then, not now.
func (r *StatsRecorder) passed(ctx context.Context, id, txID string) bool {
	b, err := r.reads.Evaluate(ctx, ledger.Call{User: r.user, Fn: ledger.FnGetInspections, Args: []string{id}})
	if err != nil {
		return false
	}
	var ins []domain.Inspection
	if json.Unmarshal(b, &ins) != nil || len(ins) == 0 {
		return false
	}
	for _, in := range ins {
		if in.TxID == txID {
			return in.Passed
		}
	}
	return ins[len(ins)-1].Passed
}

// apportion attributes the items of ids to (org, industry, enterprise) by
// reading at most Sample evenly spread items; withUnits also counts the
// packed units of a lot (a sampled id weighs 1 + its units).
func (r *StatsRecorder) apportion(ctx context.Context, ids []string, withUnits bool) map[orgInd]int64 {
	n := len(ids)
	out := map[orgInd]int64{}
	if n == 0 {
		return out
	}
	m := min(n, max(r.Sample, 1))
	seen := map[orgInd]int64{}   // sampled ids
	weight := map[orgInd]int64{} // the items they stand for
	var order []orgInd
	for i := range m {
		oi, units := r.itemUnits(ctx, ids[i*n/m])
		if _, ok := seen[oi]; !ok {
			order = append(order, oi)
		}
		seen[oi]++
		weight[oi]++
		if withUnits {
			weight[oi] += int64(units)
		}
	}
	var total int64
	for _, oi := range order {
		out[oi] = weight[oi] * int64(n) / int64(m)
		total += seen[oi] * int64(n) / int64(m)
	}
	out[order[0]] += int64(n) - total // rounding remainder of the ids
	return out
}
