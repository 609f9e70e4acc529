package chaincode

import (
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/chaincode/internal/fakestub"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
)

// gtinUnder returns a valid GTIN-14 whose GS1 company prefix is gcp.
func gtinUnder(tb testing.TB, gcp, ref string) string {
	tb.Helper()
	body := "0" + gcp + ref
	c, err := identifier.CheckDigit(body)
	if err != nil || len(body) != 13 {
		tb.Fatalf("GTIN body %q: %v", body, err)
	}
	return body + string(c)
}

// Two enterprises hosted by the same org: a GCP assigned to one of them
// carries only that enterprise's items — the other enterprise, and the org
// itself, are refused — and FindByGTIN does not answer an item of the wrong
// enterprise planted past the honest code.
func TestEnterpriseGCPIsolation(t *testing.T) {
	l, a, b, _ := entWorld(t)
	admin := who(t, platformMSP, domain.RoleAdmin)
	assignEnterprisePrefixes(t, l, map[string]string{"88.118.77": a, "88.118.88": b})
	assignOrgPrefix(t, l, "88.118.99", makerMSP)
	assign := func(gcp, ent string) (*domain.GCP, error) {
		rec, _, err := entCall(t, l, admin, func(k *EnterpriseContract, ctx contractapi.TransactionContextInterface) (*domain.GCP, error) {
			return k.assignEnterpriseGCP(ctx, gcp, ent)
		})
		return rec, err
	}
	rec, err := assign("6912345", a)
	if err != nil || rec.Owner != makerMSP || rec.Enterprise != a {
		t.Fatalf("GCP for A: %+v %v", rec, err)
	}
	if _, err := assign("6912345", a); err != nil {
		t.Fatalf("the same assignment again: %v", err)
	}
	_, err = assign("6912345", b)
	wantCode(t, err, domain.CodeConflict) // another enterprise of the same org
	_, err = assign("69123456", b)
	wantCode(t, err, domain.CodeConflict) // lies under A's
	_, err = tx(t, l, admin, func(ctx contractapi.TransactionContextInterface) error {
		_, err := NewRegistryContract().assignGCP(ctx, "6912345", makerMSP)
		return err
	})
	wantCode(t, err, domain.CodeConflict) // the org itself
	_, err = assign("6912399", mustUSCC(t, "MA000077"))
	wantCode(t, err, domain.CodeNotFound)

	gtin := gtinUnder(t, "6912345", "00001")
	unit := func(id, serial string) domain.ItemInput {
		return domain.ItemInput{ID: id, Kind: domain.KindUnit, Industry: domain.IndustryGeneric, GTIN: gtin, Serial: serial}
	}
	opA, opB := entUser(t, makerMSP, domain.RoleOperator, a), entUser(t, makerMSP, domain.RoleOperator, b)
	res, _, err := register(t, l, opB, unit("88.118.88/B-squat", "1"))
	if err != nil || res.Results[0].Status != domain.ResultRejected || res.Results[0].Error.Code != domain.CodeForbidden {
		t.Fatalf("B registering A's GTIN: %+v %v", res, err)
	}
	res, _, err = register(t, l, who(t, makerMSP, domain.RoleOperator), unit("88.118.99/org-squat", "2"))
	if err != nil || res.Results[0].Status != domain.ResultRejected || res.Results[0].Error.Code != domain.CodeForbidden {
		t.Fatalf("the org registering A's GTIN: %+v %v", res, err)
	}
	res, _, err = register(t, l, opA, unit("88.118.77/A1", "3"))
	if err != nil || res.Results[0].Status != domain.ResultCreated {
		t.Fatalf("A registering its own GTIN: %+v %v", res, err)
	}

	// B's item carrying A's GTIN, written past the honest code and
	// anchored by the org (which hosts both), is not the GTIN's answer.
	putItem(t, l, domain.Item{ID: "88.118.88/planted", Owner: makerMSP, Kind: domain.KindUnit, Industry: domain.IndustryCosmetics, GTIN: gtin, Serial: "4"})
	gk, _ := key(objGS1, gtin, "4")
	l.PutState(gk, []byte("88.118.88/planted"))
	find := func(serial string) (*domain.GS1Match, error) {
		var m *domain.GS1Match
		_, err := tx(t, l, who(t, partnerMSP, ""), func(ctx contractapi.TransactionContextInterface) (err error) {
			m, err = NewRegistryContract().findByGTIN(ctx, gtin, "", serial)
			return err
		})
		return m, err
	}
	_, err = find("4")
	wantCode(t, err, domain.CodeNotFound)
	if m, err := find("3"); err != nil || m.ID != "88.118.77/A1" {
		t.Fatalf("A's genuine item: %+v %v", m, err)
	}
	// A registers serial 4 itself: the planted holder does not block it.
	res, _, err = register(t, l, opA, unit("88.118.77/A4", "4"))
	if err != nil || res.Results[0].Status != domain.ResultCreated {
		t.Fatalf("A registering over a planted index key: %+v %v", res, err)
	}
}

// assignEnterprisePrefixes assigns 标识 prefixes to enterprises (prefix →
// USCC) as the authority.
func assignEnterprisePrefixes(tb testing.TB, l *fakestub.Ledger, byPrefix map[string]string) {
	tb.Helper()
	for p, ent := range byPrefix {
		mustTx(tb, l, who(tb, platformMSP, domain.RoleAdmin), func(ctx contractapi.TransactionContextInterface) error {
			_, err := NewEnterpriseContract().assignEnterprisePrefix(ctx, p, ent)
			return err
		})
	}
}

// assignOrgPrefix assigns a 标识 prefix to an org itself as the authority.
func assignOrgPrefix(tb testing.TB, l *fakestub.Ledger, prefix, org string) {
	tb.Helper()
	mustTx(tb, l, who(tb, platformMSP, domain.RoleAdmin), func(ctx contractapi.TransactionContextInterface) error {
		_, err := NewRegistryContract().assignPrefix(ctx, prefix, org)
		return err
	})
}
