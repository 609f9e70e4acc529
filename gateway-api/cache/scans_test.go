package cache

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/ledger"
)

// mustRedis starts a throw-away redis-server (no persistence) for the
// test, or skips when the binary is not installed.
func mustRedis(tb testing.TB) redis.UniversalClient {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("IDCHAIN_TEST_STRICT") == "1" {
			tb.Fatal("redis-server not installed (apt-get install -y redis-server)")
		}
		tb.Skip("redis-server not installed")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", tb.TempDir())
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port)})
	tb.Cleanup(func() { rdb.Close() })
	for range 100 {
		if rdb.Ping(context.Background()).Err() == nil {
			return rdb
		}
		time.Sleep(20 * time.Millisecond)
	}
	tb.Fatal("redis-server did not start")
	return nil
}

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
		return json.Marshal([]domain.Inspection{{Judgement: domain.Judgement{Passed: false}}, {Judgement: domain.Judgement{Passed: true}}})
	}
	it, ok := r[call.Args[0]]
	if !ok {
		return nil, domain.Errorf(domain.CodeNotFound, "no %s", call.Args[0])
	}
	return json.Marshal(it)
}

func TestStatsRecorderCountsEventsOncePerTransaction(t *testing.T) {
	ctx := context.Background()
	s := NewScans(mustRedis(t), time.Second)
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
	r := NewStatsRecorder(s, reads, "svc")
	r.Now = func() time.Time { return time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC) } // 28th in China
	for _, ev := range []domain.ChaincodeEvent{
		{Type: "items.registered", IDs: ids, TxID: "t1"},
		{Type: "items.registered", IDs: ids, TxID: "t1"}, // replayed
		{Type: "item.inspected", IDs: ids[:1], TxID: "t2"},
		{Type: "item.recalled", IDs: ids[:5], TxID: "t3"},
		{Type: "consent.granted", IDs: []string{"c1"}, TxID: "t4"},
	} {
		if err := r.Record(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	st, err := s.Stats(ctx, []string{"2026-11-28"})
	if err != nil {
		t.Fatal(err)
	}
	day := st["2026-11-28"]
	kb := day[StatKey{MetricItems, "MakerMSP", "kitchen_bath"}]
	pcb := day[StatKey{MetricItems, "MakerMSP", "pcb"}]
	if kb+pcb != 300 || pcb < 90 || pcb > 110 {
		t.Errorf("items kitchen_bath %d pcb %d, want 300 in about 2:1", kb, pcb)
	}
	if day[StatKey{MetricInspected, "MakerMSP", "pcb"}] != 1 || day[StatKey{MetricPassed, "MakerMSP", "pcb"}] != 1 {
		t.Errorf("inspections %v", day)
	}
	if day[StatKey{MetricRecalls, "MakerMSP", "pcb"}] != 1 || day[StatKey{MetricConsents, "", ""}] != 1 {
		t.Errorf("recalls/consents %v", day)
	}
}
