package chaincode

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/chaincode/internal/fakestub"
	"github.com/idchain/idchain/domain"
)

const (
	creamBatch = makerPfx + "/CREAM-B1"
	creamMat   = makerPfx + "/MAT-HA"
	creamJar1  = makerPfx + "/JAR-0001" // registered before the batch release
	creamJar2  = makerPfx + "/JAR-0002" // registered after it
	creamModel = "CREAM-50ML"
)

func creamJar(id string) domain.ItemInput {
	return domain.ItemInput{ID: id, Kind: domain.KindUnit, Industry: domain.IndustryCosmetics, Model: creamModel,
		Lot: "B1", Parent: creamBatch}
}

// creamWorld: a material lot transformed into a cosmetics batch, the batch
// inspected and released, one jar registered before and one after the
// release. It returns the ledger and the release.
func creamWorld(tb testing.TB) (*fakestub.Ledger, *domain.Release, domain.ChaincodeEvent) {
	tb.Helper()
	l := newWorld(tb)
	putPlan(tb, l, domain.ExampleCosmeticsBatchPlan(creamModel))
	mustRegister(tb, l,
		domain.ItemInput{ID: creamMat, Kind: domain.KindMaterialLot, Industry: domain.IndustryCosmetics, Lot: "HA1",
			Attributes: map[string]string{"material": "sodium hyaluronate"}},
		domain.ItemInput{ID: creamBatch, Kind: domain.KindBatch, Industry: domain.IndustryCosmetics, Model: creamModel, Lot: "B1",
			Attributes: map[string]string{"productionDate": "2026-11-27", "expiryDate": "2029-11-26"}},
		creamJar(creamJar1))
	mustRecord(tb, l, who(tb, makerMSP, domain.RoleOperator), domain.EventInput{Type: domain.EventTransforming, ID: creamBatch,
		Inputs: []domain.Input{{ID: creamMat, Quantity: 1.5, Unit: "kg"}}})
	if _, err := inspect(tb, l, creamBatch, "", v("TPC_CFU_G", 1000), v("PH", 4.0), v("PB_MG_KG", 10), v("HG_MG_KG", 1), b("FILING_NO", true)); err != nil {
		tb.Fatal(err)
	}
	rel, s, err := release(tb, l, who(tb, makerMSP, domain.RoleQA), creamBatch)
	if err != nil {
		tb.Fatal(err)
	}
	ev := onlyEvent(tb, s)
	mustRegister(tb, l, creamJar(creamJar2))
	return l, rel, ev
}

func historyAndProvenance(tb testing.TB, l *fakestub.Ledger, id string) ([]domain.Event, *domain.Provenance) {
	tb.Helper()
	var hist []domain.Event
	var p *domain.Provenance
	mustTx(tb, l, who(tb, partnerMSP, domain.RoleOperator), func(ctx contractapi.TransactionContextInterface) (err error) {
		if hist, err = NewTraceContract().getHistory(ctx, id); err != nil {
			return err
		}
		p, err = NewTraceContract().getProvenance(ctx, id)
		return err
	})
	return hist, p
}

// steps renders timeline entries as "type" or "type@subject/via".
func steps(tl []domain.TimelineEntry) []string {
	var out []string
	for _, e := range tl {
		s := string(e.Type)
		if e.Via != "" {
			s += "@" + e.Subject + "/" + e.Via
		}
		out = append(out, s)
	}
	return out
}

// eventSteps renders events like steps.
func eventSteps(evs []domain.Event) []string {
	tl := make([]domain.TimelineEntry, len(evs))
	for i, e := range evs {
		tl[i] = domain.TimelineEntry{Type: e.Type, Subject: e.ID, Via: e.Via}
	}
	return steps(tl)
}

func TestCosmeticsUnitInheritsItsBatchRelease(t *testing.T) {
	l, rel, ev := creamWorld(t)
	if !slices.Contains(ev.IDs, creamJar1) {
		t.Fatalf("the batch release event does not list the jar whose view it changes: %v", ev.IDs)
	}
	batchSteps := []string{
		"transforming@" + creamBatch + "/parent",
		"inspecting@" + creamBatch + "/parent",
		"releasing@" + creamBatch + "/parent",
	}
	for _, jar := range []string{creamJar1, creamJar2} {
		t.Run(jar, func(t *testing.T) {
			v := verifyOf(t, l, jar)
			if !v.Released || v.ReleasedAt != rel.At || v.ReleasedWith != creamBatch || v.Status != domain.StatusReleased {
				t.Fatalf("verify: released %v at %q with %q, status %s; want the batch release at %s",
					v.Released, v.ReleasedAt, v.ReleasedWith, v.Status, rel.At)
			}
			if got := steps(v.Timeline); !reflect.DeepEqual(got, batchSteps) {
				t.Fatalf("timeline %v, want %v", got, batchSteps)
			}
			hist, p := historyAndProvenance(t, l, jar)
			if got := eventSteps(hist); !reflect.DeepEqual(got, batchSteps) {
				t.Fatalf("history %v, want %v", got, batchSteps)
			}
			if !reflect.DeepEqual(p.Events, hist) || p.Release == nil || p.Release.ID != creamBatch || p.Release.TxID != rel.TxID {
				t.Fatalf("provenance events %v, release %+v", eventSteps(p.Events), p.Release)
			}
			if p.Item.Status != domain.StatusRegistered {
				t.Fatalf("the stored record changed: %s", p.Item.Status)
			}
		})
	}
	// The batch itself is unchanged: its own records, no Via.
	v := verifyOf(t, l, creamBatch)
	if v.ReleasedWith != "" || v.Status != domain.StatusReleased ||
		!reflect.DeepEqual(steps(v.Timeline), []string{"transforming", "inspecting", "releasing"}) {
		t.Fatalf("batch %+v", v)
	}
	// A recall of the material lot overrides the inherited release's status.
	rk, _ := RecallKey(creamMat)
	rec, _ := json.Marshal(domain.Recall{ID: creamMat, Reason: "microbial", At: "2030-01-01T00:00:00Z", By: regulatorMSP})
	putAnchored(l, regulatorMSP, rk, rec)
	if v := verifyOf(t, l, creamJar1); v.Status != domain.StatusRecalled || !v.Released ||
		!reflect.DeepEqual(steps(v.Timeline), append(slices.Clone(batchSteps), "recalling")) {
		t.Fatalf("recalled jar: %s released %v timeline %v", v.Status, v.Released, steps(v.Timeline))
	}
}

func TestKitchenUnitDoesNotInheritItsLotRelease(t *testing.T) {
	l := chainWorld(t)
	// A release record on the lot alone (as if its units had been skipped):
	// a kitchen/bath unit needs its own inspection and release.
	rk, _ := ReleaseKey(lotID)
	b, _ := json.Marshal(domain.Release{ID: lotID, At: "2025-02-01T00:00:00Z", By: makerMSP, TxID: "txLOT"})
	putAnchored(l, makerMSP, rk, b)
	v := verifyOf(t, l, u(1))
	if v.Released || v.ReleasedAt != "" || v.ReleasedWith != "" || v.Status != domain.StatusRegistered || len(v.Timeline) != 0 {
		t.Fatalf("kitchen unit: %+v", v)
	}
	if _, p := historyAndProvenance(t, l, u(1)); p.Release != nil || len(p.Events) != 0 {
		t.Fatalf("provenance: release %+v events %v", p.Release, eventSteps(p.Events))
	}
}

func TestKitchenLotReleaseShowsOnceOnItsUnits(t *testing.T) {
	l := stoveLedger(t)
	for _, s := range []string{stove1, stove2} {
		if _, err := inspect(t, l, s, "", stovePass()...); err != nil {
			t.Fatal(err)
		}
	}
	rel, _, err := release(t, l, who(t, makerMSP, domain.RoleQA), stoveLot)
	if err != nil {
		t.Fatal(err)
	}
	v := verifyOf(t, l, stove1)
	if v.ReleasedAt != rel.At || v.ReleasedWith != "" || !reflect.DeepEqual(steps(v.Timeline), []string{"inspecting", "releasing"}) {
		t.Fatalf("stove: released at %q with %q, timeline %v", v.ReleasedAt, v.ReleasedWith, steps(v.Timeline))
	}
}

func TestCaseShippingShowsOnAPackedUnit(t *testing.T) {
	l := chainWorld(t)
	op, partner := who(t, makerMSP, domain.RoleOperator), who(t, partnerMSP, domain.RoleOperator)
	mustRecord(t, l, op, domain.EventInput{Type: domain.EventPacking, ID: caseID, Children: []string{u(1), u(2)}})
	s := mustRecord(t, l, op, domain.EventInput{Type: domain.EventShipping, ID: caseID, Destination: partnerMSP, Region: "CN-44"})
	if ev := onlyEvent(t, s); !reflect.DeepEqual(ev.IDs, []string{caseID, u(1), u(2)}) {
		t.Fatalf("shipping event ids %v, want the case and its contents", ev.IDs)
	}
	v := verifyOf(t, l, u(1))
	want := []string{"packing", "shipping@" + caseID + "/container"}
	if v.Status != domain.StatusShipped || !reflect.DeepEqual(steps(v.Timeline), want) {
		t.Fatalf("in transit: status %s timeline %v, want shipped %v", v.Status, steps(v.Timeline), want)
	}
	mustRecord(t, l, partner, domain.EventInput{Type: domain.EventReceiving, ID: caseID})
	v = verifyOf(t, l, u(1))
	want = append(want, "receiving@"+caseID+"/container")
	if v.Status != domain.StatusReceived || !reflect.DeepEqual(steps(v.Timeline), want) {
		t.Fatalf("received: status %s timeline %v, want received %v", v.Status, steps(v.Timeline), want)
	}
	hist, p := historyAndProvenance(t, l, u(1))
	if got := eventSteps(hist); !reflect.DeepEqual(got, want) || !reflect.DeepEqual(p.Events, hist) {
		t.Fatalf("history %v", got)
	}
	if p.Item.Status != domain.StatusRegistered || p.Item.Custodian != "" {
		t.Fatalf("the unit's own record changed: %+v", p.Item)
	}
	if v := verifyOf(t, l, u(3)); v.Status != domain.StatusRegistered || len(v.Timeline) != 0 {
		t.Fatalf("a unit outside the case: %s %v", v.Status, steps(v.Timeline))
	}
}

func TestPalletShippingShowsOnTheUnitsOfItsCases(t *testing.T) {
	l := chainWorld(t)
	packAll(t, l)
	op := who(t, makerMSP, domain.RoleOperator)
	s := mustRecord(t, l, op, domain.EventInput{Type: domain.EventShipping, ID: palletID, Destination: partnerMSP})
	if ev := onlyEvent(t, s); !reflect.DeepEqual(ev.IDs, []string{palletID, caseID, u(1), u(2), u(3)}) {
		t.Fatalf("shipping event ids %v", ev.IDs)
	}
	v := verifyOf(t, l, u(2))
	if want := []string{"packing", "shipping@" + palletID + "/container"}; v.Status != domain.StatusShipped || !reflect.DeepEqual(steps(v.Timeline), want) {
		t.Fatalf("status %s timeline %v, want %v", v.Status, steps(v.Timeline), want)
	}
}

func TestUnitShippedWithItsCaseShowsItsOwnShipping(t *testing.T) {
	l := chainWorld(t)
	op := who(t, makerMSP, domain.RoleOperator)
	mustRecord(t, l, op, domain.EventInput{Type: domain.EventPacking, ID: caseID, Children: []string{u(1)}})
	// Only a released unit ships on its own: give u(1) a release record.
	it := getItem(t, l, u(1))
	it.Status = domain.StatusReleased
	putItem(t, l, it)
	mustRecord(t, l, op,
		domain.EventInput{Type: domain.EventShipping, ID: caseID, Destination: partnerMSP},
		domain.EventInput{Type: domain.EventShipping, ID: u(1), Destination: partnerMSP})
	v := verifyOf(t, l, u(1))
	if want := []string{"packing", "shipping"}; v.Status != domain.StatusShipped || !reflect.DeepEqual(steps(v.Timeline), want) {
		t.Fatalf("status %s timeline %v, want %v", v.Status, steps(v.Timeline), want)
	}
}

func TestInheritedHistoryIsBoundedAndKeepsTheNewest(t *testing.T) {
	l := newWorld(t)
	lot, unitID := makerPfx+"/GLOT", makerPfx+"/GUNIT"
	mustRegister(t, l, generic(lot, domain.KindLot, ""), generic(unitID, domain.KindUnit, lot))
	var evs []domain.EventInput
	for i := range maxInherited + 50 {
		evs = append(evs, domain.EventInput{Type: domain.EventProcessStep, ID: lot, Step: fmt.Sprintf("S%03d", i)})
	}
	s := mustRecord(t, l, who(t, makerMSP, domain.RoleOperator), evs...)
	if ev := onlyEvent(t, s); !reflect.DeepEqual(ev.IDs, []string{lot, unitID}) {
		t.Fatalf("process step event ids %v", ev.IDs)
	}
	hist, _ := historyAndProvenance(t, l, unitID)
	if len(hist) != maxInherited || hist[0].Step != "S050" || hist[len(hist)-1].Step != fmt.Sprintf("S%03d", maxInherited+49) {
		t.Fatalf("history: %d events, %s … %s", len(hist), hist[0].Step, hist[len(hist)-1].Step)
	}
	v := verifyOf(t, l, unitID)
	if n := len(v.Timeline); n != maxTimeline || v.Timeline[n-1].Step != hist[len(hist)-1].Step || v.Timeline[0].Step != hist[len(hist)-maxTimeline].Step {
		t.Fatalf("timeline: %d entries", n)
	}
}

func TestInheritedViewsAreDeterministic(t *testing.T) {
	build := func() *fakestub.Ledger {
		l, _, _ := creamWorld(t)
		op := who(t, makerMSP, domain.RoleOperator)
		mustRegister(t, l, domain.ItemInput{ID: caseID, Kind: domain.KindCase, Industry: domain.IndustryCosmetics},
			domain.ItemInput{ID: palletID, Kind: domain.KindPallet, Industry: domain.IndustryCosmetics})
		// Packing and both shipments in one transaction: equal times.
		mustRecord(t, l, op,
			domain.EventInput{Type: domain.EventPacking, ID: caseID, Children: []string{creamJar1, creamJar2}},
			domain.EventInput{Type: domain.EventPacking, ID: palletID, Children: []string{caseID}},
			domain.EventInput{Type: domain.EventShipping, ID: palletID, Destination: partnerMSP},
			domain.EventInput{Type: domain.EventShipping, ID: caseID, Destination: partnerMSP})
		return l
	}
	read := func(l *fakestub.Ledger) []byte {
		v := verifyOf(t, l, creamJar1)
		hist, p := historyAndProvenance(t, l, creamJar1)
		out, err := json.Marshal([]any{v, hist, p})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	l1, l2 := build(), build()
	first := read(l1)
	for range 5 {
		if again := read(l1); string(again) != string(first) {
			t.Fatalf("a second read differs:\n%s\n%s", first, again)
		}
	}
	if other := read(l2); string(other) != string(first) {
		t.Fatalf("the same ledger built again reads differently:\n%s\n%s", first, other)
	}
	v := verifyOf(t, l1, creamJar1)
	// One shipping entry for the transaction, from the nearest holder.
	want := append([]string{"transforming@" + creamBatch + "/parent", "inspecting@" + creamBatch + "/parent",
		"releasing@" + creamBatch + "/parent"}, "packing", "shipping@"+caseID+"/container")
	if v.Status != domain.StatusShipped || !reflect.DeepEqual(steps(v.Timeline), want) {
		t.Fatalf("status %s timeline %v, want %v", v.Status, steps(v.Timeline), want)
	}
}
