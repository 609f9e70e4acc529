package chaincode

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/chaincode/internal/fakestub"
	"github.com/idchain/idchain/domain"
)

func TestPutPlanVersions(t *testing.T) {
	l := fakestub.NewLedger()
	p := domain.ExampleCosmeticsBatchPlan("CREAM-50ML")
	if got := putPlan(t, l, p); got.Version != 1 || got.Owner != makerMSP || got.TxID == "" {
		t.Fatalf("first put: %+v", got)
	}
	if got := putPlan(t, l, p); got.Version != 1 {
		t.Fatalf("identical put bumped the version: %d", got.Version)
	}
	p.Items[1].Max = f64p(9)
	if got := putPlan(t, l, p); got.Version != 2 {
		t.Fatalf("changed put: version %d, want 2", got.Version)
	}
	k, _ := PlanKey(makerMSP, "", "CREAM-50ML")
	if orgs, _ := describePolicy(l.ValidationParameter(k)); orgs != owned(makerMSP) {
		t.Fatalf("plan SBE orgs = %v", orgs)
	}
}

func f64p(x float64) *float64 { return &x }

func TestPutPlanRefusals(t *testing.T) {
	good, _ := json.Marshal(domain.ExamplePCBPanelPlan("PCB-4L"))
	tests := []struct {
		name string
		id   *fakestub.Identity
		arg  string
		code domain.Code
	}{
		{"an inspector may not write plans", who(t, makerMSP, domain.RoleInspector), string(good), domain.CodeForbidden},
		{"an operator may not write plans", who(t, makerMSP, domain.RoleOperator), string(good), domain.CodeForbidden},
		{"a caller without role is refused", who(t, makerMSP, ""), string(good), domain.CodeForbidden},
		{"min above max is invalid", who(t, makerMSP, domain.RoleQA), `{"model":"M","industry":"pcb","items":[{"code":"A","min":2,"max":1,"required":true}]}`, domain.CodeInvalid},
		{"bad JSON is invalid", who(t, makerMSP, domain.RoleAdmin), `{`, domain.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tx(t, fakestub.NewLedger(), tt.id, func(ctx contractapi.TransactionContextInterface) error {
				_, err := NewQualityContract().putPlan(ctx, tt.arg)
				return err
			})
			wantCode(t, err, tt.code)
		})
	}
}

func TestRecordInspectionJudgesOnChain(t *testing.T) {
	l := stoveLedger(t)
	hash := strings.Repeat("ab", 32)
	res, err := inspect(t, l, stove1, strings.ToUpper(hash), stoveFail()...)
	if err != nil {
		t.Fatal(err)
	}
	if res.Passed || !reflect.DeepEqual(res.Failed, []string{"EARTH_OHM"}) || !reflect.DeepEqual(res.Missing, []string{"GAS_TIGHT"}) || res.PlanVersion != 1 {
		t.Fatalf("result %+v", res)
	}
	var ins []domain.Inspection
	mustTx(t, l, who(t, partnerMSP, ""), func(ctx contractapi.TransactionContextInterface) (err error) {
		ins, err = NewQualityContract().getInspections(ctx, stove1)
		return err
	})
	if len(ins) != 1 {
		t.Fatalf("%d inspections", len(ins))
	}
	got := ins[0]
	if got.InspectorMSP != makerMSP || !strings.Contains(got.Inspector, "inspector@MakerMSP") || got.Equipment != "EQ-7" ||
		got.DetailHash != hash || got.At == "" || got.TxID != res.TxID || got.ID != stove1 {
		t.Fatalf("record %+v", got)
	}
	it := getItem(t, l, stove1)
	if it.Status != domain.StatusInspected || it.DetailHashes[string(domain.CategoryInspectionDetail)] != hash {
		t.Fatalf("item %+v", it)
	}
}

func TestRecordInspectionRefusals(t *testing.T) {
	tests := []struct {
		name    string
		id      *fakestub.Identity
		item    string
		hash    string
		results []domain.TestResult
		code    domain.Code
	}{
		{"qa may not record inspections", who(t, makerMSP, domain.RoleQA), stove1, "", stovePass(), domain.CodeForbidden},
		{"another org's inspector is refused", who(t, partnerMSP, domain.RoleInspector), stove1, "", stovePass(), domain.CodeForbidden},
		{"an unregistered item is not found", who(t, makerMSP, domain.RoleInspector), "88.118.8/NOPE", "", stovePass(), domain.CodeNotFound},
		{"a result outside the plan is invalid", who(t, makerMSP, domain.RoleInspector), stove1, "", []domain.TestResult{v("COLOR", 1)}, domain.CodeInvalid},
		{"a malformed detail hash is invalid", who(t, makerMSP, domain.RoleInspector), stove1, "abc", stovePass(), domain.CodeInvalid},
		{"an item without a plan for its model is not found", who(t, makerMSP, domain.RoleInspector), "88.118.8/OTHER", "", stovePass(), domain.CodeNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := stoveLedger(t)
			putItem(t, l, domain.Item{ID: "88.118.8/OTHER", Kind: domain.KindUnit, Industry: domain.IndustryKitchenBath, Model: "X-1"})
			in, _ := json.Marshal(domain.InspectionInput{ID: tt.item, Results: tt.results})
			_, err := tx(t, l, tt.id, func(ctx contractapi.TransactionContextInterface) error {
				_, err := NewQualityContract().recordInspection(ctx, string(in), tt.hash)
				return err
			})
			wantCode(t, err, tt.code)
		})
	}
}

func TestReleaseGateUnit(t *testing.T) {
	qa := who(t, makerMSP, domain.RoleQA)
	t.Run("a failing latest inspection blocks and names the items", func(t *testing.T) {
		l := stoveLedger(t)
		inspect(t, l, stove1, "", stovePass()...)
		inspect(t, l, stove1, "", stoveFail()...)
		_, _, err := release(t, l, qa, stove1)
		wantCode(t, err, domain.CodeReleaseBlocked)
		if !strings.Contains(err.Error(), "failed EARTH_OHM") || !strings.Contains(err.Error(), "missing GAS_TIGHT") {
			t.Fatalf("message %q", err)
		}
	})
	t.Run("without inspection it is blocked", func(t *testing.T) {
		_, _, err := release(t, stoveLedger(t), qa, stove1)
		wantCode(t, err, domain.CodeReleaseBlocked)
	})
	t.Run("a passing latest inspection releases", func(t *testing.T) {
		l := stoveLedger(t)
		inspect(t, l, stove1, "", stoveFail()...)
		inspect(t, l, stove1, "", stovePass()...)
		rel, s, err := release(t, l, qa, stove1)
		if err != nil {
			t.Fatal(err)
		}
		if rel.By != makerMSP || rel.ByUser != "qa@MakerMSP" || getItem(t, l, stove1).Status != domain.StatusReleased {
			t.Fatalf("release %+v", rel)
		}
		if ev := onlyEvent(t, s); ev.Type != EvItemReleased || !reflect.DeepEqual(ev.IDs, []string{stove1}) {
			t.Fatalf("event %+v", ev)
		}
		_, _, err = release(t, l, qa, stove1)
		wantCode(t, err, domain.CodeConflict)
	})
	t.Run("a pass under an old plan version does not release under the new one", func(t *testing.T) {
		l := stoveLedger(t)
		inspect(t, l, stove1, "", stovePass()...)
		p := domain.ExampleGasStovePlan(stoveModel)
		p.Items[0].Max = f64p(0.08)
		if got := putPlan(t, l, p); got.Version != 2 {
			t.Fatalf("version %d", got.Version)
		}
		_, _, err := release(t, l, qa, stove1)
		wantCode(t, err, domain.CodeReleaseBlocked)
		if !strings.Contains(err.Error(), "v2") {
			t.Fatalf("message %q does not name the plan version", err)
		}
	})
	for _, tc := range []struct {
		name string
		id   *fakestub.Identity
	}{
		{"an inspector may not release", who(t, makerMSP, domain.RoleInspector)},
		{"an admin may not release (qa only)", who(t, makerMSP, domain.RoleAdmin)},
		{"another org's qa may not release", who(t, partnerMSP, domain.RoleQA)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := stoveLedger(t)
			inspect(t, l, stove1, "", stovePass()...)
			_, _, err := release(t, l, tc.id, stove1)
			wantCode(t, err, domain.CodeForbidden)
		})
	}
}

func TestReleaseGateKitchenLotNeedsEveryUnit(t *testing.T) {
	qa := who(t, makerMSP, domain.RoleQA)
	l := stoveLedger(t)
	inspect(t, l, stove1, "", stovePass()...)
	_, _, err := release(t, l, qa, stoveLot)
	wantCode(t, err, domain.CodeReleaseBlocked)
	if !strings.Contains(err.Error(), stove2) || strings.Contains(err.Error(), stove1+":") {
		t.Fatalf("message %q should name only the uninspected unit", err)
	}
	inspect(t, l, stove2, "", stovePass()...)
	_, s, err := release(t, l, qa, stoveLot)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{stoveLot, stove1, stove2} {
		if st := getItem(t, l, id).Status; st != domain.StatusReleased {
			t.Errorf("%s status %s", id, st)
		}
	}
	if ev := onlyEvent(t, s); !reflect.DeepEqual(ev.IDs, []string{stoveLot, stove1, stove2}) {
		t.Fatalf("event ids %v", ev.IDs)
	}
}

func TestReleaseGateEmptyLotIsBlocked(t *testing.T) {
	l := stoveLedger(t)
	putItem(t, l, domain.Item{ID: "88.118.8/LOT-EMPTY", Kind: domain.KindLot, Industry: domain.IndustryKitchenBath, Model: stoveModel})
	_, _, err := release(t, l, who(t, makerMSP, domain.RoleQA), "88.118.8/LOT-EMPTY")
	wantCode(t, err, domain.CodeReleaseBlocked)
}

func TestReleaseGateCosmeticsBatchOwnInspectionSuffices(t *testing.T) {
	l := fakestub.NewLedger()
	putPlan(t, l, domain.ExampleCosmeticsBatchPlan("CREAM-50ML"))
	batch := "88.118.8/B20260301"
	putItem(t, l, domain.Item{ID: batch, Kind: domain.KindBatch, Industry: domain.IndustryCosmetics, Model: "CREAM-50ML"})
	putItem(t, l, domain.Item{ID: "88.118.8/JAR-1", Kind: domain.KindUnit, Industry: domain.IndustryCosmetics, Model: "CREAM-50ML", Parent: batch})
	link(t, l, objRel, batch, "88.118.8/JAR-1")
	if _, err := inspect(t, l, batch, "", v("TPC_CFU_G", 1000), v("PH", 4.0), v("PB_MG_KG", 10), v("HG_MG_KG", 1), b("FILING_NO", true)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := release(t, l, who(t, makerMSP, domain.RoleQA), batch); err != nil {
		t.Fatalf("batch with a passing own inspection: %v", err)
	}
}

// recallChain builds material lot → batch → case → jars (three levels).
func recallChain(t *testing.T) *fakestub.Ledger {
	l := fakestub.NewLedger()
	mat := "88.300.1/MAT-7"
	putItem(t, l, domain.Item{ID: mat, Kind: domain.KindMaterialLot, Industry: domain.IndustryCosmetics, Owner: "SupplierMSP"})
	putItem(t, l, domain.Item{ID: "88.118.8/B1", Kind: domain.KindBatch, Industry: domain.IndustryCosmetics, Inputs: []domain.Input{{ID: mat}}})
	putItem(t, l, domain.Item{ID: "88.118.8/CASE-1", Kind: domain.KindCase, Industry: domain.IndustryCosmetics, Parent: "88.118.8/B1"})
	link(t, l, objRelIn, mat, "88.118.8/B1")
	link(t, l, objRel, "88.118.8/B1", "88.118.8/CASE-1")
	for _, j := range []string{"88.118.8/JAR-1", "88.118.8/JAR-2"} {
		putItem(t, l, domain.Item{ID: j, Kind: domain.KindUnit, Industry: domain.IndustryCosmetics, Parent: "88.118.8/CASE-1"})
		link(t, l, objRel, "88.118.8/CASE-1", j)
	}
	return l
}

func TestRecallReachesEveryDescendant(t *testing.T) {
	l := recallChain(t)
	s, err := recall(t, l, who(t, regulatorMSP, domain.RoleRegulator), "88.300.1/MAT-7")
	if err != nil {
		t.Fatal(err)
	}
	ev := onlyEvent(t, s)
	want := []string{"88.300.1/MAT-7", "88.118.8/B1", "88.118.8/CASE-1", "88.118.8/JAR-1", "88.118.8/JAR-2"}
	if ev.Type != EvItemRecalled || !reflect.DeepEqual(ev.IDs, want) {
		t.Fatalf("event %+v, want ids %v", ev, want)
	}
	k, _ := RecallKey("88.300.1/MAT-7")
	// append-only: every org to change or delete it, the owner alone never
	if p, _ := describePolicy(l.ValidationParameter(k)); l.State(k) == nil || p != allOrgs {
		t.Fatalf("recall record missing or under policy %q", p)
	}
	if l.PrivateData(AnchorCollection(regulatorMSP), k) == nil {
		t.Fatal("recall not anchored by the recalling regulator")
	}
	for _, w := range s.Writes() {
		if w.Key != k { // the recall key, its policy and its anchor
			t.Fatalf("recall wrote %q besides the recall key", w.Key)
		}
	}
	// A jar three levels down reads as recalled: it can no longer be released.
	_, _, err = release(t, l, who(t, makerMSP, domain.RoleQA), "88.118.8/JAR-2")
	wantCode(t, err, domain.CodeConflict)
	_, err = recall(t, l, who(t, regulatorMSP, domain.RoleRegulator), "88.300.1/MAT-7")
	wantCode(t, err, domain.CodeConflict)
}

func TestRecallWho(t *testing.T) {
	tests := []struct {
		name string
		id   *fakestub.Identity
		code domain.Code
	}{
		{"the owner's qa recalls", who(t, makerMSP, domain.RoleQA), ""},
		{"a regulator recalls another org's item", who(t, regulatorMSP, domain.RoleRegulator), ""},
		{"the owner's operator may not recall", who(t, makerMSP, domain.RoleOperator), domain.CodeForbidden},
		{"another org's qa may not recall", who(t, partnerMSP, domain.RoleQA), domain.CodeForbidden},
		{"a regulator role outside a regulator org is refused", who(t, partnerMSP, domain.RoleRegulator), domain.CodeForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := recall(t, recallChain(t), tt.id, "88.118.8/B1")
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantCode(t, err, tt.code)
		})
	}
}

func storeDetail(tb testing.TB, l *fakestub.Ledger, by *fakestub.Identity, id string, data []byte) (*fakestub.Stub, error) {
	tb.Helper()
	stub := l.NewTx(by)
	if data != nil {
		stub.SetTransient(TransientDetail, data)
	}
	ctx, err := fakestub.Context(stub)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := NewQualityContract().storeDetail(ctx, id, string(domain.CategoryInspectionDetail)); err != nil {
		return stub, err
	}
	return stub, stub.Commit()
}

func TestStoreDetail(t *testing.T) {
	detail := []byte(`{"curve":[0.01,0.02,0.05],"calibration":"CAL-2026-01"}`)
	l := stoveLedger(t)
	if _, err := inspect(t, l, stove1, sha256Hex(detail), stovePass()...); err != nil {
		t.Fatal(err)
	}
	insp := who(t, makerMSP, domain.RoleInspector)
	t.Run("bytes that do not match the public hash are refused", func(t *testing.T) {
		_, err := storeDetail(t, l, insp, stove1, []byte("tampered"))
		wantCode(t, err, domain.CodeConflict)
	})
	t.Run("no transient detail is invalid", func(t *testing.T) {
		_, err := storeDetail(t, l, insp, stove1, nil)
		wantCode(t, err, domain.CodeInvalid)
	})
	t.Run("another org may not store", func(t *testing.T) {
		_, err := storeDetail(t, l, who(t, partnerMSP, domain.RoleInspector), stove1, detail)
		wantCode(t, err, domain.CodeForbidden)
	})
	t.Run("an item without a public hash is a conflict", func(t *testing.T) {
		_, err := storeDetail(t, l, insp, stove2, detail)
		wantCode(t, err, domain.CodeConflict)
	})
	t.Run("matching bytes go to the owner's implicit collection only", func(t *testing.T) {
		s, err := storeDetail(t, l, insp, stove1, detail)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range s.Writes() {
			if w.Collection != "_implicit_org_"+makerMSP {
				t.Fatalf("write outside the implicit collection: %+v", w)
			}
		}
		k, _ := DetailKey(domain.CategoryInspectionDetail, stove1)
		if got := l.PrivateData("_implicit_org_"+makerMSP, k); string(got) != string(detail) {
			t.Fatalf("stored %q", got)
		}
		ev := s.Events[len(s.Events)-1]
		if strings.Contains(string(ev.Payload), "calibration") {
			t.Fatal("event leaks private detail")
		}
	})
}
