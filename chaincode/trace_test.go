package chaincode

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/chaincode/internal/fakestub"
	"github.com/idchain/idchain/domain"
)

const (
	lotID    = makerPfx + "/LOT1"
	caseID   = makerPfx + "/CASE1"
	palletID = makerPfx + "/PAL1"
)

// chainWorld registers a kitchen lot with three units, a case and a pallet.
func chainWorld(tb testing.TB) *fakestub.Ledger {
	tb.Helper()
	l := newWorld(tb)
	lot := domain.ItemInput{ID: lotID, Kind: domain.KindLot, Industry: domain.IndustryKitchenBath, Model: "GS-1",
		Attributes: map[string]string{"productionDate": "2025-01-01"}}
	mustRegister(tb, l, lot, unit(1, lotID), unit(2, lotID), unit(3, lotID),
		domain.ItemInput{ID: caseID, Kind: domain.KindCase, Industry: domain.IndustryKitchenBath},
		domain.ItemInput{ID: palletID, Kind: domain.KindPallet, Industry: domain.IndustryKitchenBath})
	return l
}

func record(tb testing.TB, l *fakestub.Ledger, id *fakestub.Identity, evs ...domain.EventInput) (*domain.BatchResult, *fakestub.Stub, error) {
	tb.Helper()
	arg, _ := json.Marshal(evs)
	var res *domain.BatchResult
	s, err := tx(tb, l, id, func(ctx contractapi.TransactionContextInterface) (err error) {
		res, err = NewTraceContract().recordEvents(ctx, string(arg))
		return err
	})
	return res, s, err
}

func mustRecord(tb testing.TB, l *fakestub.Ledger, id *fakestub.Identity, evs ...domain.EventInput) *fakestub.Stub {
	tb.Helper()
	res, s, err := record(tb, l, id, evs...)
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range res.Results {
		if r.Status != domain.ResultRecorded {
			tb.Fatalf("%s: %v", r.ID, r.Error)
		}
	}
	return s
}

func u(n int) string { return unit(n, "").ID }

func packAll(tb testing.TB, l *fakestub.Ledger) {
	tb.Helper()
	op := who(tb, makerMSP, domain.RoleOperator)
	mustRecord(tb, l, op, domain.EventInput{Type: domain.EventPacking, ID: caseID, Children: []string{u(1), u(2), u(3)}})
	mustRecord(tb, l, op, domain.EventInput{Type: domain.EventPacking, ID: palletID, Children: []string{caseID}})
}

func traceOf(tb testing.TB, l *fakestub.Ledger, forward bool, id, depth, limit string) *domain.Trace {
	tb.Helper()
	var tr *domain.Trace
	mustTx(tb, l, who(tb, partnerMSP, domain.RoleOperator), func(ctx contractapi.TransactionContextInterface) (err error) {
		if forward {
			tr, err = NewTraceContract().traceForward(ctx, id, depth, limit)
		} else {
			tr, err = NewTraceContract().traceBackward(ctx, id, depth, limit)
		}
		return err
	})
	return tr
}

func nodeIDs(tr *domain.Trace) []string {
	var out []string
	for _, n := range tr.Nodes {
		out = append(out, n.ID+"@"+n.Via)
	}
	return out
}

func TestPackingUpdatesRelationsAndEmitsOneEvent(t *testing.T) {
	l := chainWorld(t)
	s := mustRecord(t, l, who(t, makerMSP, domain.RoleOperator),
		domain.EventInput{Type: domain.EventPacking, ID: caseID, Children: []string{u(1), u(2)}, ReadPoint: "line-3"})
	ev := onlyEvent(t, s)
	if ev.Type != EvEventsRecorded || !reflect.DeepEqual(ev.IDs, []string{u(1), caseID, u(2)}) {
		t.Fatalf("event %+v", ev)
	}
	it, _ := readItem(t, l, u(1))
	if it.Container != caseID || it.Parent != lotID {
		t.Fatalf("unit %+v", it)
	}
	var hist []domain.Event
	mustTx(t, l, who(t, partnerMSP, domain.RoleOperator), func(ctx contractapi.TransactionContextInterface) (err error) {
		hist, err = NewTraceContract().getHistory(ctx, u(1))
		return err
	})
	if len(hist) != 1 || hist[0].ID != caseID || hist[0].BizStep != "packing" || hist[0].ActorMSP != makerMSP ||
		hist[0].ActorRole != domain.RoleOperator || hist[0].ReadPoint != "line-3" || hist[0].TxID != s.GetTxID() || hist[0].Disposition != "in_progress" {
		t.Fatalf("history %+v", hist)
	}
}

func TestRelationsStaySymmetric(t *testing.T) {
	l := chainWorld(t)
	packAll(t, l)
	mustRecord(t, l, who(t, makerMSP, domain.RoleOperator), domain.EventInput{Type: domain.EventUnpacking, ID: caseID, Children: []string{u(2)}})
	relPrefix, _ := key(objRel)
	pairs := map[string]bool{}
	st := l.NewTx(nil)
	for _, k := range l.Keys(relPrefix) {
		_, a, _ := st.SplitCompositeKey(k)
		pairs[a[0]+">"+a[1]] = true
		c, err := readItem(t, l, a[1])
		if err != nil || (c.Parent != a[0] && c.Container != a[0]) {
			t.Fatalf("rel %s>%s but child names %q/%q", a[0], a[1], c.Parent, c.Container)
		}
	}
	for _, id := range []string{u(1), u(2), u(3), caseID} {
		c, _ := readItem(t, l, id)
		for _, p := range []string{c.Parent, c.Container} {
			if p != "" && !pairs[p+">"+id] {
				t.Fatalf("%s names %s but no rel key", id, p)
			}
		}
	}
	if pairs[caseID+">"+u(2)] {
		t.Fatal("unpacked relation still present")
	}
}

func TestTraceAcrossLotUnitsCasePallet(t *testing.T) {
	l := chainWorld(t)
	packAll(t, l)
	back := traceOf(t, l, false, u(1), "", "")
	if want := []string{lotID + "@parent", caseID + "@container", palletID + "@container"}; !reflect.DeepEqual(nodeIDs(back), want) {
		t.Fatalf("backward %v", nodeIDs(back))
	}
	fwd := traceOf(t, l, true, palletID, "", "")
	if want := []string{caseID + "@child", u(1) + "@child", u(2) + "@child", u(3) + "@child"}; !reflect.DeepEqual(nodeIDs(fwd), want) || fwd.Truncated {
		t.Fatalf("forward %v", nodeIDs(fwd))
	}
	if fwd.Nodes[1].Depth != 2 {
		t.Fatalf("depth %d", fwd.Nodes[1].Depth)
	}
	if lot := traceOf(t, l, true, lotID, "", ""); len(lot.Nodes) != 3 {
		t.Fatalf("lot forward %v", nodeIDs(lot))
	}
}

func TestTraceBounds(t *testing.T) {
	l := chainWorld(t)
	packAll(t, l)
	if tr := traceOf(t, l, true, palletID, "1", ""); len(tr.Nodes) != 1 || !tr.Truncated {
		t.Fatalf("depth 1: %v %v", nodeIDs(tr), tr.Truncated)
	}
	if tr := traceOf(t, l, true, palletID, "", "2"); len(tr.Nodes) != 2 || !tr.Truncated {
		t.Fatalf("limit 2: %v %v", nodeIDs(tr), tr.Truncated)
	}
	_, err := tx(t, l, who(t, partnerMSP, domain.RoleOperator), func(ctx contractapi.TransactionContextInterface) error {
		_, err := NewTraceContract().traceForward(ctx, palletID, "999", "")
		return err
	})
	wantCode(t, err, domain.CodeInvalid)
}

func TestRecordEventsRules(t *testing.T) {
	op := who(t, makerMSP, domain.RoleOperator)
	tests := []struct {
		name string
		id   *fakestub.Identity
		ev   domain.EventInput
		want string
	}{
		{"another org may not pack the maker's items", who(t, partnerMSP, domain.RoleOperator), domain.EventInput{Type: domain.EventPacking, ID: caseID, Children: []string{u(1)}}, "FORBIDDEN"},
		{"a unit in a case cannot be packed elsewhere", op, domain.EventInput{Type: domain.EventPacking, ID: palletID, Children: []string{u(1)}}, "CONFLICT"},
		{"a pallet cannot go into its own case", op, domain.EventInput{Type: domain.EventPacking, ID: caseID, Children: []string{palletID}}, "INVALID"},
		{"unpacking a unit not in the case conflicts", op, domain.EventInput{Type: domain.EventUnpacking, ID: palletID, Children: []string{u(1)}}, "CONFLICT"},
		{"an unknown subject is not found", op, domain.EventInput{Type: domain.EventCommissioning, ID: makerPfx + "/NOPE"}, "NOT_FOUND"},
		{"inspecting is not recorded here", op, domain.EventInput{Type: domain.EventInspecting, ID: u(1)}, "INVALID"},
		{"shipping needs a destination", op, domain.EventInput{Type: domain.EventShipping, ID: palletID}, "INVALID"},
		{"receiving what was not shipped is forbidden", who(t, partnerMSP, domain.RoleOperator), domain.EventInput{Type: domain.EventReceiving, ID: palletID}, "FORBIDDEN"},
		{"an unreleased unit cannot ship", op, domain.EventInput{Type: domain.EventShipping, ID: u(3), Destination: partnerMSP}, "CONFLICT"},
		{"commissioning by the owner is recorded", op, domain.EventInput{Type: domain.EventCommissioning, ID: u(1)}, "recorded"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := chainWorld(t)
			packAll(t, l)
			res, _, err := record(t, l, tc.id, tc.ev)
			if err != nil {
				t.Fatal(err)
			}
			got := res.Results[0].Status
			if res.Results[0].Error != nil {
				got = string(res.Results[0].Error.Code)
			}
			if got != tc.want {
				t.Fatalf("got %s (%v), want %s", got, res.Results[0].Error, tc.want)
			}
		})
	}
	_, _, err := record(t, chainWorld(t), who(t, makerMSP, domain.RoleQA), domain.EventInput{Type: domain.EventCommissioning, ID: u(1)})
	wantCode(t, err, domain.CodeForbidden)
}

func TestShippingAndReceivingMoveCustody(t *testing.T) {
	l := chainWorld(t)
	packAll(t, l)
	maker, partner := who(t, makerMSP, domain.RoleOperator), who(t, partnerMSP, domain.RoleOperator)
	mustRecord(t, l, maker, domain.EventInput{Type: domain.EventShipping, ID: palletID, Destination: partnerMSP, Region: "CN-ZJ"})
	it, _ := readItem(t, l, palletID)
	if it.Status != domain.StatusShipped || it.Custodian != makerMSP {
		t.Fatalf("after shipping %+v", it)
	}
	ck, _ := CustodyKey(palletID)
	if orgs, _ := describePolicy(l.ValidationParameter(ck)); orgs != owned(partnerMSP) {
		t.Fatalf("custody SBE %v", orgs)
	}
	res, _, _ := record(t, l, who(t, regulatorMSP, domain.RoleOperator), domain.EventInput{Type: domain.EventReceiving, ID: palletID})
	if res.Results[0].Status != domain.ResultRejected {
		t.Fatal("a third org received the pallet")
	}
	mustRecord(t, l, partner, domain.EventInput{Type: domain.EventReceiving, ID: palletID})
	it, _ = readItem(t, l, palletID)
	if it.Status != domain.StatusReceived || it.Custodian != partnerMSP {
		t.Fatalf("after receiving %+v", it)
	}
	mustRecord(t, l, partner, domain.EventInput{Type: domain.EventShipping, ID: palletID, Destination: regulatorMSP})
}

func TestProcessStepsFollowThePCBVocabulary(t *testing.T) {
	l := newWorld(t)
	panel := domain.ItemInput{ID: makerPfx + "/PANEL1", Kind: domain.KindPanel, Industry: domain.IndustryPCB, Model: "PX",
		Attributes: map[string]string{"layers": "4"}}
	mustRegister(t, l, panel)
	res, _, err := record(t, l, who(t, makerMSP, domain.RoleOperator),
		domain.EventInput{Type: domain.EventProcessStep, ID: panel.ID, Step: "drilling", Equipment: "DR-01"},
		domain.EventInput{Type: domain.EventProcessStep, ID: panel.ID, Step: "juggling"},
		domain.EventInput{Type: domain.EventProcessStep, ID: panel.ID, Step: "aoi", ParamsHash: "zz"})
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(res); !reflect.DeepEqual(got, []string{"recorded", "rejected:INVALID", "rejected:INVALID"}) {
		t.Fatalf("got %v", got)
	}
}

func TestRecordEventsIsDeterministic(t *testing.T) {
	l := chainWorld(t)
	arg, _ := json.Marshal([]domain.EventInput{
		{Type: domain.EventPacking, ID: caseID, Children: []string{u(3), u(1), u(2)}},
		{Type: domain.EventPacking, ID: palletID, Children: []string{caseID}},
		{Type: domain.EventShipping, ID: palletID, Destination: partnerMSP},
	})
	run := func() ([]fakestub.Write, string, []fakestub.Event) {
		s := l.Clone().NewTx(who(t, makerMSP, domain.RoleOperator))
		ctx, _ := fakestub.Context(s)
		res, err := NewTraceContract().RecordEvents(ctx, string(arg))
		if err != nil {
			t.Fatal(err)
		}
		return s.Writes(), res, s.Events
	}
	w1, r1, e1 := run()
	w2, r2, e2 := run()
	if !reflect.DeepEqual(w1, w2) || r1 != r2 || !reflect.DeepEqual(e1, e2) || len(e1) != 1 {
		t.Fatal("two executions differ")
	}
}
