package httpapi

import (
	"cmp"
	"context"
	"encoding/json"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/cache"
	"github.com/idchain/idchain/gateway-api/ledger"
)

// pubReads stands in for the cached public reads: items, verifications
// and provenance by id, and registry:FindByGTIN answered as the
// chaincode's GS1 index would.
type pubReads struct {
	mu     sync.Mutex
	items  map[string]domain.Item
	verifs map[string]domain.Verification
	provs  map[string]domain.Provenance
	calls  map[string]int
}

func (p *pubReads) Evaluate(_ context.Context, call ledger.Call) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls[call.Fn]++
	id := ""
	if len(call.Args) > 0 {
		id = call.Args[0]
	}
	switch call.Fn {
	case ledger.FnGetItem:
		it, ok := p.items[id]
		if !ok {
			return nil, domain.Errorf(domain.CodeNotFound, "item %s not found", id)
		}
		return json.Marshal(it)
	case ledger.FnVerify:
		if v, ok := p.verifs[id]; ok {
			return json.Marshal(v)
		}
		return json.Marshal(domain.Verification{ID: id}) // not genuine, as the chaincode answers
	case ledger.FnGetProvenance:
		return json.Marshal(p.provs[id])
	case ledger.FnFindByGTIN:
		if m, ok := p.findByGTIN(call.Args[0], call.Args[1], call.Args[2]); ok {
			return json.Marshal(m)
		}
		return nil, domain.Errorf(domain.CodeNotFound, "no item carries GTIN %s", id)
	}
	return nil, errorString("chaincode function " + call.Fn + " not found")
}

// findByGTIN mirrors the chaincode's GS1 index: a serial names a
// serialized item (of the lot, if given), a lot a lot-level item without
// serial, a GTIN alone a lot-level item first, else a serialized one.
func (p *pubReads) findByGTIN(gtin, lot, serial string) (domain.GS1Match, bool) {
	ids := slices.Sorted(maps.Keys(p.items))
	find := func(match func(domain.Item) bool) string {
		for _, id := range ids {
			if it := p.items[id]; it.GTIN == gtin && match(it) {
				return id
			}
		}
		return ""
	}
	lotLevel := func(it domain.Item) bool { return it.Serial == "" && it.Lot != "" && domain.IsLotLevel(it.Kind) }
	var m domain.GS1Match
	switch {
	case serial != "":
		m.ID, m.Level = find(func(it domain.Item) bool { return it.Serial == serial && (lot == "" || it.Lot == lot) }), domain.GS1LevelItem
	case lot != "":
		m.ID, m.Level = find(func(it domain.Item) bool { return lotLevel(it) && it.Lot == lot }), domain.GS1LevelLot
	default:
		m.ID = cmp.Or(find(lotLevel), find(func(it domain.Item) bool { return it.Serial != "" }))
		m.Level = domain.GS1LevelProduct
	}
	return m, m.ID != ""
}

type errorString string

func (e errorString) Error() string { return string(e) }

// memScans is an in-memory ScanCounter, AlertBook and StatsSource.
type memScans struct {
	mu     sync.Mutex
	n      map[string]int64
	first  map[string]time.Time
	alerts []cache.Alert
	stats  map[string]map[cache.StatKey]int64
}

func newMemScans() *memScans {
	return &memScans{n: map[string]int64{}, first: map[string]time.Time{},
		stats: map[string]map[cache.StatKey]int64{}}
}

func (m *memScans) Hit(_ context.Context, id string, now, known time.Time) (cache.ScanInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.n[id]++
	info := cache.ScanInfo{Count: m.n[id]}
	if _, ok := m.first[id]; !ok {
		m.first[id] = now
		if !known.IsZero() {
			m.first[id] = known
		} else {
			info.First = true
		}
	}
	info.FirstAt = m.first[id]
	return info, nil
}

func (m *memScans) Peek(_ context.Context, id string) (cache.ScanInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return cache.ScanInfo{Count: m.n[id], FirstAt: m.first[id]}, nil
}

func (m *memScans) AddAlert(_ context.Context, a cache.Alert) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.alerts = append([]cache.Alert{a}, m.alerts...)
	return true, nil
}

func (m *memScans) Alerts(_ context.Context, owner string, limit int) ([]cache.Alert, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []cache.Alert
	for _, a := range m.alerts {
		if a.Owner == owner && len(out) < limit {
			out = append(out, a)
		}
	}
	return out, nil
}

func (m *memScans) Stats(_ context.Context, days []string) (map[string]map[cache.StatKey]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]map[cache.StatKey]int64{}
	for _, d := range days {
		out[d] = m.stats[d]
	}
	return out, nil
}

// Fixture ids: a released, shipped unit of lot LOT-1; a unit of the
// recalled lot LOT-2; an item without GTIN.
const (
	unitID     = "88.118.8/KB-0001"
	lotID      = "88.118.8/LOT-1"
	recalledID = "88.118.8/KB-0002"
	plainID    = "88.118.8/PLAIN-1"
	testGTIN   = "06901234567892"
)

var testNow = time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)

type pubAPI struct {
	*testAPI
	reads *pubReads
	scans *memScans
}

// newPubAPI is the API engineer's test API with the public fixtures.
func newPubAPI(t *testing.T, tweak ...func(*Deps)) *pubAPI {
	t.Helper()
	r := &pubReads{items: map[string]domain.Item{}, verifs: map[string]domain.Verification{},
		provs: map[string]domain.Provenance{}, calls: map[string]int{}}
	m := newMemScans()
	add := func(it domain.Item, v domain.Verification) {
		it.Owner, it.CreatedAt, it.TxID = "MakerMSP", "2026-11-20T02:00:00Z", "tx-secret-123"
		r.items[it.ID] = it
		v.ID, v.Genuine, v.Maker, v.Kind, v.Industry = it.ID, true, "MakerMSP", it.Kind, it.Industry
		v.Model, v.GTIN, v.Lot, v.Serial, v.CreatedAt = it.Model, it.GTIN, it.Lot, it.Serial, it.CreatedAt
		r.verifs[it.ID] = v
	}
	add(domain.Item{ID: lotID, Kind: domain.KindLot, Industry: domain.IndustryKitchenBath, Model: "JZT-2B", GTIN: testGTIN, Lot: "L20261127",
		Attributes: map[string]string{"productionDate": "2026-11-18"}},
		domain.Verification{Status: domain.StatusReleased, Released: true})
	add(domain.Item{ID: unitID, Kind: domain.KindUnit, Industry: domain.IndustryKitchenBath, Model: "JZT-2B", GTIN: testGTIN,
		Lot: "L20261127", Serial: "0001", Parent: lotID},
		domain.Verification{Status: domain.StatusShipped, Released: true, ReleasedAt: "2026-11-21T03:00:00Z",
			Quality: &domain.QualitySummary{Passed: true, InspectedAt: "2026-11-20T06:00:00Z"},
			Timeline: []domain.TimelineEntry{{Type: domain.EventCommissioning, At: "2026-11-20T02:00:00Z", By: "MakerMSP"},
				{Type: domain.EventShipping, At: "2026-11-22T02:00:00Z", By: "MakerMSP"}}})
	r.provs[unitID] = domain.Provenance{Ancestors: []string{lotID}}
	r.provs[lotID] = domain.Provenance{Events: []domain.Event{{EventInput: domain.EventInput{Type: domain.EventShipping, ID: lotID, Region: "CN-GD"}}}}
	add(domain.Item{ID: recalledID, Kind: domain.KindUnit, Industry: domain.IndustryKitchenBath, Model: "JZT-2B", Lot: "L2", Serial: "0002"},
		domain.Verification{Status: domain.StatusRecalled, Recalled: true,
			Recall: &domain.Recall{ID: "88.118.8/LOT-2", Reason: "接地电阻超标 earth resistance", At: "2026-11-25T01:00:00Z", By: "RegulatorMSP", ByUser: "cert-user-7", TxID: "tx-recall-9"}})
	add(domain.Item{ID: plainID, Kind: domain.KindCase, Industry: domain.IndustryGeneric, Model: "BOX"}, domain.Verification{Status: domain.StatusRegistered})
	all := append([]func(*Deps){func(d *Deps) {
		d.Reads = r
		d.Public = PublicDeps{Scans: m, Alerts: m, Stats: m, BaseURL: "https://id.example.cn",
			OrgNames:      map[string]string{"MakerMSP": "广东某卫浴有限公司 Maker", "RegulatorMSP": "市场监管局 Regulator"},
			DashboardMSPs: []string{"PlatformMSP"}, ScanWarnAfter: 3, Now: func() time.Time { return testNow }}
	}}, tweak...)
	return &pubAPI{testAPI: newTestAPI(t, all...), reads: r, scans: m}
}
