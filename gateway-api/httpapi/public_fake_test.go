package httpapi

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/cache"
	"github.com/idchain/idchain/gateway-api/ledger"
)

// pubReads stands in for the cached public reads: items, verifications
// and provenance by id, ListItems by owner and lot. registry:FindByGTIN
// fails as a missing chaincode function does, so the fallback is used.
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
	case ledger.FnListItems:
		page := domain.Page[domain.Item]{Records: []domain.Item{}}
		for _, it := range p.items {
			if it.Owner == call.Args[0] && (call.Args[2] == "" || it.Lot == call.Args[2]) {
				page.Records = append(page.Records, it)
			}
		}
		return json.Marshal(page)
	}
	return nil, errorString("chaincode function " + call.Fn + " not found")
}

type errorString string

func (e errorString) Error() string { return string(e) }

// memScans is an in-memory ScanCounter, AlertBook, StatsSource and GTINIndex.
type memScans struct {
	mu     sync.Mutex
	n      map[string]int64
	first  map[string]time.Time
	alerts []cache.Alert
	stats  map[string]map[cache.StatKey]int64
	gtins  map[string]string
}

func newMemScans() *memScans {
	return &memScans{n: map[string]int64{}, first: map[string]time.Time{},
		stats: map[string]map[cache.StatKey]int64{}, gtins: map[string]string{}}
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

func (m *memScans) LookupGTIN(_ context.Context, key string) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id, ok := m.gtins[key]
	return id, ok, nil
}

func (m *memScans) StoreGTIN(_ context.Context, key, id string, _ time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gtins[key] = id
	return nil
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
		d.Public = PublicDeps{Scans: m, Alerts: m, Stats: m, GTINs: m, BaseURL: "https://id.example.cn",
			OrgNames:      map[string]string{"MakerMSP": "广东某卫浴有限公司 Maker", "RegulatorMSP": "市场监管局 Regulator"},
			Orgs:          []string{"PlatformMSP", "MakerMSP"},
			DashboardMSPs: []string{"PlatformMSP"}, ScanWarnAfter: 3, Now: func() time.Time { return testNow }}
	}}, tweak...)
	return &pubAPI{testAPI: newTestAPI(t, all...), reads: r, scans: m}
}
