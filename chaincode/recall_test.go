package chaincode

import (
	"reflect"
	"slices"
	"testing"

	"github.com/idchain/idchain/chaincode/internal/fakestub"
	"github.com/idchain/idchain/domain"
)

const (
	matID   = makerPfx + "/MAT1"
	batchID = makerPfx + "/BATCH1"
	jar1    = makerPfx + "/JAR1"
	jar2    = makerPfx + "/JAR2"
	lot2ID  = makerPfx + "/LOT2"
)

// materialWorld: a material lot consumed into a batch, two jars of the
// batch, and a second, clean material lot.
func materialWorld(tb testing.TB) *fakestub.Ledger {
	tb.Helper()
	l := newWorld(tb)
	batch := generic(batchID, domain.KindBatch, "")
	batch.Inputs = []domain.Input{{ID: matID, Quantity: 12.5, Unit: "kg"}}
	mustRegister(tb, l, generic(matID, domain.KindMaterialLot, ""), batch,
		generic(jar1, domain.KindUnit, batchID), generic(jar2, domain.KindUnit, batchID),
		generic(makerPfx+"/MAT2", domain.KindMaterialLot, ""))
	return l
}

// packedWorld: lot 1 with units 1-3 and lot 2 with unit 4; units 1, 2 and
// 4 packed in the case, the case on the pallet.
func packedWorld(tb testing.TB) *fakestub.Ledger {
	tb.Helper()
	l := chainWorld(tb)
	mustRegister(tb, l, domain.ItemInput{ID: lot2ID, Kind: domain.KindLot, Industry: domain.IndustryKitchenBath, Model: "GS-1",
		Attributes: map[string]string{"productionDate": "2025-01-02"}}, unit(4, lot2ID))
	op := who(tb, makerMSP, domain.RoleOperator)
	mustRecord(tb, l, op, domain.EventInput{Type: domain.EventPacking, ID: caseID, Children: []string{u(1), u(2), u(4)}})
	mustRecord(tb, l, op, domain.EventInput{Type: domain.EventPacking, ID: palletID, Children: []string{caseID}})
	return l
}

func TestRecallIsVisibleOnEveryDescendantAtReadTime(t *testing.T) {
	tests := []struct {
		name     string
		world    func(testing.TB) *fakestub.Ledger
		recalled string
		event    []string // ids of the recall event, in order
		clean    []string // ids that must not read as recalled
	}{
		{"a material lot recalls the batch made from it and the batch's units", materialWorld, matID,
			[]string{matID, batchID, jar1, jar2}, []string{makerPfx + "/MAT2"}},
		{"a lot recalls its units, the case holding them and the pallet holding the case", packedWorld, lotID,
			[]string{lotID, u(1), u(2), u(3), caseID, palletID}, []string{lot2ID, u(4)}},
		{"a unit recalled on its own recalls its case and pallet, not its lot or case mates", packedWorld, u(1),
			[]string{u(1), caseID, palletID}, []string{lotID, u(2), u(3), u(4)}},
		{"a recalled pallet recalls everything on it", packedWorld, palletID,
			[]string{palletID, caseID, u(1), u(2), u(4)}, []string{lotID, lot2ID, u(3)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := tt.world(t)
			s, err := recall(t, l, who(t, regulatorMSP, domain.RoleRegulator), tt.recalled)
			if err != nil {
				t.Fatal(err)
			}
			if ev := onlyEvent(t, s); ev.Type != EvItemRecalled || !reflect.DeepEqual(ev.IDs, tt.event) {
				t.Fatalf("event ids %v, want %v", ev.IDs, tt.event)
			}
			for _, id := range tt.event {
				v := verifyOf(t, l, id)
				if !v.Recalled || v.Status != domain.StatusRecalled || v.Recall == nil || v.Recall.ID != tt.recalled {
					t.Fatalf("%s: %+v", id, v)
				}
				if !slices.ContainsFunc(v.Timeline, func(e domain.TimelineEntry) bool { return e.Type == domain.EventRecalling }) {
					t.Fatalf("%s: timeline %+v has no recall", id, v.Timeline)
				}
			}
			for _, id := range tt.clean {
				if v := verifyOf(t, l, id); v.Recalled || v.Status == domain.StatusRecalled {
					t.Fatalf("%s reads as recalled: %+v", id, v)
				}
			}
		})
	}
}

func TestRecalledItemsCannotBePackedOrTransformed(t *testing.T) {
	tests := []struct {
		name string
		ev   domain.EventInput
	}{
		{"a unit of a recalled lot is not packed", domain.EventInput{Type: domain.EventPacking, ID: caseID, Children: []string{u(3)}}},
		{"a recalled material lot is not transformed", domain.EventInput{Type: domain.EventTransforming, ID: batchID, Inputs: []domain.Input{{ID: lotID}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := packedWorld(t)
			mustRegister(t, l, generic(batchID, domain.KindBatch, ""))
			if _, err := recall(t, l, who(t, makerMSP, domain.RoleQA), lotID); err != nil {
				t.Fatal(err)
			}
			res, _, err := record(t, l, who(t, makerMSP, domain.RoleOperator), tt.ev)
			if err != nil {
				t.Fatal(err)
			}
			if e := res.Results[0].Error; e == nil || e.Code != domain.CodeConflict {
				t.Fatalf("result %+v", res.Results[0])
			}
		})
	}
}

func TestUnpackingKeepsTheRegisteredParentLink(t *testing.T) {
	l := newWorld(t)
	mustRegister(t, l, generic(caseID, domain.KindCase, ""), generic(u(1), domain.KindUnit, caseID))
	op := who(t, makerMSP, domain.RoleOperator)
	mustRecord(t, l, op, domain.EventInput{Type: domain.EventPacking, ID: caseID, Children: []string{u(1)}})
	mustRecord(t, l, op, domain.EventInput{Type: domain.EventUnpacking, ID: caseID, Children: []string{u(1)}})
	if got := nodeIDs(traceOf(t, l, true, caseID, "", "")); !reflect.DeepEqual(got, []string{u(1) + "@child"}) {
		t.Fatalf("forward trace %v", got)
	}
}

func TestLotReleaseSkipsAUnitRecalledOnItsOwn(t *testing.T) {
	l := stoveLedger(t)
	if _, err := inspect(t, l, stove1, "", stovePass()...); err != nil {
		t.Fatal(err)
	}
	if _, err := recall(t, l, who(t, makerMSP, domain.RoleQA), stove2); err != nil {
		t.Fatal(err)
	}
	_, s, err := release(t, l, who(t, makerMSP, domain.RoleQA), stoveLot)
	if err != nil {
		t.Fatal(err)
	}
	if ev := onlyEvent(t, s); !reflect.DeepEqual(ev.IDs, []string{stoveLot, stove1}) {
		t.Fatalf("released %v", ev.IDs)
	}
	if got := getItem(t, l, stove2).Status; got == domain.StatusReleased {
		t.Fatal("the recalled unit was released")
	}
}

// Recall containment is historical: a unit unpacked from a recalled case,
// and a case unpacked from a recalled pallet with its units, stay recalled;
// a unit that left the case before the recall does not.
func TestUnpackingNeverEscapesARecall(t *testing.T) {
	l := packedWorld(t)
	op := who(t, makerMSP, domain.RoleOperator)
	// u(4) leaves the case before the recall: not affected.
	mustRecord(t, l, op, domain.EventInput{Type: domain.EventUnpacking, ID: caseID, Children: []string{u(4)}})
	if _, err := recall(t, l, who(t, regulatorMSP, domain.RoleRegulator), palletID); err != nil {
		t.Fatal(err)
	}
	mustRecord(t, l, op, domain.EventInput{Type: domain.EventUnpacking, ID: palletID, Children: []string{caseID}})
	mustRecord(t, l, op, domain.EventInput{Type: domain.EventUnpacking, ID: caseID, Children: []string{u(1)}})
	for _, id := range []string{caseID, u(1), u(2)} {
		if v := verifyOf(t, l, id); !v.Recalled {
			t.Errorf("%s escaped the pallet's recall by unpacking: %+v", id, v)
		}
	}
	if v := verifyOf(t, l, u(4)); v.Recalled {
		t.Errorf("%s left the case before the recall but reads recalled", u(4))
	}
}

func TestADecommissionedItemCanBeRecalled(t *testing.T) {
	l := chainWorld(t)
	mustRecord(t, l, who(t, makerMSP, domain.RoleOperator), domain.EventInput{Type: domain.EventDecommissioning, ID: lotID})
	if _, err := recall(t, l, who(t, regulatorMSP, domain.RoleRegulator), lotID); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{lotID, u(1)} {
		if v := verifyOf(t, l, id); !v.Recalled {
			t.Errorf("%s not recalled after the recall of the decommissioned lot", id)
		}
	}
}
