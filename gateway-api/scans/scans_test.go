package scans

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/internal/redistest"
)

// mustRedis starts a throw-away redis-server (no persistence) for the
// test, or skips when the binary is not installed.
func mustRedis(tb testing.TB) redis.UniversalClient { return redistest.Start(tb) }

func TestScansCountAndQueueTheFirstScanOnce(t *testing.T) {
	ctx := context.Background()
	s := NewScans(mustRedis(t), time.Second)
	t0 := time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC)
	first, err := s.Hit(ctx, "88.1/A", t0, time.Time{})
	if err != nil || first.Count != 1 || !first.First || !first.FirstAt.Equal(t0) {
		t.Fatalf("first hit %+v %v", first, err)
	}
	again, _ := s.Hit(ctx, "88.1/A", t0.Add(time.Hour), time.Time{})
	if again.Count != 2 || again.First || !again.FirstAt.Equal(t0) {
		t.Fatalf("second hit %+v", again)
	}
	known := t0.Add(-48 * time.Hour)
	seeded, _ := s.Hit(ctx, "88.1/B", t0, known)
	if seeded.First || !seeded.FirstAt.Equal(known) {
		t.Fatalf("hit with a ledger first scan %+v", seeded)
	}
	if p, _ := s.Peek(ctx, "88.1/A"); p.Count != 2 {
		t.Fatalf("peek %+v", p)
	}

	fail := errors.New("ledger down")
	n, err := s.FlushFirstScans(ctx, 10, func(context.Context, []FirstScan) error { return fail })
	if n != 0 || !errors.Is(err, fail) {
		t.Fatalf("failed flush: %d %v", n, err)
	}
	var got []FirstScan
	n, err = s.FlushFirstScans(ctx, 10, func(_ context.Context, b []FirstScan) error { got = b; return nil })
	if err != nil || n != 1 || got[0].ID != "88.1/A" || got[0].At != t0.Format(time.RFC3339Nano) {
		t.Fatalf("flush after failure: %d %v %+v", n, err, got)
	}
	if n, _ := s.FlushFirstScans(ctx, 10, nil); n != 0 {
		t.Fatalf("queue not empty")
	}
}

func TestAlertsAreDeduplicatedAndPerOwner(t *testing.T) {
	ctx := context.Background()
	s := NewScans(mustRedis(t), time.Second)
	a := Alert{Type: AlertDiversion, ID: "88.1/A", Owner: "MakerMSP", Region: "CN-BJ", Authorised: "CN-GD"}
	if ok, err := s.AddAlert(ctx, a); !ok || err != nil {
		t.Fatalf("add: %v %v", ok, err)
	}
	if ok, _ := s.AddAlert(ctx, a); ok {
		t.Fatal("the same alert was added twice within the hour")
	}
	a.Region = "CN-SH"
	s.AddAlert(ctx, a)
	list, _ := s.Alerts(ctx, "MakerMSP", 10)
	if len(list) != 2 || list[0].Region != "CN-SH" {
		t.Fatalf("alerts %+v", list)
	}
	if other, _ := s.Alerts(ctx, "PartnerMSP", 10); len(other) != 0 {
		t.Fatalf("another owner sees %+v", other)
	}
}

// itemReads answers GetItem and GetInspections for the recorder.
type itemReads map[string]domain.Item

func (r itemReads) Evaluate(_ context.Context, call ledger.Call) ([]byte, error) {
	if call.Fn == ledger.FnGetInspections {
		// failed at first (tx t0), passed on re-inspection (t2)
		return json.Marshal([]domain.Inspection{{TxID: "t0", Judgement: domain.Judgement{Passed: false}},
			{TxID: "t2", Judgement: domain.Judgement{Passed: true}}})
	}
	if call.Fn == ledger.FnGetPrefix {
		return json.Marshal(domain.Prefix{Prefix: call.Args[0], Owner: "MakerMSP"})
	}
	// Prefix 88.2 is the enterprise 甲企业's (hosted by MakerMSP); the
	// others are the org's own.
	if call.Fn == ledger.FnGetPrefixEnterprise {
		if call.Args[0] != entPrefix {
			return nil, domain.Errorf(domain.CodeNotFound, "prefix %s has no enterprise", call.Args[0])
		}
		return json.Marshal(domain.EnterprisePrefix{Prefix: entPrefix, Enterprise: entID, Org: "MakerMSP"})
	}
	if call.Fn == ledger.FnGetEnterprise {
		if call.Args[0] != entID {
			return nil, domain.Errorf(domain.CodeNotFound, "no enterprise %s", call.Args[0])
		}
		return json.Marshal(domain.Enterprise{ID: entID, Name: entName, Org: "MakerMSP"})
	}
	it, ok := r[call.Args[0]]
	if !ok {
		return nil, domain.Errorf(domain.CodeNotFound, "no %s", call.Args[0])
	}
	return json.Marshal(it)
}

// fakeStream is an EventStream over a fixed ledger: it delivers the events
// from the requested block on, then waits like a live stream.
type fakeStream struct {
	events []ledger.BlockEvent
	opened atomic.Int64
}

func (f *fakeStream) Events(ctx context.Context, from uint64, fn func(context.Context, ledger.BlockEvent) error) error {
	f.opened.Add(1)
	for _, ev := range f.events {
		if ev.Block < from {
			continue
		}
		if err := fn(ctx, ev); err != nil {
			return err
		}
	}
	<-ctx.Done()
	return ctx.Err()
}

// statsLedger is 300 registered items (a third pcb) and a few more events
// in blocks 2 to 5, all committed on 2026-11-28 in China.
func statsLedger() (itemReads, []ledger.BlockEvent) {
	reads := itemReads{}
	var ids []string
	for i := range 300 {
		id := "88.1/U" + strconv.Itoa(i)
		ind := domain.IndustryKitchenBath
		if i < 100 {
			ind = domain.IndustryPCB
		}
		reads[id] = domain.Item{ID: id, Owner: "MakerMSP", Industry: ind}
		ids = append(ids, id)
	}
	at := time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC)
	return reads, []ledger.BlockEvent{
		{Block: 2, At: at, Event: domain.ChaincodeEvent{Type: "item.inspected", IDs: ids[:1], TxID: "t0"}},
		{Block: 3, At: at, Event: domain.ChaincodeEvent{Type: "items.registered", IDs: ids, TxID: "t1"}},
		{Block: 3, At: at, Event: domain.ChaincodeEvent{Type: "item.inspected", IDs: ids[:1], TxID: "t2"}},
		{Block: 4, At: at, Event: domain.ChaincodeEvent{Type: "item.recalled", IDs: ids[:5], TxID: "t3"}},
		{Block: 5, At: at, Event: domain.ChaincodeEvent{Type: "consent.granted", IDs: []string{"c1", ids[0]}, TxID: "t4"}},
		{Block: 5, At: at, Event: domain.ChaincodeEvent{Type: "consent.granted", IDs: []string{"c2", "88.1"}, TxID: "t5"}},
	}
}

const (
	entPrefix = "88.2"
	entID     = "91440600MA1KB0023X"
	entName   = "甲企业 Enterprise A"
)

// Each count names the enterprise of its item's (or consent's) prefix; the
// org's own records stay without one, and rows still sum to the total.
func TestStatsAttributeEnterprises(t *testing.T) {
	ctx := context.Background()
	s := NewScans(mustRedis(t), time.Second)
	reads := itemReads{}
	var ids []string
	for i := range 6 {
		prefix := "88.1"
		if i%3 == 0 {
			prefix = entPrefix // 2 of 6
		}
		id := prefix + "/E" + strconv.Itoa(i)
		reads[id] = domain.Item{ID: id, Owner: "MakerMSP", Industry: domain.IndustryCosmetics}
		ids = append(ids, id)
	}
	at := time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC)
	events := []ledger.BlockEvent{
		{Block: 2, At: at, Event: domain.ChaincodeEvent{Type: "items.registered", IDs: ids, TxID: "e1"}},
		{Block: 3, At: at, Event: domain.ChaincodeEvent{Type: "item.recalled", IDs: ids[:1], TxID: "e2"}},
		{Block: 3, At: at, Event: domain.ChaincodeEvent{Type: "consent.granted", IDs: []string{"c1", entPrefix}, TxID: "e3"}},
		{Block: 4, At: at, Event: domain.ChaincodeEvent{Type: "consent.granted", IDs: []string{"c2", ids[1]}, TxID: "e4"}},
	}
	r := newStatsRecorder(s, reads)
	r.Sample = len(ids) // read every item: exact attribution
	if _, err := s.StatsStart(ctx, r.Now()); err != nil {
		t.Fatal(err)
	}
	for _, ev := range events {
		if err := r.Record(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	day := statsOf(t, s, "2026-11-28")
	want := map[StatKey]int64{
		{MetricItems, "MakerMSP", "cosmetics", entName}:    2,
		{MetricItems, "MakerMSP", "cosmetics", ""}:         4,
		{MetricRecalls, "MakerMSP", "cosmetics", entName}:  1,
		{MetricConsents, "MakerMSP", IndustryAll, entName}: 1,
		{MetricConsents, "MakerMSP", "cosmetics", ""}:      1,
	}
	if !maps.Equal(day, want) {
		t.Errorf("counts %v, want %v", day, want)
	}
	if k, ok := parseStatField("items|MakerMSP|pcb|A|B"); !ok || k.Enterprise != "A|B" {
		t.Errorf("a name with | parses as %+v %v", k, ok)
	}
	if k, ok := parseStatField("items|MakerMSP|pcb"); !ok || k != (StatKey{MetricItems, "MakerMSP", "pcb", ""}) {
		t.Errorf("a field counted before enterprises parses as %+v %v", k, ok)
	}
}

func newStatsRecorder(s *Scans, reads Evaluator) *StatsRecorder {
	r := NewStatsRecorder(s, reads, "svc")
	r.Now = func() time.Time { return time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC) }
	r.Check = 20 * time.Millisecond
	return r
}

// checkStatsDay fails unless day holds the counts of statsLedger.
func checkStatsDay(t *testing.T, day map[StatKey]int64) {
	t.Helper()
	kb := day[StatKey{MetricItems, "MakerMSP", "kitchen_bath", ""}]
	pcb := day[StatKey{MetricItems, "MakerMSP", "pcb", ""}]
	if kb+pcb != 300 || pcb < 90 || pcb > 110 {
		t.Errorf("items kitchen_bath %d pcb %d, want 300 in about 2:1", kb, pcb)
	}
	if day[StatKey{MetricInspected, "MakerMSP", "pcb", ""}] != 2 || day[StatKey{MetricPassed, "MakerMSP", "pcb", ""}] != 1 {
		t.Errorf("inspections %v, want 2 of which 1 passed (the judgement of each tx, not the latest)", day)
	}
	if day[StatKey{MetricRecalls, "MakerMSP", "pcb", ""}] != 1 || day[StatKey{MetricConsents, "MakerMSP", "pcb", ""}] != 1 ||
		day[StatKey{MetricConsents, "MakerMSP", IndustryAll, ""}] != 1 {
		t.Errorf("recalls/consents %v", day)
	}
	for k, n := range day {
		if k.Org == "" || k.Industry == "" {
			t.Errorf("%d %s counted without org or industry: %+v", n, k.Metric, k)
		}
	}
}

func statsOf(t *testing.T, s *Scans, day string) map[StatKey]int64 {
	t.Helper()
	st, err := s.Stats(context.Background(), []string{day})
	if err != nil {
		t.Fatal(err)
	}
	return st[day]
}

func TestStatsCountEachEventOnceWhateverIsReplayed(t *testing.T) {
	ctx := context.Background()
	s := NewScans(mustRedis(t), time.Second)
	reads, events := statsLedger()
	r := newStatsRecorder(s, reads)
	from, err := s.StatsStart(ctx, r.Now())
	if err != nil || from != 0 {
		t.Fatalf("start without a checkpoint: %d %v", from, err)
	}
	src := &fakeStream{events: events}
	count := func(from uint64) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		if err := src.Events(sctx, from, r.Record); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatal(err)
		}
	}
	count(0)
	count(0) // the whole ledger again
	count(3) // a reconnect from within block 3
	if from, _ := s.StatsStart(ctx, r.Now()); from != 5 {
		t.Errorf("checkpoint at block %d, want 5", from)
	}
	other := newStatsRecorder(s, reads) // a second API instance
	if err := (&fakeStream{events: events}).Events(ctx, 0, func(ctx context.Context, ev ledger.BlockEvent) error {
		if ev.Block == 5 {
			return errors.New("stop")
		}
		return other.Record(ctx, ev)
	}); err == nil {
		t.Fatal("stream did not stop")
	}
	checkStatsDay(t, statsOf(t, s, "2026-11-28"))
	if len(statsOf(t, s, "2026-11-29")) != 0 {
		t.Error("events counted on the day they were seen, not their block's")
	}
}

func TestStatsAreRebuiltAfterRedisLostItsData(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rdb := mustRedis(t)
	s := NewScans(rdb, time.Second)
	reads, events := statsLedger()
	r := newStatsRecorder(s, reads)
	src := &fakeStream{events: events}
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx, src, nil) }()
	defer func() { cancel(); <-done }()
	waitCounted := func(what string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for len(statsOf(t, s, "2026-11-28")) < 5 {
			if time.Now().After(deadline) {
				t.Fatalf("%s: counters not there: %v", what, statsOf(t, s, "2026-11-28"))
			}
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond) // let a double count show
		checkStatsDay(t, statsOf(t, s, "2026-11-28"))
	}
	waitCounted("first start")
	if err := rdb.FlushDB(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	waitCounted("after FLUSHDB")
	if n := src.opened.Load(); n != 2 {
		t.Errorf("stream opened %d times, want 2 (the start and the rebuild)", n)
	}

	// Counters without their checkpoint (e.g. evicted) are cleared, not added to.
	if err := rdb.Del(ctx, statsBlockKey).Err(); err != nil {
		t.Fatal(err)
	}
	waitCounted("after the checkpoint alone was lost")
}

// laggingReads fails the first reads of each item, as a peer that has not
// committed the event's block yet would.
type laggingReads struct {
	itemReads
	mu    sync.Mutex
	tries map[string]int
}

func (l *laggingReads) Evaluate(ctx context.Context, call ledger.Call) ([]byte, error) {
	l.mu.Lock()
	l.tries[call.Args[0]]++
	n := l.tries[call.Args[0]]
	l.mu.Unlock()
	if call.Fn == ledger.FnGetItem && n <= 2 {
		return nil, domain.Errorf(domain.CodeNotFound, "no %s yet", call.Args[0])
	}
	return l.itemReads.Evaluate(ctx, call)
}

func TestStatsAttributeItemsThePeerShowsLate(t *testing.T) {
	ctx := context.Background()
	s := NewScans(mustRedis(t), time.Second)
	reads, events := statsLedger()
	r := newStatsRecorder(s, &laggingReads{itemReads: reads, tries: map[string]int{}})
	r.Sample = 5
	if _, err := s.StatsStart(ctx, r.Now()); err != nil {
		t.Fatal(err)
	}
	if err := r.Record(ctx, events[1]); err != nil { // items.registered
		t.Fatal(err)
	}
	day := statsOf(t, s, "2026-11-28")
	if day[StatKey{MetricItems, "", "", ""}] != 0 || day[StatKey{MetricItems, "MakerMSP", "kitchen_bath", ""}]+day[StatKey{MetricItems, "MakerMSP", "pcb", ""}] != 300 {
		t.Fatalf("items of a lagging peer: %v", day)
	}
}

// Events a coalition's transaction emits naming ids nobody registered (or
// a recall of one) are no fact: nothing is counted for them, not even as an
// unattributed row, and the real items beside them still count.
func TestStatsIgnoreIdsNobodyRegistered(t *testing.T) {
	ctx := context.Background()
	s := NewScans(mustRedis(t), time.Second)
	reads, events := statsLedger()
	r := newStatsRecorder(s, reads)
	r.Sample = 20
	r.Retries = -1 // no retry: the fake answers at once
	if _, err := s.StatsStart(ctx, r.Now()); err != nil {
		t.Fatal(err)
	}
	at := events[0].At
	forged := []string{"88.1/FORGED-0", "88.1/FORGED-1", "88.1/FORGED-2", "88.1/FORGED-3"}
	for _, ev := range []ledger.BlockEvent{
		{Block: 7, At: at, Event: domain.ChaincodeEvent{Type: "items.registered", IDs: forged, TxID: "f1"}},
		{Block: 7, At: at, Event: domain.ChaincodeEvent{Type: "item.recalled", IDs: forged[:1], TxID: "f2"}},
		{Block: 8, At: at, Event: domain.ChaincodeEvent{Type: "items.registered", IDs: []string{"88.1/U0", "88.1/U1", forged[0], forged[1]}, TxID: "f3"}},
	} {
		if err := r.Record(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	day := statsOf(t, s, "2026-11-28")
	var total int64
	for k, n := range day {
		if k.Org == "" {
			t.Fatalf("counted without an org: %v = %d (%v)", k, n, day)
		}
		if k.Metric == MetricItems {
			total += n
		}
	}
	if total != 2 || day[StatKey{MetricRecalls, "MakerMSP", "pcb", ""}] != 0 {
		t.Fatalf("items %d (want the 2 real ones), day %v", total, day)
	}
}

// A packed lot counts as itself plus its units; first scans count ids.
func TestStatsCountAPackedLotsUnits(t *testing.T) {
	ctx := context.Background()
	s := NewScans(mustRedis(t), time.Second)
	reads := itemReads{
		"88.1/LOT-1": {ID: "88.1/LOT-1", Owner: "MakerMSP", Industry: domain.IndustryKitchenBath, Units: 5000},
		"88.1/U1":    {ID: "88.1/U1", Owner: "MakerMSP", Industry: domain.IndustryKitchenBath},
	}
	r := newStatsRecorder(s, reads)
	r.Sample, r.Retries = 20, -1
	at := time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC)
	if _, err := s.StatsStart(ctx, r.Now()); err != nil {
		t.Fatal(err)
	}
	for _, ev := range []ledger.BlockEvent{
		{Block: 3, At: at, Event: domain.ChaincodeEvent{Type: "items.registered", IDs: []string{"88.1/LOT-1", "88.1/U1"}, TxID: "t1"}},
		{Block: 4, At: at, Event: domain.ChaincodeEvent{Type: "scans.recorded", IDs: []string{"88.1/LOT-1"}, TxID: "t2"}},
	} {
		if err := r.Record(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	day := statsOf(t, s, "2026-11-28")
	k := func(m string) StatKey { return StatKey{m, "MakerMSP", "kitchen_bath", ""} }
	if day[k(MetricItems)] != 5002 || day[k(MetricFirstScans)] != 1 {
		t.Fatalf("day %v", day)
	}
}
