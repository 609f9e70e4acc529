package chaincode

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/chaincode/internal/fakestub"
	"github.com/idchain/idchain/domain"
)

func statuses(res *domain.BatchResult) []string {
	out := make([]string, len(res.Results))
	for i, r := range res.Results {
		out[i] = r.Status
		if r.Error != nil {
			out[i] += ":" + string(r.Error.Code)
		}
	}
	return out
}

func TestRegisterItemsCreatesRecordPolicyAndRelation(t *testing.T) {
	l := newWorld(t)
	lot := domain.ItemInput{ID: makerPfx + "/LOT1", Kind: domain.KindLot, Industry: domain.IndustryKitchenBath,
		Model: "GS-1", GTIN: "6901234000030", Attributes: map[string]string{"productionDate": "2025-01-01"}}
	res, s, err := register(t, l, who(t, makerMSP, domain.RoleOperator), lot, unit(1, lot.ID))
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(res); !reflect.DeepEqual(got, []string{"created", "created"}) {
		t.Fatalf("results %v", got)
	}
	it, err := readItem(t, l, unit(1, "").ID)
	if err != nil {
		t.Fatal(err)
	}
	if it.Owner != makerMSP || it.Parent != lot.ID || it.Status != domain.StatusRegistered || it.TxID != s.GetTxID() || it.CreatedAt == "" {
		t.Fatalf("item %+v", it)
	}
	lotRec, _ := readItem(t, l, lot.ID)
	if lotRec.GTIN != "06901234000030" {
		t.Fatalf("gtin not normalised: %q", lotRec.GTIN)
	}
	p, k, _ := itemKeyOf(it.ID)
	_ = p
	if orgs, _ := describePolicy(l.ValidationParameter(k)); orgs != owned(makerMSP) {
		t.Fatalf("item SBE %v", orgs)
	}
	rk, _ := RelKey(lot.ID, it.ID)
	if l.State(rk) == nil {
		t.Fatal("no forward relation key")
	}
	ev := onlyEvent(t, s)
	if ev.Type != EvItemsRegistered || !reflect.DeepEqual(ev.IDs, []string{lot.ID, it.ID}) {
		t.Fatalf("event %+v", ev)
	}
}

func TestRegisterItemsPerItemOutcomes(t *testing.T) {
	l := newWorld(t)
	mustRegister(t, l, generic(makerPfx+"/P1", domain.KindPallet, ""), generic(makerPfx+"/C1", domain.KindCase, makerPfx+"/P1"))
	mustTx(t, l, who(t, partnerMSP, domain.RoleOperator), func(ctx contractapi.TransactionContextInterface) error {
		in, _ := json.Marshal([]domain.ItemInput{generic(partnerPfx+"/X", domain.KindCase, "")})
		_, err := NewRegistryContract().registerItems(ctx, string(in))
		return err
	})
	changed := generic(makerPfx+"/C1", domain.KindCase, "")
	changed.Model = "other"
	noLot := domain.ItemInput{ID: makerPfx + "/L9", Kind: domain.KindLot, Industry: domain.IndustryKitchenBath, Model: "GS-1"}
	tests := []struct {
		name string
		in   domain.ItemInput
		want string
	}{
		{"identical re-registration is unchanged", generic(makerPfx+"/C1", domain.KindCase, makerPfx+"/P1"), "unchanged"},
		{"same id with other content conflicts", changed, "rejected:CONFLICT"},
		{"an id under another org's prefix is forbidden", generic(partnerPfx+"/Y", domain.KindCase, ""), "rejected:FORBIDDEN"},
		{"an unassigned prefix is not found", generic("88.999.9/Y", domain.KindCase, ""), "rejected:NOT_FOUND"},
		{"a parent nowhere is not found", generic(makerPfx+"/C2", domain.KindCase, makerPfx+"/NOPE"), "rejected:NOT_FOUND"},
		{"another org's parent is forbidden", generic(makerPfx+"/C3", domain.KindCase, partnerPfx+"/X"), "rejected:FORBIDDEN"},
		{"a malformed id is an invalid identifier", generic("no-slash", domain.KindCase, ""), "rejected:INVALID_IDENTIFIER"},
		{"a kind outside the profile is invalid", domain.ItemInput{ID: makerPfx + "/B", Kind: domain.KindBatch, Industry: domain.IndustryKitchenBath}, "rejected:INVALID"},
		{"a missing required attribute is invalid", noLot, "rejected:INVALID"},
		{"an unknown industry is invalid", domain.ItemInput{ID: makerPfx + "/Q", Kind: domain.KindUnit, Industry: "toys"}, "rejected:INVALID"},
		{"a bad GTIN is invalid", domain.ItemInput{ID: makerPfx + "/G", Kind: domain.KindCase, Industry: domain.IndustryGeneric, GTIN: "0614141000037"}, "rejected:INVALID"},
		{"an input nowhere is not found", domain.ItemInput{ID: makerPfx + "/T", Kind: domain.KindBatch, Industry: domain.IndustryGeneric, Inputs: []domain.Input{{ID: makerPfx + "/M0"}}}, "rejected:NOT_FOUND"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, _, err := register(t, l.Clone(), who(t, makerMSP, domain.RoleOperator), tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := statuses(res)[0]; got != tc.want {
				t.Fatalf("got %s (%v), want %s", got, res.Results[0].Error, tc.want)
			}
		})
	}
}

func TestRegisterItemsPartialBatchFailure(t *testing.T) {
	l := newWorld(t)
	res, s, err := register(t, l, who(t, makerMSP, domain.RoleOperator),
		generic(makerPfx+"/C1", domain.KindCase, makerPfx+"/P1"), // parent later in the batch
		generic(makerPfx+"/P1", domain.KindPallet, ""),
		generic(makerPfx+"/C2", domain.KindCase, makerPfx+"/P1"),
		generic(makerPfx+"/C2", domain.KindCase, ""), // same id, other content
		generic(makerPfx+"/C2", domain.KindCase, makerPfx+"/P1"),
	)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"rejected:NOT_FOUND", "created", "created", "rejected:CONFLICT", "unchanged"}
	if got := statuses(res); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if _, err := readItem(t, l, makerPfx+"/C1"); err == nil {
		t.Fatal("rejected item was written")
	}
	if _, err := readItem(t, l, makerPfx+"/C2"); err != nil {
		t.Fatal(err)
	}
	if ev := onlyEvent(t, s); !reflect.DeepEqual(ev.IDs, []string{makerPfx + "/P1", makerPfx + "/C2"}) {
		t.Fatalf("event ids %v", ev.IDs)
	}
}

func TestRegisterItemsRefusesWholeBatch(t *testing.T) {
	tests := []struct {
		name string
		id   *fakestub.Identity
		arg  string
		code domain.Code
	}{
		{"an inspector may not register", who(t, makerMSP, domain.RoleInspector), `[{"id":"88.100.1/A","kind":"case","industry":"generic"}]`, domain.CodeForbidden},
		{"a certificate without role may not register", who(t, makerMSP, ""), `[{"id":"88.100.1/A","kind":"case","industry":"generic"}]`, domain.CodeForbidden},
		{"an empty batch is invalid", who(t, makerMSP, domain.RoleOperator), `[]`, domain.CodeInvalid},
		{"malformed JSON is invalid", who(t, makerMSP, domain.RoleOperator), `[{`, domain.CodeInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tx(t, newWorld(t), tc.id, func(ctx contractapi.TransactionContextInterface) error {
				_, err := NewRegistryContract().registerItems(ctx, tc.arg)
				return err
			})
			wantCode(t, err, tc.code)
		})
	}
}

func TestRegisterTransformationInputs(t *testing.T) {
	l := newWorld(t)
	mustRegister(t, l, generic(makerPfx+"/M1", domain.KindMaterialLot, ""), generic(makerPfx+"/M2", domain.KindMaterialLot, ""))
	out := domain.ItemInput{ID: makerPfx + "/BATCH1", Kind: domain.KindBatch, Industry: domain.IndustryGeneric,
		Inputs: []domain.Input{{ID: makerPfx + "/M1", Quantity: 2.5, Unit: "kg"}, {ID: makerPfx + "/M2", Quantity: 1}}}
	res, s, err := register(t, l, who(t, makerMSP, domain.RoleAdmin), out)
	if err != nil || res.Results[0].Status != "created" {
		t.Fatalf("%v %+v", err, res)
	}
	for _, in := range out.Inputs {
		k, _ := RelInKey(in.ID, out.ID)
		if l.State(k) == nil {
			t.Fatalf("no relin key for %s", in.ID)
		}
	}
	if ev := onlyEvent(t, s); !reflect.DeepEqual(ev.IDs, []string{out.ID, makerPfx + "/M1", makerPfx + "/M2"}) {
		t.Fatalf("event ids %v", ev.IDs)
	}
}

// A batch of n units under one pallet on the ledger costs one read per
// unit plus the prefix and the parent (with its registration manifest),
// read once (and, once per batch, the
// prefix's enterprise assignment with the config naming its anchoring
// authority).
func TestRegisterItemsStateCallsPerItem(t *testing.T) {
	l := newWorld(t)
	mustRegister(t, l, generic(makerPfx+"/CASE", domain.KindCase, ""))
	const n = 1000
	items := make([]domain.ItemInput, n)
	for i := range items {
		items[i] = unit(i, makerPfx+"/CASE")
	}
	_, s, err := register(t, l, who(t, makerMSP, domain.RoleOperator), items...)
	if err != nil {
		t.Fatal(err)
	}
	// Per transaction: the new manifest with its policy and its one anchor
	// (the parent, registered alone, has its own anchor; reading it checks
	// its owner's prefix assignment and the config naming the authority).
	c := s.Calls
	if c["GetState"] != n+8 || c["PutState"] != 2*n+1 || c["SetStateValidationParameter"] != n+1 || c["PutPrivateData"] != 1 || c["GetMultipleStates"] != 1 {
		t.Fatalf("calls %v", c)
	}
}

func TestRegisterItemsIsDeterministic(t *testing.T) {
	l := newWorld(t)
	mustRegister(t, l, generic(makerPfx+"/P1", domain.KindPallet, ""))
	items := []domain.ItemInput{
		{ID: makerPfx + "/L1", Kind: domain.KindLot, Industry: domain.IndustryKitchenBath, Model: "GS-1",
			Attributes: map[string]string{"productionDate": "2025-01-01", "line": "3", "shift": "B", "a": "1"}},
		generic(makerPfx+"/C1", domain.KindCase, makerPfx+"/P1"),
		unit(7, makerPfx+"/L1"), unit(8, makerPfx+"/NOPE"),
	}
	arg, _ := json.Marshal(items)
	cc, err := contractapi.NewChaincode(NewSystemContract(), NewRegistryContract())
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)
	run := func() ([]fakestub.Write, []byte, []fakestub.Event) {
		s := l.Clone().NewTxAt(who(t, makerMSP, domain.RoleOperator), "txdet", at)
		resp := cc.Invoke(s.SetArgs("registry:RegisterItems", string(arg)))
		if resp.Status != 200 {
			t.Fatalf("invoke: %d %s", resp.Status, resp.Message)
		}
		return s.Writes(), resp.Payload, s.Events
	}
	w1, p1, e1 := run()
	w2, p2, e2 := run()
	if !reflect.DeepEqual(w1, w2) || string(p1) != string(p2) || !reflect.DeepEqual(e1, e2) {
		t.Fatal("two executions of the same proposal differ")
	}
	if len(w1) == 0 || len(e1) != 1 {
		t.Fatalf("%d writes, %d events", len(w1), len(e1))
	}
}
