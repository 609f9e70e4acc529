package chaincode

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/chaincode/internal/fakestub"
	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/epcis"
)

// Records a majority of orgs could write without the responsible org (the
// attacks of test/adversary: enterprise_test.go, epcis_test.go), written
// here straight into the fake ledger without an anchor.

// TestUnanchoredPrefixAssignmentGivesNoEnterprise: an unanchored pfxent
// record handing the org's own prefix to one of its enterprises is no
// assignment: the org's users keep the prefix, the enterprise gets nothing.
func TestUnanchoredPrefixAssignmentGivesNoEnterprise(t *testing.T) {
	l, a, _, _ := entWorld(t)
	mustTx(t, l, who(t, platformMSP, domain.RoleAdmin), func(ctx contractapi.TransactionContextInterface) error {
		_, err := NewRegistryContract().assignPrefix(ctx, "88.118.78", makerMSP)
		return err
	})
	k, _ := key(objPfxEnt, "88.118.78")
	b, _ := json.Marshal(domain.EnterprisePrefix{Kind: domain.PrefixKindHandle, Prefix: "88.118.78", Enterprise: a, Org: makerMSP})
	l.PutState(k, b)
	s := l.NewTx(who(t, makerMSP, domain.RoleOperator))
	if ent, err := PrefixEnterprise(s, "88.118.78"); err != nil || ent != "" {
		t.Fatalf("PrefixEnterprise of an unanchored assignment = %q, %v", ent, err)
	}
	if err := requirePrefixOwner(Caller{MSP: makerMSP, stub: s, ents: entCache{}}, makerMSP, "88.118.78", "register"); err != nil {
		t.Fatalf("the org's own user under its own prefix: %v", err)
	}
	if err := requirePrefixOwner(Caller{MSP: makerMSP, Enterprise: a, stub: s, ents: entCache{}}, makerMSP, "88.118.78", "register"); err == nil {
		t.Fatalf("enterprise A acts under the org's prefix on an unanchored assignment")
	}
}

// TestPlantedEnterpriseIndexesListNothing: index entries (no policy) that
// list A under PartnerMSP, or C's prefix under A, list nothing.
func TestPlantedEnterpriseIndexesListNothing(t *testing.T) {
	l, a, _, c := entWorld(t)
	mustTx(t, l, who(t, platformMSP, domain.RoleAdmin), func(ctx contractapi.TransactionContextInterface) error {
		_, err := NewEnterpriseContract().assignEnterprisePrefix(ctx, "88.118.99", c)
		return err
	})
	k1, _ := key(objEntOrg, partnerMSP, a)
	k2, _ := key(objEntPfx, a, domain.PrefixKindHandle, "88.118.99")
	l.PutState(k1, marker)
	l.PutState(k2, marker)
	op := who(t, makerMSP, domain.RoleOperator)
	page, _, err := entCall(t, l, op, func(k *EnterpriseContract, ctx contractapi.TransactionContextInterface) (*domain.Page[domain.Enterprise], error) {
		return k.listEnterprises(ctx, partnerMSP, "", "")
	})
	if err != nil || len(page.Records) != 1 || page.Records[0].ID != c {
		t.Fatalf("PartnerMSP's enterprises %+v, %v", page, err)
	}
	list, _, err := entCall(t, l, op, func(k *EnterpriseContract, ctx contractapi.TransactionContextInterface) ([]domain.EnterprisePrefix, error) {
		return k.listEnterprisePrefixes(ctx, a)
	})
	if err != nil || len(list) != 0 {
		t.Fatalf("A's prefixes %+v, %v", list, err)
	}
}

// TestPutPlanOverwritesAnUnanchoredCopy: a copy of the plan the owner is
// about to put, written without the owner's anchor, is not the plan in
// force; the owner's put writes (and anchors) its own.
func TestPutPlanOverwritesAnUnanchoredCopy(t *testing.T) {
	l, a, _, _ := entWorld(t)
	p := planMax("M-COPY", 1)
	forged := p
	forged.Owner, forged.Enterprise, forged.Version, forged.UpdatedBy = makerMSP, a, 7, "forged"
	k, _ := PlanKey(makerMSP, a, p.Model)
	b, _ := json.Marshal(forged)
	l.PutState(k, b)
	if _, err := getPlanOf(t, l, makerMSP, a, p.Model); domain.CodeOf(err) != domain.CodeNotFound {
		t.Fatalf("an unanchored plan reads %v", err)
	}
	got, err := putPlanAs(t, l, entUser(t, makerMSP, domain.RoleQA, a), p)
	if err != nil || got.Version != 1 || got.UpdatedBy == "forged" {
		t.Fatalf("the owner's put over the copy: %+v, %v", got, err)
	}
	if in, err := getPlanOf(t, l, makerMSP, a, p.Model); err != nil || in.UpdatedBy == "forged" {
		t.Fatalf("the plan in force: %+v, %v", in, err)
	}
}

// TestCaptureJobsAreTheCapturingOrgs: another org's chunk under the id of
// the maker's running job neither blocks the maker's next chunk nor shows
// in the maker's (or a regulator's) view of the job.
func TestCaptureJobsAreTheCapturingOrgs(t *testing.T) {
	l := fakestub.NewLedger()
	maker, partner := who(t, makerMSP, domain.RoleOperator), who(t, partnerMSP, domain.RoleOperator)
	events := exampleEvents(t)[:3]
	if _, err := captureJob(t, l, maker, events[:1], epcis.CaptureOptions{JobID: "J", Offset: 0, Total: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := captureJob(t, l, partner, events[2:3], epcis.CaptureOptions{JobID: "J", Offset: 1, Total: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := captureJob(t, l, maker, events[1:2], epcis.CaptureOptions{JobID: "J", Offset: 1, Total: 2}); err != nil {
		t.Fatalf("the maker's second chunk: %v", err)
	}
	first, _ := epcis.Options{}.NewRecord(events[0])
	second, _ := epcis.Options{}.NewRecord(events[1])
	for _, id := range []*fakestub.Identity{maker, who(t, regulatorMSP, domain.RoleRegulator)} {
		j := readJob(t, l, id, "J")
		if len(j.Outcomes) != 2 || j.Outcomes[0].EventID != first.EventID || j.Outcomes[1].EventID != second.EventID || j.FinishedAt == "" {
			t.Fatalf("the maker's job as %s: %+v", id.MSP, j)
		}
	}
	if j := readJob(t, l, partner, "J"); len(j.Outcomes) != 1 || j.FinishedAt != "" {
		t.Fatalf("the partner's own chunk: %+v", j)
	}
	if p := listJobs(t, l, maker, "", 10); len(p.Jobs) != 1 || len(p.Jobs[0].Outcomes) != 2 || p.Jobs[0].FinishedAt == "" {
		t.Fatalf("the maker's job list: %+v", p.Jobs)
	}
	if p := listJobs(t, l, who(t, regulatorMSP, domain.RoleRegulator), "", 10); len(p.Jobs) != 2 {
		t.Fatalf("the regulator lists the maker's and the partner's job J apart: %+v", p.Jobs)
	}
}

// TestEnterprisePlanCountsOnlyUnderItsHostingOrg: a plan of enterprise A
// (hosted by MakerMSP) under PartnerMSP's key, anchored by PartnerMSP, is no
// plan of A.
func TestEnterprisePlanCountsOnlyUnderItsHostingOrg(t *testing.T) {
	l, a, _, _ := entWorld(t)
	p := planMax("M-FOREIGN", 1)
	p.Owner, p.Enterprise, p.Version = partnerMSP, a, 1
	k, _ := PlanKey(partnerMSP, a, p.Model)
	b, _ := json.Marshal(p)
	l.PutState(k, b)
	l.PutPrivateData(AnchorCollection(partnerMSP), k, []byte("tx"))
	if got, err := getPlanOf(t, l, partnerMSP, a, p.Model); domain.CodeOf(err) != domain.CodeNotFound {
		t.Fatalf("A's plan under PartnerMSP: %+v, %v", got, err)
	}
	if _, err := putPlanAs(t, l, entUser(t, makerMSP, domain.RoleQA, a), planMax("M-FOREIGN", 2)); err != nil {
		t.Fatal(err)
	}
	if got, err := getPlanOf(t, l, makerMSP, a, p.Model); err != nil || got.Owner != makerMSP {
		t.Fatalf("A's own plan: %+v, %v", got, err)
	}
}

// TestRedirectedGS1IndexAnswersNothing: the GS1 index entries (no policy)
// of one unit and of one lot, pointed at another genuine unit or lot of the
// same GTIN, resolve to nothing rather than to the other item.
func TestRedirectedGS1IndexAnswersNothing(t *testing.T) {
	l := newWorld(t)
	mustRegister(t, l, gs1Lot("L-1", "L1"), gs1Lot("L-2", "L2"), gs1Unit("U-1", "S1"), gs1Unit("U-2", "S2"))
	ks, _ := key(objGS1, gtin14, "S1")
	kl, _ := key(objGS1Lot, gtin14, "L1")
	l.PutState(ks, []byte(makerPfx+"/U-2"))
	l.PutState(kl, []byte(makerPfx+"/L-2"))
	for _, q := range [][2]string{{"", "S1"}, {"L1", ""}} {
		if m, err := findByGTIN(t, l, gtin13, q[0], q[1]); domain.CodeOf(err) != domain.CodeNotFound {
			t.Fatalf("lot %q serial %q through a redirected entry: %+v, %v", q[0], q[1], m, err)
		}
	}
	if m, err := findByGTIN(t, l, gtin13, "", "S2"); err != nil || m.ID != makerPfx+"/U-2" {
		t.Fatalf("the other unit: %+v, %v", m, err)
	}
}

// An index entry for a serial nobody registered yet, planted to point at
// another real unit of the GTIN, does not block the serial's registration:
// the holder does not carry that key, so the entry is overwritten.
func TestPlantedGS1EntryForAnUnregisteredSerialIsOverwritten(t *testing.T) {
	l := newWorld(t)
	mustRegister(t, l, gs1Unit("U-1", "S1"))
	ks, _ := key(objGS1, gtin14, "S9")
	l.PutState(ks, []byte(makerPfx+"/U-1"))
	res := mustRegister(t, l, gs1Unit("U-9", "S9"))
	if got := statuses(res); !reflect.DeepEqual(got, []string{"created"}) {
		t.Fatalf("registration of S9 behind a planted entry: %v", got)
	}
	if m, err := findByGTIN(t, l, gtin13, "", "S9"); err != nil || m.ID != makerPfx+"/U-9" {
		t.Fatalf("S9 resolves to %+v, %v", m, err)
	}
}
