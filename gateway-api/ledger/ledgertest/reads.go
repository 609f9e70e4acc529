// Package ledgertest is a fake of the ledger's public reads for unit tests
// of the HTTP layers (gateway-api/httpapi, gateway-api/site), with one
// fixture of kitchen-and-bath items.
package ledgertest

import (
	"cmp"
	"context"
	"encoding/json"
	"maps"
	"slices"
	"sync"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/ledger"
)

// Reads stands in for the cached public reads: items, verifications
// and provenance by id, and registry:FindByGTIN answered as the
// chaincode's GS1 index would. Tests may change the maps between
// requests, not during one.
type Reads struct {
	mu     sync.Mutex
	Items  map[string]domain.Item
	Verifs map[string]domain.Verification
	Provs  map[string]domain.Provenance
	calls  map[string]int
}

// NewReads is an empty ledger.
func NewReads() *Reads {
	return &Reads{Items: map[string]domain.Item{}, Verifs: map[string]domain.Verification{},
		Provs: map[string]domain.Provenance{}, calls: map[string]int{}}
}

// Calls is how often fn was read.
func (p *Reads) Calls(fn string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[fn]
}

// Submit refuses: the fake serves reads only (it satisfies the ledger
// interface of the HTTP layer for tests that write nothing).
func (p *Reads) Submit(_ context.Context, call ledger.Call) (ledger.Committed, error) {
	return ledger.Committed{}, errorString("fake ledger: " + call.Fn + " not submitted")
}

// Evaluate answers the reads of the public pages from the maps.
func (p *Reads) Evaluate(_ context.Context, call ledger.Call) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls[call.Fn]++
	id := ""
	if len(call.Args) > 0 {
		id = call.Args[0]
	}
	switch call.Fn {
	case ledger.FnGetItem:
		it, ok := p.Items[id]
		if !ok {
			return nil, domain.Errorf(domain.CodeNotFound, "item %s not found", id)
		}
		return json.Marshal(it)
	case ledger.FnVerify:
		if v, ok := p.Verifs[id]; ok {
			return json.Marshal(v)
		}
		return json.Marshal(domain.Verification{ID: id}) // not genuine, as the chaincode answers
	case ledger.FnGetProvenance:
		return json.Marshal(p.Provs[id])
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
func (p *Reads) findByGTIN(gtin, lot, serial string) (domain.GS1Match, bool) {
	ids := slices.Sorted(maps.Keys(p.Items))
	find := func(match func(domain.Item) bool) string {
		for _, id := range ids {
			if it := p.Items[id]; it.GTIN == gtin && match(it) {
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
		if m.ID == "" && lot != "" {
			// a packed unit: serial n of the packed lot GTIN + lot (chaincode findByGTIN)
			if l := find(func(it domain.Item) bool { return lotLevel(it) && it.Lot == lot && it.Units > 0 }); l != "" {
				if _, n, ok := domain.SplitPackedUnit(l + domain.PackedSep + serial); ok && n <= p.Items[l].Units {
					m.ID = l + domain.PackedSep + serial
				}
			}
		}
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

// Fixture ids: a released, shipped unit of lot LOT-1; a unit of the
// recalled lot LOT-2; an item without GTIN.
const (
	UnitID     = "88.118.8/KB-0001"
	LotID      = "88.118.8/LOT-1"
	RecalledID = "88.118.8/KB-0002"
	PlainID    = "88.118.8/PLAIN-1"
	GTIN       = "06901234567892"
)

// Fixture is a ledger with the fixture items of MakerMSP: lot LOT-1
// (shipped to CN-GD) and its released unit KB-0001, the recalled unit
// KB-0002 and the case PLAIN-1 without GTIN.
func Fixture() *Reads {
	r := NewReads()
	add := func(it domain.Item, v domain.Verification) {
		it.Owner, it.CreatedAt, it.TxID = "MakerMSP", "2026-11-20T02:00:00Z", "tx-secret-123"
		r.Items[it.ID] = it
		v.ID, v.Genuine, v.Maker, v.Kind, v.Industry = it.ID, true, "MakerMSP", it.Kind, it.Industry
		v.Model, v.GTIN, v.Lot, v.Serial, v.CreatedAt = it.Model, it.GTIN, it.Lot, it.Serial, it.CreatedAt
		r.Verifs[it.ID] = v
	}
	add(domain.Item{ID: LotID, Kind: domain.KindLot, Industry: domain.IndustryKitchenBath, Model: "JZT-2B", GTIN: GTIN, Lot: "L20261127",
		Attributes: map[string]string{"productionDate": "2026-11-18"}},
		domain.Verification{Status: domain.StatusReleased, Released: true})
	add(domain.Item{ID: UnitID, Kind: domain.KindUnit, Industry: domain.IndustryKitchenBath, Model: "JZT-2B", GTIN: GTIN,
		Lot: "L20261127", Serial: "0001", Parent: LotID},
		domain.Verification{Status: domain.StatusShipped, Released: true, ReleasedAt: "2026-11-21T03:00:00Z",
			Quality: &domain.QualitySummary{Passed: true, InspectedAt: "2026-11-20T06:00:00Z"},
			Timeline: []domain.TimelineEntry{{Type: domain.EventCommissioning, At: "2026-11-20T02:00:00Z", By: "MakerMSP"},
				{Type: domain.EventShipping, At: "2026-11-22T02:00:00Z", By: "MakerMSP"}}})
	r.Provs[UnitID] = domain.Provenance{Ancestors: []string{LotID}}
	r.Provs[LotID] = domain.Provenance{Events: []domain.Event{{EventInput: domain.EventInput{Type: domain.EventShipping, ID: LotID, Region: "CN-GD"}}}}
	add(domain.Item{ID: RecalledID, Kind: domain.KindUnit, Industry: domain.IndustryKitchenBath, Model: "JZT-2B", Lot: "L2", Serial: "0002"},
		domain.Verification{Status: domain.StatusRecalled, Recalled: true,
			Recall: &domain.Recall{ID: "88.118.8/LOT-2", Reason: "接地电阻超标 earth resistance", At: "2026-11-25T01:00:00Z", By: "RegulatorMSP", ByUser: "cert-user-7", TxID: "tx-recall-9"}})
	add(domain.Item{ID: PlainID, Kind: domain.KindCase, Industry: domain.IndustryGeneric, Model: "BOX"}, domain.Verification{Status: domain.StatusRegistered})
	return r
}
