package chaincode

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/chaincode/internal/fakestub"
	"github.com/idchain/idchain/domain"
)

// planMax is a one-item plan for model M: X must be at most max.
func planMax(model string, max float64) domain.Plan {
	return domain.Plan{Model: model, Industry: domain.IndustryGeneric,
		Items: []domain.PlanItem{{Code: "X", Name: "x", Unit: "mm", Max: f64p(max), Required: true}}}
}

func putPlanAs(tb testing.TB, l *fakestub.Ledger, id *fakestub.Identity, p domain.Plan) (*domain.Plan, error) {
	tb.Helper()
	b, _ := json.Marshal(p)
	var out *domain.Plan
	_, err := tx(tb, l, id, func(ctx contractapi.TransactionContextInterface) (err error) {
		out, err = NewQualityContract().putPlan(ctx, string(b))
		return err
	})
	return out, err
}

func inspectAs(tb testing.TB, l *fakestub.Ledger, id *fakestub.Identity, item string, x float64) *domain.InspectionResult {
	tb.Helper()
	in, _ := json.Marshal(domain.InspectionInput{ID: item, Results: []domain.TestResult{v("X", x)}})
	var out *domain.InspectionResult
	mustTx(tb, l, id, func(ctx contractapi.TransactionContextInterface) (err error) {
		out, err = NewQualityContract().recordInspection(ctx, string(in), "")
		return err
	})
	return out
}

func getPlanOf(tb testing.TB, l *fakestub.Ledger, owner, ent, model string) (*domain.Plan, error) {
	tb.Helper()
	var out *domain.Plan
	_, err := tx(tb, l, who(tb, partnerMSP, ""), func(ctx contractapi.TransactionContextInterface) (err error) {
		out, err = NewQualityContract().getPlan(ctx, owner, ent, model)
		return err
	})
	return out, err
}

// TestPlansPerEnterprise: two enterprises of MakerMSP and the org itself put
// different plans for the same model; each item is judged (inspection and
// release gate) by the plan of its owning org and enterprise, and one
// enterprise's QA cannot change another's plan.
func TestPlansPerEnterprise(t *testing.T) {
	l, a, b, _ := entWorld(t)
	assignEnterprisePrefixes(t, l, map[string]string{"88.118.77": a, "88.118.88": b})
	const model = "M-1"
	itemA, itemB, itemO := "88.118.77/A1", "88.118.88/B1", "88.118.8/O1"
	for _, id := range []string{itemA, itemB, itemO} {
		putItem(t, l, domain.Item{ID: id, Kind: domain.KindUnit, Industry: domain.IndustryGeneric, Model: model})
	}
	qaA, qaB, qaOrg := entUser(t, makerMSP, domain.RoleQA, a), entUser(t, makerMSP, domain.RoleQA, b), who(t, makerMSP, domain.RoleQA)
	for _, c := range []struct {
		id  *fakestub.Identity
		max float64
		ent string
	}{{qaA, 1, a}, {qaB, 10, b}, {qaOrg, 2, ""}} {
		p, err := putPlanAs(t, l, c.id, planMax(model, c.max))
		if err != nil || p.Version != 1 || p.Owner != makerMSP || p.Enterprise != c.ent {
			t.Fatalf("put plan of %q: %+v %v", c.ent, p, err)
		}
		k, _ := PlanKey(makerMSP, c.ent, model)
		if orgs, _ := describePolicy(l.ValidationParameter(k)); orgs != owned(makerMSP) {
			t.Fatalf("plan of %q: SBE orgs = %v", c.ent, orgs)
		}
		if len(l.PrivateData(AnchorCollection(makerMSP), k)) == 0 {
			t.Fatalf("plan of %q is not anchored by %s", c.ent, makerMSP)
		}
	}
	// X = 3: fails A's plan (max 1) and the org's (max 2), passes B's (max 10).
	inA := inspectAs(t, l, entUser(t, makerMSP, domain.RoleInspector, a), itemA, 3)
	inB := inspectAs(t, l, entUser(t, makerMSP, domain.RoleInspector, b), itemB, 3)
	inO := inspectAs(t, l, who(t, makerMSP, domain.RoleInspector), itemO, 3)
	if inA.Passed || !inB.Passed || inO.Passed {
		t.Fatalf("judgements A %+v, B %+v, org %+v", inA, inB, inO)
	}
	// A's QA puts a looser plan: only A's plan changes.
	p, err := putPlanAs(t, l, qaA, planMax(model, 100))
	if err != nil || p.Version != 2 || p.Enterprise != a {
		t.Fatalf("A's second plan: %+v %v", p, err)
	}
	if pb, err := getPlanOf(t, l, makerMSP, b, model); err != nil || pb.Version != 1 || *pb.Items[0].Max != 10 || pb.Enterprise != b {
		t.Fatalf("B's plan after A's put: %+v %v", pb, err)
	}
	if po, err := getPlanOf(t, l, makerMSP, "", model); err != nil || po.Version != 1 || *po.Items[0].Max != 2 {
		t.Fatalf("org plan after A's put: %+v %v", po, err)
	}
	// A user of B on another org may not write B's plan.
	_, err = putPlanAs(t, l, entUser(t, partnerMSP, domain.RoleQA, b), planMax(model, 1000))
	wantCode(t, err, domain.CodeForbidden)
	// X = 20: passes A's new plan, fails B's; the org's plan still judges org items.
	inA = inspectAs(t, l, entUser(t, makerMSP, domain.RoleInspector, a), itemA, 20)
	inB = inspectAs(t, l, entUser(t, makerMSP, domain.RoleInspector, b), itemB, 20)
	if !inA.Passed || inA.PlanVersion != 2 || inB.Passed || inB.PlanVersion != 1 {
		t.Fatalf("after A's change: A %+v, B %+v", inA, inB)
	}
	if _, err := putPlanAs(t, l, qaOrg, planMax(model, 4)); err != nil {
		t.Fatal(err)
	}
	if inO = inspectAs(t, l, who(t, makerMSP, domain.RoleInspector), itemO, 3); !inO.Passed || inO.PlanVersion != 2 {
		t.Fatalf("org item under the org's new plan: %+v", inO)
	}
	// The release gate uses the same plans (lower-case USCC reads too).
	if p, err := getPlanOf(t, l, makerMSP, strings.ToLower(a), model); err != nil || p.Version != 2 {
		t.Fatalf("GetEnterprisePlan by lower-case USCC: %+v %v", p, err)
	}
	g := newGate(l.NewTx(who(t, makerMSP, domain.RoleQA)))
	for id, pass := range map[string]bool{itemA: true, itemB: false, itemO: true} {
		blk, err := g.check(domain.Item{ID: id, Owner: makerMSP, Model: model})
		if err != nil || (blk.Reason == "" && len(blk.Failed) == 0 && len(blk.Missing) == 0) != pass {
			t.Fatalf("gate %s: %+v %v, want pass %v", id, blk, err, pass)
		}
	}
}
