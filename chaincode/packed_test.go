package chaincode

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/chaincode/internal/fakestub"
	"github.com/idchain/idchain/domain"
)

const packedLotID = makerPfx + "/PLOT-1"

func packedLot1000() domain.ItemInput {
	return domain.ItemInput{ID: packedLotID, Kind: domain.KindLot, Industry: domain.IndustryKitchenBath, Model: "GS-1",
		Attributes: map[string]string{"productionDate": "2026-12-01"}, Units: 1000}
}

func TestPackedLotRegistersItsUnitsWithoutAKeyEach(t *testing.T) {
	l := newWorld(t)
	res, s, err := register(t, l, who(t, makerMSP, domain.RoleOperator), packedLot1000())
	if err != nil || res.Results[0].Status != domain.ResultCreated {
		t.Fatalf("register: %v %+v", err, res)
	}
	// one item key with its policy and anchor, whatever the number of units
	if c := s.Calls; c["PutState"] != 1 || c["SetStateValidationParameter"] != 1 || c["PutPrivateData"] != 1 {
		t.Fatalf("calls %v", c)
	}
	u, err := readItem(t, l, packedLotID+"~1000")
	if err != nil {
		t.Fatal(err)
	}
	if !u.Packed || u.Kind != domain.KindUnit || u.Parent != packedLotID || u.Owner != makerMSP || u.Serial != "1000" ||
		u.Model != "GS-1" || u.TxID != s.GetTxID() {
		t.Fatalf("unit %+v", u)
	}
	for _, id := range []string{packedLotID + "~1001", packedLotID + "~0", packedLotID + "~01", packedLotID + "~x"} {
		if _, err := readItem(t, l, id); err == nil {
			t.Fatalf("%s reads as registered", id)
		}
	}
	// a unit's id cannot be registered on its own, nor can the lot grow
	res, _, err = register(t, l, who(t, makerMSP, domain.RoleOperator),
		domain.ItemInput{ID: packedLotID + "~1001", Kind: domain.KindUnit, Industry: domain.IndustryKitchenBath, Model: "GS-1", Serial: "1001"})
	if err != nil || res.Results[0].Error == nil || res.Results[0].Error.Code != domain.CodeInvalidIdentifier {
		t.Fatalf("unit id registered on its own: %v %+v", err, res)
	}
	bigger := packedLot1000()
	bigger.Units = 2000
	res, _, _ = register(t, l, who(t, makerMSP, domain.RoleOperator), bigger)
	if res.Results[0].Error == nil || res.Results[0].Error.Code != domain.CodeConflict {
		t.Fatalf("lot grew: %+v", res.Results[0])
	}
	if v := verifyOf(t, l, packedLotID+"~7"); !v.Genuine || v.Maker != makerMSP {
		t.Fatalf("verify %+v", v)
	}
}

func TestPackedUnitRefusesUnitsOnKindsThatHoldNone(t *testing.T) {
	in := domain.ItemInput{ID: makerPfx + "/U1", Kind: domain.KindUnit, Industry: domain.IndustryKitchenBath, Model: "M", Serial: "1", Units: 3}
	if _, err := in.Normalize(); domain.CodeOf(err) != domain.CodeInvalid {
		t.Fatalf("units on a unit: %v", err)
	}
	lot := packedLot1000()
	lot.Units = domain.MaxPackedUnits + 1
	if _, err := lot.Normalize(); domain.CodeOf(err) != domain.CodeInvalid {
		t.Fatalf("too many units: %v", err)
	}
}

func TestPackedUnitIgnoresAPlantedKeyAndMaterialisesOnItsOwnersChange(t *testing.T) {
	l := newWorld(t)
	mustRegister(t, l, packedLot1000())
	_, k, _ := itemKeyOf(packedLotID + "~5")
	// a coalition without the owner creates the unit's key (no anchor)
	forged, _ := json.Marshal(domain.Item{ID: packedLotID + "~5", Kind: domain.KindUnit, Industry: domain.IndustryKitchenBath,
		Owner: makerMSP, Status: domain.StatusDecommissioned, Parent: packedLotID, TxID: "forged"})
	l.PutState(k, forged)
	if u, err := readItem(t, l, packedLotID+"~5"); err != nil || !u.Packed || u.Status != domain.StatusRegistered {
		t.Fatalf("planted key read: %+v %v", u, err)
	}
	// the owner decommissions unit 6: its own key, with policy and anchor
	mustRecord(t, l, who(t, makerMSP, domain.RoleOperator), domain.EventInput{Type: domain.EventDecommissioning, ID: packedLotID + "~6"})
	u6, err := readItem(t, l, packedLotID+"~6")
	if err != nil || u6.Packed || u6.Status != domain.StatusDecommissioned || u6.Parent != packedLotID {
		t.Fatalf("materialised unit %+v %v", u6, err)
	}
	_, k6, _ := itemKeyOf(u6.ID)
	if orgs, _ := describePolicy(l.ValidationParameter(k6)); orgs != owned(makerMSP) {
		t.Fatalf("materialised unit SBE %v", orgs)
	}
	if l.PrivateData(AnchorCollection(makerMSP), k6) == nil {
		t.Fatal("materialised unit has no anchor")
	}
	if u7, _ := readItem(t, l, packedLotID+"~7"); !u7.Packed || u7.Status != domain.StatusRegistered {
		t.Fatalf("neighbour changed: %+v", u7)
	}
}

func TestPackedUnitsInheritTheLotsRecallAndShowInItsTrace(t *testing.T) {
	l := newWorld(t)
	lot := packedLot1000()
	lot.Units = 3
	mustRegister(t, l, lot)
	tr := traceOf(t, l, true, packedLotID, "", "")
	if got := nodeIDs(tr); !slices.Equal(got, []string{packedLotID + "~1@child", packedLotID + "~2@child", packedLotID + "~3@child"}) {
		t.Fatalf("forward trace %v", got)
	}
	if _, err := recall(t, l, who(t, makerMSP, domain.RoleQA), packedLotID); err != nil {
		t.Fatal(err)
	}
	if v := verifyOf(t, l, packedLotID+"~2"); !v.Recalled || v.Recall == nil || v.Recall.ID != packedLotID {
		t.Fatalf("unit after the lot's recall %+v", v)
	}
}

func TestPackedUnitResolvesByGTINLotAndSerial(t *testing.T) {
	l := newWorld(t)
	lot := packedLot1000()
	lot.GTIN, lot.Lot, lot.Units = "6901234000030", "L2612", 20
	mustRegister(t, l, lot)
	find := func(lotNo, serial string) (*domain.GS1Match, error) {
		var m *domain.GS1Match
		_, err := tx(t, l, who(t, partnerMSP, domain.RoleOperator), func(ctx contractapi.TransactionContextInterface) (err error) {
			m, err = NewRegistryContract().findByGTIN(ctx, lot.GTIN, lotNo, serial)
			return err
		})
		return m, err
	}
	if m, err := find("L2612", "20"); err != nil || m.ID != packedLotID+"~20" || m.Level != domain.GS1LevelItem {
		t.Fatalf("unit 20: %+v %v", m, err)
	}
	for _, c := range [][2]string{{"L2612", "21"}, {"L2612", "020"}, {"", "20"}, {"L2613", "20"}} {
		if m, err := find(c[0], c[1]); domain.CodeOf(err) != domain.CodeNotFound {
			t.Fatalf("lot %q serial %q: %+v %v", c[0], c[1], m, err)
		}
	}
}

// A coalition without the owner creates a packed unit's key with a policy
// of its own: reads ignore the key, and the owner's change of the unit is
// refused with CONFLICT and a reason (it could never be validated) instead
// of leaving the gateway to find no endorsers. A key planted with the
// owner's own policy, or none, is taken over.
func TestPackedUnitKeyPlantedWithAForeignPolicyIsRefusedWithAReason(t *testing.T) {
	l := newWorld(t)
	mustRegister(t, l, packedLot1000())
	plant := func(n int, policy func(ctx contractapi.TransactionContextInterface) ([]byte, error)) string {
		id := domain.PackedUnitID(packedLotID, n)
		_, k, _ := itemKeyOf(id)
		forged, _ := json.Marshal(domain.Item{ID: id, Kind: domain.KindUnit, Industry: domain.IndustryKitchenBath,
			Owner: makerMSP, Status: domain.StatusDecommissioned, Parent: packedLotID, TxID: "forged"})
		if _, err := tx(t, l, who(t, partnerMSP, domain.RoleOperator), func(ctx contractapi.TransactionContextInterface) error {
			if err := ctx.GetStub().PutState(k, forged); err != nil {
				return err
			}
			p, err := policy(ctx)
			if err != nil || p == nil {
				return err
			}
			return ctx.GetStub().SetStateValidationParameter(k, p)
		}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	foreign := plant(8, func(ctx contractapi.TransactionContextInterface) ([]byte, error) {
		return policyFor(ctx.GetStub(), nil, classOwned, partnerMSP)
	})
	if u, err := readItem(t, l, foreign); err != nil || !u.Packed || u.Status != domain.StatusRegistered {
		t.Fatalf("planted key read: %+v %v", u, err)
	}
	_, _, err := record(t, l, who(t, makerMSP, domain.RoleOperator), domain.EventInput{Type: domain.EventDecommissioning, ID: foreign})
	if domain.CodeOf(err) != domain.CodeConflict || !strings.Contains(err.Error(), "endorsement policy of their own") {
		t.Fatalf("the owner's change of a unit whose key carries another policy: %v", err)
	}
	none := plant(9, func(contractapi.TransactionContextInterface) ([]byte, error) { return nil, nil })
	owners := plant(10, func(ctx contractapi.TransactionContextInterface) ([]byte, error) {
		return policyFor(ctx.GetStub(), nil, classOwned, makerMSP)
	})
	for _, id := range []string{none, owners} {
		mustRecord(t, l, who(t, makerMSP, domain.RoleOperator), domain.EventInput{Type: domain.EventDecommissioning, ID: id})
		if u, err := readItem(t, l, id); err != nil || u.Packed || u.Status != domain.StatusDecommissioned {
			t.Fatalf("the owner's change of %s, planted without a foreign policy: %+v %v", id, u, err)
		}
	}
}

// A kitchen/bath lot's release needs every unit inspected, packed units
// too; each packed unit then gets its own key, released.
func TestPackedKitchenLotReleaseNeedsEveryPackedUnit(t *testing.T) {
	qa := who(t, makerMSP, domain.RoleQA)
	l := fakestub.NewLedger()
	putPlan(t, l, domain.ExampleGasStovePlan(stoveModel))
	lot := "88.118.8/PLOT-K"
	putItem(t, l, domain.Item{ID: lot, Kind: domain.KindLot, Industry: domain.IndustryKitchenBath, Model: stoveModel, Units: 2})
	u1, u2 := lot+"~1", lot+"~2"
	if _, err := inspect(t, l, u1, "", stovePass()...); err != nil {
		t.Fatal(err)
	}
	_, _, err := release(t, l, qa, lot)
	wantCode(t, err, domain.CodeReleaseBlocked)
	if !strings.Contains(err.Error(), u2) {
		t.Fatalf("message %q should name the uninspected packed unit", err)
	}
	if _, err := inspect(t, l, u2, "", stovePass()...); err != nil {
		t.Fatal(err)
	}
	if _, _, err := release(t, l, qa, lot); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{lot, u1, u2} {
		if it := getItem(t, l, id); it.Status != domain.StatusReleased || it.Packed {
			t.Errorf("%s: %+v", id, it)
		}
	}
}
