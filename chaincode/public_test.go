package chaincode

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/chaincode/internal/fakestub"
	"github.com/idchain/idchain/domain"
)

func verifyOf(tb testing.TB, l *fakestub.Ledger, id string) *domain.Verification {
	tb.Helper()
	var v *domain.Verification
	mustTx(tb, l, who(tb, partnerMSP, domain.RoleOperator), func(ctx contractapi.TransactionContextInterface) (err error) {
		v, err = NewPublicContract().verify(ctx, id)
		return err
	})
	return v
}

func TestVerifyResolvesAncestorRecallAtReadTime(t *testing.T) {
	l := chainWorld(t)
	packAll(t, l)
	v := verifyOf(t, l, u(1))
	if !v.Genuine || v.Recalled || v.Maker != makerMSP || v.Status != domain.StatusRegistered || len(v.Timeline) != 1 {
		t.Fatalf("before recall %+v", v)
	}
	rk, _ := RecallKey(lotID)
	rec, _ := json.Marshal(domain.Recall{ID: lotID, Reason: "valve leak", At: "2025-02-01T00:00:00Z", By: makerMSP})
	putAnchored(l, makerMSP, rk, rec)
	v = verifyOf(t, l, u(1))
	if !v.Recalled || v.Status != domain.StatusRecalled || v.Recall == nil || v.Recall.ID != lotID {
		t.Fatalf("after recall %+v", v)
	}
	if v := verifyOf(t, l, makerPfx+"/FAKE"); v.Genuine {
		t.Fatal("unknown id reads as genuine")
	}
}

func TestRecordFirstScans(t *testing.T) {
	l := chainWorld(t)
	// scan times near the fake ledger's transaction times (2025-01-01…)
	arg := `[{"id":"` + u(1) + `","at":"2025-01-01T08:01:00+08:00"},{"id":"` + u(1) + `","at":"2025-01-01T00:02:00Z"},` +
		`{"id":"` + makerPfx + `/NOPE","at":"2025-01-01T00:01:00Z"},{"id":"` + u(2) + `","at":"yesterday"},` +
		`{"id":"` + u(3) + `","at":"2024-12-01T00:00:00Z"}]`
	var res *domain.BatchResult
	s := mustTx(t, l, who(t, platformMSP, domain.RoleAdmin), func(ctx contractapi.TransactionContextInterface) (err error) {
		res, err = NewPublicContract().recordFirstScans(ctx, arg)
		return err
	})
	if got := statuses(res); !reflect.DeepEqual(got, []string{"created", "unchanged", "rejected:NOT_FOUND", "rejected:INVALID", "rejected:INVALID"}) {
		t.Fatalf("got %v", got)
	}
	if ev := onlyEvent(t, s); !reflect.DeepEqual(ev.IDs, []string{u(1)}) {
		t.Fatalf("event %v", ev.IDs)
	}
	if v := verifyOf(t, l, u(1)); v.FirstScanAt != "2025-01-01T00:01:00Z" {
		t.Fatalf("first scan %q", v.FirstScanAt)
	}
	// only the platform's service identity: not another platform role, not
	// an admin of another org
	for _, id := range []*fakestub.Identity{who(t, platformMSP, ""), who(t, platformMSP, domain.RoleOperator), who(t, makerMSP, domain.RoleAdmin)} {
		_, err := tx(t, l, id, func(ctx contractapi.TransactionContextInterface) error {
			_, err := NewPublicContract().recordFirstScans(ctx, arg)
			return err
		})
		wantCode(t, err, domain.CodeForbidden)
	}
	// a scan key written past the honest code (no platform anchor) is ignored
	sk, _ := key(objScan, u(2))
	l.PutState(sk, []byte(`{"id":"`+u(2)+`","at":"2024-01-01T00:00:00Z","by":"MakerMSP"}`))
	if v := verifyOf(t, l, u(2)); v.FirstScanAt != "" {
		t.Fatalf("planted first scan shown: %q", v.FirstScanAt)
	}
}

func TestListItemsPaginatesAndFilters(t *testing.T) {
	l := newWorld(t)
	var items []domain.ItemInput
	for i := range 7 {
		it := unit(i, "")
		if i%2 == 1 {
			it.Model = "GS-2"
		}
		items = append(items, it)
	}
	mustRegister(t, l, items...)
	list := func(model, bookmark string) *domain.Page[domain.Item] {
		var p *domain.Page[domain.Item]
		mustTx(t, l, who(t, partnerMSP, domain.RoleOperator), func(ctx contractapi.TransactionContextInterface) (err error) {
			p, err = NewRegistryContract().listItems(ctx, makerMSP, model, "", "3", bookmark)
			return err
		})
		return p
	}
	var all, gs2 []string
	for _, c := range []struct {
		model string
		into  *[]string
	}{{"", &all}, {"GS-2", &gs2}} {
		bm := ""
		for range 10 {
			p := list(c.model, bm)
			for _, it := range p.Records {
				*c.into = append(*c.into, it.ID)
			}
			if bm = p.Bookmark; bm == "" {
				break
			}
		}
	}
	if len(all) != 7 || len(gs2) != 3 {
		t.Fatalf("all %v, GS-2 %v", all, gs2)
	}
}

func TestGetProvenanceAndItemHistory(t *testing.T) {
	l := chainWorld(t)
	packAll(t, l)
	var p *domain.Provenance
	var vers []domain.ItemVersion
	mustTx(t, l, who(t, partnerMSP, domain.RoleOperator), func(ctx contractapi.TransactionContextInterface) (err error) {
		if p, err = NewTraceContract().getProvenance(ctx, caseID); err != nil {
			return err
		}
		vers, err = NewTraceContract().getItemHistory(ctx, caseID)
		return err
	})
	if !reflect.DeepEqual(p.Ancestors, []string{palletID}) || len(p.Children) != 3 || len(p.Events) != 2 {
		t.Fatalf("provenance %+v", p)
	}
	if len(vers) != 2 || vers[0].Item.Container != palletID || vers[1].Item.Container != "" {
		t.Fatalf("versions %+v", vers)
	}
}

// A first scan needs the item registered as every read sees it: an item
// key planted without its owner's anchor is no registered item, and a
// packed unit of a registered lot is one.
func TestFirstScanOfAPlantedItemIsRefused(t *testing.T) {
	l := newWorld(t)
	lot := domain.ItemInput{ID: makerPfx + "/FS-LOT", Kind: domain.KindLot, Industry: domain.IndustryGeneric, Units: 3}
	mustRegister(t, l, lot)
	planted := makerPfx + "/FS-PLANTED"
	_, k, _ := itemKeyOf(planted)
	b, _ := json.Marshal(domain.Item{ID: planted, Kind: domain.KindUnit, Industry: domain.IndustryGeneric, Owner: makerMSP, Status: domain.StatusRegistered})
	l.PutState(k, b)
	arg := `[{"id":"` + planted + `","at":"2025-01-01T00:01:00Z"},{"id":"` + lot.ID + `~2","at":"2025-01-01T00:01:00Z"}]`
	var res *domain.BatchResult
	mustTx(t, l, who(t, platformMSP, domain.RoleAdmin), func(ctx contractapi.TransactionContextInterface) (err error) {
		res, err = NewPublicContract().recordFirstScans(ctx, arg)
		return err
	})
	if got := statuses(res); !reflect.DeepEqual(got, []string{"rejected:NOT_FOUND", "created"}) {
		t.Fatalf("got %v", got)
	}
}
