package chaincode

import (
	"encoding/json"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/chaincode/internal/fakestub"
	"github.com/idchain/idchain/domain"
)

// TestCustodyByEnterprise: custody names org AND enterprise. Enterprises A
// and B are hosted by MakerMSP, C by PartnerMSP. Only A (the owner) ships
// A's item before it first moves; a shipment naming B is received by B
// alone; then only B, the custodian, ships it on; a shipment naming only an
// org is received by any active user of that org and the custody record
// names the receiver's enterprise.
func TestCustodyByEnterprise(t *testing.T) {
	l, a, b, c := entWorld(t)
	assignEnterprisePrefixes(t, l, map[string]string{"88.118.77": a, "88.118.88": b})
	opA, opB := entUser(t, makerMSP, domain.RoleOperator, a), entUser(t, makerMSP, domain.RoleOperator, b)
	opC := entUser(t, partnerMSP, domain.RoleOperator, c)
	orgOp, partnerOp := who(t, makerMSP, domain.RoleOperator), who(t, partnerMSP, domain.RoleOperator)
	unit := func(id string) domain.ItemInput {
		return domain.ItemInput{ID: id, Kind: domain.KindUnit, Industry: domain.IndustryGeneric}
	}
	for _, r := range []struct {
		op  string
		ids []string
	}{{"A", []string{"88.118.77/A1", "88.118.77/A2"}}, {"B", []string{"88.118.88/B1"}}} {
		op := opA
		if r.op == "B" {
			op = opB
		}
		var in []domain.ItemInput
		for _, id := range r.ids {
			in = append(in, unit(id))
		}
		if res, _, err := register(t, l, op, in...); err != nil || res.Results[0].Status != domain.ResultCreated {
			t.Fatalf("%s registers: %+v %v", r.op, res, err)
		}
	}
	const a1, a2, b1 = "88.118.77/A1", "88.118.77/A2", "88.118.88/B1"
	// outcome records one event and returns "recorded" or "rejected:CODE".
	outcome := func(id *fakestub.Identity, in domain.EventInput) string {
		t.Helper()
		res, _, err := record(t, l, id, in)
		if err != nil {
			return "error:" + string(domain.CodeOf(err))
		}
		return statuses(res)[0]
	}
	want := func(what, got, want string) {
		t.Helper()
		if got != want {
			t.Fatalf("%s: %s, want %s", what, got, want)
		}
	}
	ship := func(id, org, ent string) domain.EventInput {
		return domain.EventInput{Type: domain.EventShipping, ID: id, Destination: org, DestinationEnterprise: ent}
	}
	receive := func(id string) domain.EventInput { return domain.EventInput{Type: domain.EventReceiving, ID: id} }

	// Before it first ships, the owner enterprise alone holds an item.
	want("B ships A's item", outcome(opB, ship(a1, partnerMSP, "")), "rejected:FORBIDDEN")
	want("the org's own operator ships A's item", outcome(orgOp, ship(a1, partnerMSP, "")), "rejected:FORBIDDEN")
	want("A ships B's item", outcome(opA, ship(b1, partnerMSP, "")), "rejected:FORBIDDEN")
	// Within its org A ships only to another named enterprise of it.
	want("A ships to its own org", outcome(opA, ship(a2, makerMSP, "")), "rejected:INVALID")
	want("A ships to itself", outcome(opA, ship(a2, makerMSP, a)), "rejected:INVALID")
	want("A names C on the wrong org", outcome(opA, ship(a2, makerMSP, c)), "rejected:INVALID")
	want("A ships to B", outcome(opA, ship(a1, makerMSP, b)), "recorded")
	it, err := readItem(t, l, a1)
	if err != nil || it.Status != domain.StatusShipped || it.Custodian != makerMSP || it.CustodianEnterprise != a {
		t.Fatalf("after A shipped: %+v %v", it, err)
	}
	// Only B receives a shipment naming B.
	want("A receives its shipment to B", outcome(opA, receive(a1)), "rejected:FORBIDDEN")
	want("the org's own operator receives B's shipment", outcome(orgOp, receive(a1)), "rejected:FORBIDDEN")
	want("C receives B's shipment", outcome(opC, receive(a1)), "rejected:FORBIDDEN")
	want("B receives", outcome(opB, receive(a1)), "recorded")
	it, err = readItem(t, l, a1)
	if err != nil || it.Status != domain.StatusReceived || it.Custodian != makerMSP || it.CustodianEnterprise != b {
		t.Fatalf("after B received: %+v %v", it, err)
	}
	// Now B holds A's item: A (the owner) and the org's own users may not
	// ship it; B's process step goes to the custody record, not to A's item.
	want("A ships the item B holds", outcome(opA, ship(a1, partnerMSP, "")), "rejected:FORBIDDEN")
	want("the org's operator ships the item B holds", outcome(orgOp, ship(a1, partnerMSP, "")), "rejected:FORBIDDEN")
	want("B decommissions the item it holds", outcome(opB, domain.EventInput{Type: domain.EventDecommissioning, ID: a1}), "recorded")
	if rec := itemRecord(t, l, a1); rec.Status == domain.StatusDecommissioned {
		t.Fatalf("B's event changed A's item record: %+v", rec)
	}
	// A shipment naming only an org is received by any active user of it;
	// the custody record names the receiver's enterprise.
	want("A ships A2 to PartnerMSP", outcome(opA, ship(a2, partnerMSP, "")), "recorded")
	want("B receives A's shipment to PartnerMSP", outcome(opB, receive(a2)), "rejected:FORBIDDEN")
	want("C receives", outcome(opC, receive(a2)), "recorded")
	it, err = readItem(t, l, a2)
	if err != nil || it.Custodian != partnerMSP || it.CustodianEnterprise != c {
		t.Fatalf("after C received: %+v %v", it, err)
	}
	want("PartnerMSP's own operator ships C's holding", outcome(partnerOp, ship(a2, makerMSP, a)), "rejected:FORBIDDEN")
	want("C ships back to A", outcome(opC, ship(a2, makerMSP, a)), "recorded")
	want("B receives the shipment to A", outcome(opB, receive(a2)), "rejected:FORBIDDEN")
	want("A receives", outcome(opA, receive(a2)), "recorded")
	// A suspended enterprise is no destination.
	mustTx(t, l, who(t, platformMSP, domain.RoleAdmin), func(ctx contractapi.TransactionContextInterface) error {
		_, err := NewEnterpriseContract().setEnterpriseStatus(ctx, b, "suspended")
		return err
	})
	want("A ships to suspended B", outcome(opA, ship(a2, makerMSP, b)), "rejected:FORBIDDEN")
}

// itemRecord reads the item record itself (no custody overlay).
func itemRecord(tb testing.TB, l *fakestub.Ledger, id string) domain.Item {
	tb.Helper()
	var it domain.Item
	mustTx(tb, l, who(tb, partnerMSP, domain.RoleOperator), func(ctx contractapi.TransactionContextInterface) (err error) {
		it, _, err = loadItem(ctx.GetStub(), id)
		return err
	})
	return it
}

// A custody record that three orgs created without the owner (no owner's
// anchor) is ignored: the item stays in its owner's hands, the planted
// holder cannot ship it, the owner can; the owner's first move anchors
// the record it writes.
func TestPlantedCustodyIsIgnored(t *testing.T) {
	l := newWorld(t)
	id := makerPfx + "/CU-1"
	mustRegister(t, l, generic(id, domain.KindUnit, ""))
	k, _ := CustodyKey(id)
	planted, _ := json.Marshal(domain.Custody{ID: id, Custodian: partnerMSP, Status: domain.StatusReceived})
	l.PutState(k, planted)
	if it, err := readItem(t, l, id); err != nil || it.Custodian != "" || it.Status != domain.StatusRegistered {
		t.Fatalf("planted custody read: %+v %v", it, err)
	}
	ship := domain.EventInput{Type: domain.EventShipping, ID: id, Destination: regulatorMSP}
	res, _, err := record(t, l, who(t, partnerMSP, domain.RoleOperator), ship)
	if err == nil && res.Results[0].Status == domain.ResultRecorded {
		t.Fatal("the planted holder shipped the owner's item")
	}
	mustRecord(t, l, who(t, makerMSP, domain.RoleOperator), ship)
	if l.PrivateData(AnchorCollection(makerMSP), k) == nil {
		t.Fatal("the owner's first move did not anchor its custody record")
	}
	if it, _ := readItem(t, l, id); it.Custodian != makerMSP || it.Status != domain.StatusShipped {
		t.Fatalf("after the owner's shipment: %+v", it)
	}
}
