package chaincode

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/chaincode/internal/fakestub"
	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
)

// mustUSCC builds a valid enterprise USCC (authority 9, type 1, Shenzhen)
// from an eight-character organisation code body.
func mustUSCC(tb testing.TB, body string) string {
	tb.Helper()
	oc, err := identifier.OrgCodeCheck(body)
	if err != nil {
		tb.Fatal(err)
	}
	first := "91440300" + body + string(oc)
	c, err := identifier.USCCCheck(first)
	if err != nil {
		tb.Fatal(err)
	}
	return first + string(c)
}

// entUser returns an identity of org with role acting for enterprise ent.
func entUser(tb testing.TB, org, role, ent string) *fakestub.Identity {
	tb.Helper()
	k := org + "/" + role + "/" + ent
	if id, ok := ids[k]; ok {
		return id
	}
	id, err := fakestub.NewIdentityAttrs(org, role+"."+ent+"@"+org, map[string]string{domain.RoleAttr: role, domain.EnterpriseAttr: ent})
	if err != nil {
		tb.Fatal(err)
	}
	ids[k] = id
	return id
}

func createEnterprise(tb testing.TB, l *fakestub.Ledger, id *fakestub.Identity, in domain.EnterpriseInput) (*domain.Enterprise, *fakestub.Stub, error) {
	tb.Helper()
	b, err := json.Marshal(in)
	if err != nil {
		tb.Fatal(err)
	}
	var e *domain.Enterprise
	s, err := tx(tb, l, id, func(ctx contractapi.TransactionContextInterface) (err error) {
		e, err = NewEnterpriseContract().createEnterprise(ctx, string(b))
		return err
	})
	return e, s, err
}

// entWorld is a ledger with two enterprises hosted by MakerMSP (A, B) and
// one by PartnerMSP (C).
func entWorld(tb testing.TB) (l *fakestub.Ledger, a, b, c string) {
	tb.Helper()
	l = fakestub.NewLedger()
	a, b, c = mustUSCC(tb, "MA000001"), mustUSCC(tb, "MA000002"), mustUSCC(tb, "MA000003")
	admin := who(tb, platformMSP, domain.RoleAdmin)
	for _, e := range []domain.EnterpriseInput{
		{ID: a, Name: "深圳甲美妆有限公司", Industries: []domain.Industry{domain.IndustryCosmetics}, Org: makerMSP},
		{ID: b, Name: "深圳乙美妆有限公司", Industries: []domain.Industry{domain.IndustryCosmetics}, Org: makerMSP},
		{ID: c, Name: "丙电路板有限公司", Industries: []domain.Industry{domain.IndustryPCB}, Org: partnerMSP},
	} {
		if _, _, err := createEnterprise(tb, l, admin, e); err != nil {
			tb.Fatal(err)
		}
	}
	return l, a, b, c
}

func TestCreateEnterprise(t *testing.T) {
	good := func(id string) domain.EnterpriseInput {
		return domain.EnterpriseInput{ID: id, Name: " 新企业 ", Industries: []domain.Industry{domain.IndustryPCB, domain.IndustryCosmetics, domain.IndustryPCB}, Org: platformMSP}
	}
	fresh := mustUSCC(t, "MA000009")
	tests := []struct {
		name string
		id   *fakestub.Identity
		in   domain.EnterpriseInput
		code domain.Code
	}{
		{"the authority admin creates an enterprise", who(t, platformMSP, domain.RoleAdmin), good(fresh), ""},
		{"a lower-case USCC is accepted", who(t, platformMSP, domain.RoleAdmin), good(strings.ToLower(fresh)), ""},
		{"an existing id conflicts", who(t, platformMSP, domain.RoleAdmin), good(mustUSCC(t, "MA000001")), domain.CodeConflict},
		{"a bad check character is an invalid identifier", who(t, platformMSP, domain.RoleAdmin), good(fresh[:17] + "0"), domain.CodeInvalidIdentifier},
		{"an unknown industry is invalid", who(t, platformMSP, domain.RoleAdmin), domain.EnterpriseInput{ID: fresh, Name: "x", Industries: []domain.Industry{"toys"}, Org: makerMSP}, domain.CodeInvalid},
		{"no hosting org is invalid", who(t, platformMSP, domain.RoleAdmin), domain.EnterpriseInput{ID: fresh, Name: "x", Industries: []domain.Industry{domain.IndustryPCB}}, domain.CodeInvalid},
		{"an authority operator is refused", who(t, platformMSP, domain.RoleOperator), good(fresh), domain.CodeForbidden},
		{"a member org admin is refused", who(t, makerMSP, domain.RoleAdmin), good(fresh), domain.CodeForbidden},
		{"an enterprise admin is refused", entUser(t, makerMSP, domain.RoleAdmin, mustUSCC(t, "MA000001")), good(fresh), domain.CodeForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, _, _, _ := entWorld(t)
			e, s, err := createEnterprise(t, l, tc.id, tc.in)
			if tc.code != "" {
				wantCode(t, err, tc.code)
				if len(s.Writes()) != 0 {
					t.Fatalf("a refused create wrote %v", s.Writes())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := domain.Enterprise{ID: fresh, Name: "新企业", Industries: []domain.Industry{domain.IndustryCosmetics, domain.IndustryPCB},
				Org: platformMSP, Status: domain.EnterpriseActive, CreatedAt: e.CreatedAt, CreatedBy: e.CreatedBy, TxID: s.GetTxID()}
			if fmt.Sprint(*e) != fmt.Sprint(want) {
				t.Fatalf("enterprise = %+v, want %+v", *e, want)
			}
			if !strings.Contains(e.CreatedBy, "CN="+tc.id.CN) {
				t.Fatalf("createdBy %q does not name %s", e.CreatedBy, tc.id.CN)
			}
			k, _ := EnterpriseKey(fresh)
			if pol, _ := describePolicy(l.ValidationParameter(k)); pol != owned(platformMSP) {
				t.Fatalf("enterprise key policy %s, want the authority AND a majority of the others", pol)
			}
			if ok, err := hasAnchor(s, platformMSP, k); err != nil || !ok {
				t.Fatalf("the enterprise record is not anchored by the authority: %v", err)
			}
			if ev := onlyEvent(t, s); ev.Type != EvEnterpriseCreated || fmt.Sprint(ev.IDs) != "["+fresh+"]" {
				t.Fatalf("event %+v", ev)
			}
		})
	}
}

// entCall runs fn as one transaction of id against the enterprise contract.
func entCall[T any](tb testing.TB, l *fakestub.Ledger, id *fakestub.Identity, fn func(*EnterpriseContract, contractapi.TransactionContextInterface) (T, error)) (T, *fakestub.Stub, error) {
	tb.Helper()
	var v T
	s, err := tx(tb, l, id, func(ctx contractapi.TransactionContextInterface) (err error) {
		v, err = fn(NewEnterpriseContract(), ctx)
		return err
	})
	return v, s, err
}

func TestEnterpriseStatusAndList(t *testing.T) {
	l, a, b, c := entWorld(t)
	admin := who(t, platformMSP, domain.RoleAdmin)
	e, _, err := entCall(t, l, admin, func(k *EnterpriseContract, ctx contractapi.TransactionContextInterface) (*domain.Enterprise, error) {
		return k.setEnterpriseStatus(ctx, strings.ToLower(a), "suspended")
	})
	if err != nil || e.Status != domain.EnterpriseSuspended || e.ChangedAt == "" || e.ChangedBy == "" {
		t.Fatalf("suspend = %+v, %v", e, err)
	}
	_, _, err = entCall(t, l, admin, func(k *EnterpriseContract, ctx contractapi.TransactionContextInterface) (*domain.Enterprise, error) {
		return k.setEnterpriseStatus(ctx, a, "closed")
	})
	wantCode(t, err, domain.CodeInvalid)
	_, _, err = entCall(t, l, who(t, makerMSP, domain.RoleAdmin), func(k *EnterpriseContract, ctx contractapi.TransactionContextInterface) (*domain.Enterprise, error) {
		return k.setEnterpriseStatus(ctx, a, "active")
	})
	wantCode(t, err, domain.CodeForbidden)
	_, _, err = entCall(t, l, admin, func(k *EnterpriseContract, ctx contractapi.TransactionContextInterface) (*domain.Enterprise, error) {
		return k.getEnterprise(ctx, mustUSCC(t, "MA000077"))
	})
	wantCode(t, err, domain.CodeNotFound)

	// MakerMSP hosts A and B, one per page; PartnerMSP hosts C.
	reader := who(t, partnerMSP, domain.RoleOperator)
	var got []string
	bookmark := ""
	for range 3 {
		p, _, err := entCall(t, l, reader, func(k *EnterpriseContract, ctx contractapi.TransactionContextInterface) (*domain.Page[domain.Enterprise], error) {
			return k.listEnterprises(ctx, makerMSP, "1", bookmark)
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Records {
			got = append(got, e.ID+":"+string(e.Status))
		}
		if bookmark = p.Bookmark; bookmark == "" {
			break
		}
	}
	want := []string{a + ":suspended", b + ":active"}
	if a > b {
		want = []string{b + ":active", a + ":suspended"}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("maker's enterprises %v, want %v", got, want)
	}
	p, _, err := entCall(t, l, reader, func(k *EnterpriseContract, ctx contractapi.TransactionContextInterface) (*domain.Page[domain.Enterprise], error) {
		return k.listEnterprises(ctx, partnerMSP, "", "")
	})
	if err != nil || len(p.Records) != 1 || p.Records[0].ID != c {
		t.Fatalf("partner's enterprises %+v, %v", p, err)
	}
}

func TestAssignEnterprisePrefix(t *testing.T) {
	admin := who(t, platformMSP, domain.RoleAdmin)
	assign := func(l *fakestub.Ledger, id *fakestub.Identity, prefix, ent string) (*domain.EnterprisePrefix, *fakestub.Stub, error) {
		return entCall(t, l, id, func(k *EnterpriseContract, ctx contractapi.TransactionContextInterface) (*domain.EnterprisePrefix, error) {
			return k.assignEnterprisePrefix(ctx, prefix, ent)
		})
	}
	l, a, b, _ := entWorld(t)
	rec, s, err := assign(l, admin, "88.118.77", a)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Enterprise != a || rec.Org != makerMSP || rec.Kind != domain.PrefixKindHandle || rec.TxID != s.GetTxID() {
		t.Fatalf("assignment %+v", rec)
	}
	// The org-level assignment is written in the same transaction.
	if ev := onlyEvent(t, s); ev.Type != EvPrefixAssigned || fmt.Sprint(ev.IDs) != "[88.118.77]" {
		t.Fatalf("event %+v", ev)
	}
	org, err := mustPrefix(t, l, "88.118.77")
	if err != nil || org.Owner != makerMSP {
		t.Fatalf("org-level prefix %+v, %v", org, err)
	}
	if _, _, err := assign(l, admin, "88.118.77", a); err != nil {
		t.Fatalf("assigning again to the same enterprise: %v", err)
	}
	_, s, err = assign(l, admin, "88.118.77", b)
	wantCode(t, err, domain.CodeConflict)
	assignOrgPrefix(t, l, "88.118.78", makerMSP)
	_, _, err = assign(l, admin, "88.118.78", a)
	wantCode(t, err, domain.CodeConflict) // the org's own prefix stays the org's
	_, _, err = assign(l, admin, "88.118.79", mustUSCC(t, "MA000077"))
	wantCode(t, err, domain.CodeNotFound)
	_, _, err = assign(l, who(t, makerMSP, domain.RoleAdmin), "88.118.79", a)
	wantCode(t, err, domain.CodeForbidden)
	_, _, err = assign(l, admin, "88..79", a)
	wantCode(t, err, domain.CodeInvalidIdentifier)

	list, _, err := entCall(t, l, who(t, makerMSP, domain.RoleOperator), func(k *EnterpriseContract, ctx contractapi.TransactionContextInterface) ([]domain.EnterprisePrefix, error) {
		return k.listEnterprisePrefixes(ctx, a)
	})
	if err != nil || len(list) != 1 || list[0].Prefix != "88.118.77" {
		t.Fatalf("A's prefixes %+v, %v", list, err)
	}
	s = l.NewTx(who(t, makerMSP, domain.RoleOperator))
	if ent, err := PrefixEnterprise(s, "88.118.77"); err != nil || ent != a {
		t.Fatalf("PrefixEnterprise = %q, %v", ent, err)
	}
	if ent, err := PrefixEnterprise(s, "88.118.78"); err != nil || ent != "" {
		t.Fatalf("PrefixEnterprise of the org's own prefix = %q, %v", ent, err)
	}
}

func mustPrefix(tb testing.TB, l *fakestub.Ledger, p string) (*domain.Prefix, error) {
	tb.Helper()
	var rec *domain.Prefix
	_, err := tx(tb, l, who(tb, partnerMSP, domain.RoleOperator), func(ctx contractapi.TransactionContextInterface) (err error) {
		rec, err = NewRegistryContract().getPrefix(ctx, p)
		return err
	})
	return rec, err
}

func TestRequireOwnerComparesOrgAndEnterprise(t *testing.T) {
	l, a, b, c := entWorld(t)
	admin := who(t, platformMSP, domain.RoleAdmin)
	assignEnterprisePrefixes(t, l, map[string]string{"88.118.77": a, "88.118.88": b, "88.200.77": c})
	assignOrgPrefix(t, l, "88.118.78", makerMSP)
	mustTx(t, l, admin, func(ctx contractapi.TransactionContextInterface) error {
		_, err := NewEnterpriseContract().setEnterpriseStatus(ctx, b, "suspended")
		return err
	})
	const ofA, ofB, ofOrg, ofC = "88.118.77/U1", "88.118.88/U1", "88.118.78/U1", "88.200.77/U1"
	tests := []struct {
		name      string
		id        *fakestub.Identity
		org, item string
		code      domain.Code
	}{
		{"an org user acts for the org's own records", who(t, makerMSP, domain.RoleOperator), makerMSP, ofOrg, ""},
		{"an enterprise user acts for its enterprise", entUser(t, makerMSP, domain.RoleOperator, a), makerMSP, ofA, ""},
		{"a lower-case attribute still names the enterprise", entUser(t, makerMSP, domain.RoleOperator, strings.ToLower(a)), makerMSP, ofA, ""},
		{"an enterprise user may not act for another enterprise of the same org", entUser(t, makerMSP, domain.RoleOperator, a), makerMSP, ofB, domain.CodeForbidden},
		{"an enterprise user may not act for its org's own records", entUser(t, makerMSP, domain.RoleOperator, a), makerMSP, ofOrg, domain.CodeForbidden},
		{"an org user may not act for an enterprise of the org", who(t, makerMSP, domain.RoleAdmin), makerMSP, ofA, domain.CodeForbidden},
		{"a user of another org may not act, even naming the enterprise", entUser(t, partnerMSP, domain.RoleOperator, a), makerMSP, ofA, domain.CodeForbidden},
		{"an enterprise attribute issued by the wrong org's CA is refused", entUser(t, partnerMSP, domain.RoleOperator, a), partnerMSP, ofA, domain.CodeForbidden},
		{"a suspended enterprise's users may not write", entUser(t, makerMSP, domain.RoleOperator, b), makerMSP, ofB, domain.CodeForbidden},
		{"the partner's enterprise user acts for it", entUser(t, partnerMSP, domain.RoleQA, c), partnerMSP, ofC, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tx(t, l, tc.id, func(ctx contractapi.TransactionContextInterface) error {
				caller, err := callerOf(ctx)
				if err != nil {
					return err
				}
				return requireOwner(caller, tc.org, tc.item, "change")
			})
			if tc.code == "" && err != nil {
				t.Fatal(err)
			}
			if tc.code != "" {
				wantCode(t, err, tc.code)
			}
		})
	}
}

func TestEnterpriseOfItems(t *testing.T) {
	l, a, _, _ := entWorld(t)
	admin := who(t, platformMSP, domain.RoleAdmin)
	mustTx(t, l, admin, func(ctx contractapi.TransactionContextInterface) error {
		_, err := NewEnterpriseContract().assignEnterprisePrefix(ctx, "88.118.77", a)
		return err
	})
	assignOrgPrefix(t, l, "88.118.78", makerMSP)
	s := l.NewTx(who(t, makerMSP, domain.RoleOperator))
	cache := entCache{}
	for id, want := range map[string]string{"88.118.77/U1": a, "88.118.78/U1": "", "88.999.1/X": ""} {
		if got, err := enterpriseOfID(s, cache, id); err != nil || got != want {
			t.Fatalf("enterpriseOfID(%s) = %q, %v; want %q", id, got, err, want)
		}
	}
	if len(cache) != 3 {
		t.Fatalf("cache %v", cache)
	}
	if _, err := enterpriseOfID(s, cache, "no-slash"); err == nil {
		t.Fatal("a malformed id was accepted")
	}
	m, err := makerOf(s, "88.118.77/U1")
	if err != nil || m == nil || m.ID != a || m.Name != "深圳甲美妆有限公司" {
		t.Fatalf("makerOf = %+v, %v", m, err)
	}
	if m, err := makerOf(s, "88.118.78/U1"); err != nil || m != nil {
		t.Fatalf("makerOf an org's own item = %+v, %v", m, err)
	}
}

// TestEnterpriseIsolationOnWrites: two enterprises of MakerMSP; A's users
// register, record events and grant consents only over A's prefix.
func TestEnterpriseIsolationOnWrites(t *testing.T) {
	l, a, b, _ := entWorld(t)
	assignEnterprisePrefixes(t, l, map[string]string{"88.118.77": a, "88.118.88": b})
	opA, opB := entUser(t, makerMSP, domain.RoleOperator, a), entUser(t, makerMSP, domain.RoleOperator, b)
	item := func(id string) domain.ItemInput {
		return domain.ItemInput{ID: id, Kind: domain.KindUnit, Industry: domain.IndustryGeneric}
	}
	res, _, err := register(t, l, opB, item("88.118.88/B1"))
	if err != nil || res.Results[0].Status != domain.ResultCreated {
		t.Fatalf("B registers under its prefix: %+v %v", res, err)
	}
	res, _, err = register(t, l, opA, item("88.118.77/A1"), item("88.118.88/A-squat"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Results[0].Status != domain.ResultCreated || res.Results[1].Status != domain.ResultRejected || res.Results[1].Error.Code != domain.CodeForbidden {
		t.Fatalf("A registering under its own and under B's prefix: %+v", res.Results)
	}
	// The org's own operator (no enterprise) may not register under A's prefix either.
	res, _, err = register(t, l, who(t, makerMSP, domain.RoleOperator), item("88.118.77/org"))
	if err != nil || res.Results[0].Status != domain.ResultRejected {
		t.Fatalf("org user under an enterprise prefix: %+v %v", res, err)
	}
	// Events: A may not commission or decommission B's item.
	for _, typ := range []domain.EventType{domain.EventCommissioning, domain.EventDecommissioning} {
		res, _, err = record(t, l, opA, domain.EventInput{ID: "88.118.88/B1", Type: typ})
		if err == nil && res.Results[0].Status != domain.ResultRejected {
			t.Fatalf("A recorded %s for B's item: %+v", typ, res.Results)
		}
	}
	res, _, err = record(t, l, opB, domain.EventInput{ID: "88.118.88/B1", Type: domain.EventCommissioning})
	if err != nil || res.Results[0].Status == domain.ResultRejected {
		t.Fatalf("B recording its own event: %+v %v", res, err)
	}
	// Consents: A's qa may grant over A's prefix, not over B's; the grant
	// names A; B's qa may not revoke it.
	qaA, qaB := entUser(t, makerMSP, domain.RoleQA, a), entUser(t, makerMSP, domain.RoleQA, b)
	in := func(subject string) domain.ConsentInput {
		return domain.ConsentInput{Grantee: "PartnerMSP", Categories: []domain.Category{domain.CategoryInspectionDetail},
			Subjects: []string{subject}, Purpose: "quality", ValidUntil: "2099-01-01T00:00:00Z"}
	}
	if _, err := grant(t, l, qaA, in("88.118.88")); !errors.Is(err, domain.ErrForbidden) {
		t.Fatalf("A granting over B's prefix: %v", err)
	}
	if _, err := grant(t, l, qaA, in("88.118.88/B1")); !errors.Is(err, domain.ErrForbidden) {
		t.Fatalf("A granting over B's item: %v", err)
	}
	cs, err := grant(t, l, qaA, in("88.118.77"))
	if err != nil || cs.GrantorEnterprise != a {
		t.Fatalf("A granting over its prefix: %+v %v", cs, err)
	}
	_, err = tx(t, l, qaB, func(ctx contractapi.TransactionContextInterface) error {
		_, err := NewSharingContract().revokeConsent(ctx, cs.ID)
		return err
	})
	wantCode(t, err, domain.CodeForbidden)
}

func TestVerifyNamesTheEnterpriseAsMaker(t *testing.T) {
	l, a, _, _ := entWorld(t)
	mustTx(t, l, who(t, platformMSP, domain.RoleAdmin), func(ctx contractapi.TransactionContextInterface) error {
		_, err := NewEnterpriseContract().assignEnterprisePrefix(ctx, "88.118.77", a)
		return err
	})
	res, _, err := register(t, l, entUser(t, makerMSP, domain.RoleOperator, a),
		domain.ItemInput{ID: "88.118.77/V1", Kind: domain.KindUnit, Industry: domain.IndustryGeneric})
	if err != nil || res.Results[0].Status != domain.ResultCreated {
		t.Fatalf("register: %+v %v", res, err)
	}
	var v *domain.Verification
	mustTx(t, l, who(t, platformMSP, domain.RoleAdmin), func(ctx contractapi.TransactionContextInterface) (err error) {
		v, err = NewPublicContract().verify(ctx, "88.118.77/V1")
		return err
	})
	if v.Maker != makerMSP || v.MakerEnterprise == nil || v.MakerEnterprise.ID != a || v.MakerEnterprise.Name != "深圳甲美妆有限公司" {
		t.Fatalf("verify maker %q enterprise %+v", v.Maker, v.MakerEnterprise)
	}
}

// A consent naming an enterprise as grantee is listed as received for that
// enterprise's users (beside their org's), not for the org's own users nor
// for another enterprise of the same org.
func TestConsentsReceivedByAnEnterprise(t *testing.T) {
	l, a, b, c := entWorld(t)
	admin := who(t, platformMSP, domain.RoleAdmin)
	mustTx(t, l, admin, func(ctx contractapi.TransactionContextInterface) error {
		_, err := NewEnterpriseContract().assignEnterprisePrefix(ctx, "88.118.99", c)
		return err
	})
	cs, err := grant(t, l, entUser(t, partnerMSP, domain.RoleQA, c), domain.ConsentInput{Grantee: a,
		Categories: []domain.Category{domain.CategoryInspectionDetail}, Subjects: []string{"88.118.99"},
		Purpose: "benchmark", ValidUntil: "2099-01-01T00:00:00Z"})
	if err != nil {
		t.Fatal(err)
	}
	received := func(id *fakestub.Identity) []string {
		t.Helper()
		var list []domain.Consent
		mustTx(t, l, id, func(ctx contractapi.TransactionContextInterface) (err error) {
			list, err = NewSharingContract().listConsents(ctx, "received")
			return err
		})
		var out []string
		for _, k := range list {
			out = append(out, k.ID)
		}
		return out
	}
	if got := received(entUser(t, makerMSP, domain.RoleOperator, a)); len(got) != 1 || got[0] != cs.ID {
		t.Errorf("A's operator sees %v, want [%s]", got, cs.ID)
	}
	if got := received(entUser(t, makerMSP, domain.RoleOperator, b)); len(got) != 0 {
		t.Errorf("B's operator sees A's consent: %v", got)
	}
	if got := received(who(t, makerMSP, domain.RoleOperator)); len(got) != 0 {
		t.Errorf("the org's own operator sees A's consent: %v", got)
	}
}
