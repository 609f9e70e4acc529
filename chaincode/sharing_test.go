package chaincode

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/chaincode/internal/fakestub"
	"github.com/idchain/idchain/domain"
)

// The fake ledger's generated transactions start at 2025-01-01T00:00:01Z.
var day0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

var secretDetail = []byte(`{"earthOhm":[0.031,0.032],"operator":"Zhang","rig":"CAL-7781"}`)

// txAt runs fn as a transaction at an explicit time.
func txAt(tb testing.TB, l *fakestub.Ledger, id *fakestub.Identity, at time.Time, fn func(ctx contractapi.TransactionContextInterface) error) (*fakestub.Stub, error) {
	tb.Helper()
	stub := l.NewTxAt(id, "tx-"+at.Format("150405.000000000")+"-"+id.CN, at)
	ctx, err := fakestub.Context(stub)
	if err != nil {
		tb.Fatal(err)
	}
	if err := fn(ctx); err != nil {
		return stub, err
	}
	return stub, stub.Commit()
}

// sharingLedger: maker owns prefix 88.118.8 and two stoves, stove1 has
// stored inspection detail; partner holds a consent (returned) for the
// prefix valid for 30 days from day0.
func sharingLedger(t *testing.T) (*fakestub.Ledger, *domain.Consent) {
	t.Helper()
	l := stoveLedger(t)
	pk, _ := PrefixKey("88.118.8")
	pb, _ := json.Marshal(domain.Prefix{Prefix: "88.118.8", Owner: makerMSP})
	putAnchored(l, platformMSP, pk, pb)
	if _, err := inspect(t, l, stove1, sha256Hex(secretDetail), stovePass()...); err != nil {
		t.Fatal(err)
	}
	if _, err := storeDetail(t, l, who(t, makerMSP, domain.RoleInspector), stove1, secretDetail); err != nil {
		t.Fatal(err)
	}
	cs, err := grant(t, l, who(t, makerMSP, domain.RoleQA), domain.ConsentInput{
		Grantee: partnerMSP, Categories: []domain.Category{domain.CategoryInspectionDetail},
		Subjects: []string{"88.118.8"}, Purpose: "supplier quality audit",
		ValidUntil: domain.FormatTime(day0.AddDate(0, 0, 30)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return l, cs
}

func grant(tb testing.TB, l *fakestub.Ledger, by *fakestub.Identity, in domain.ConsentInput) (*domain.Consent, error) {
	tb.Helper()
	arg, _ := json.Marshal(in)
	var out *domain.Consent
	_, err := tx(tb, l, by, func(ctx contractapi.TransactionContextInterface) (err error) {
		out, err = NewSharingContract().grantConsent(ctx, string(arg))
		return err
	})
	return out, err
}

func recordAccess(tb testing.TB, l *fakestub.Ledger, by *fakestub.Identity, at time.Time, subject string, cat domain.Category, consent string) (*domain.AccessRecord, *fakestub.Stub, error) {
	tb.Helper()
	var out *domain.AccessRecord
	s, err := txAt(tb, l, by, at, func(ctx contractapi.TransactionContextInterface) (err error) {
		out, err = NewSharingContract().recordAccess(ctx, subject, string(cat), consent, "")
		return err
	})
	return out, s, err
}

func readShared(tb testing.TB, l *fakestub.Ledger, by *fakestub.Identity, at time.Time, accessID string) (*domain.SharedDetail, error) {
	tb.Helper()
	var out *domain.SharedDetail
	_, err := txAt(tb, l, by, at, func(ctx contractapi.TransactionContextInterface) (err error) {
		out, err = NewSharingContract().readShared(ctx, accessID)
		return err
	})
	return out, err
}

func TestGrantConsent(t *testing.T) {
	l, cs := sharingLedger(t)
	if cs.Grantor != makerMSP || cs.GrantorUser != "qa@MakerMSP" || cs.ID == "" || cs.ValidFrom == "" {
		t.Fatalf("consent %+v", cs)
	}
	k, _ := key(objConsent, cs.ID)
	if orgs, _ := describePolicy(l.ValidationParameter(k)); orgs != owned(makerMSP) {
		t.Fatalf("consent SBE %v", orgs)
	}
	in := domain.ConsentInput{Grantee: "ThirdMSP", Categories: []domain.Category{domain.CategoryInspectionDetail},
		Subjects: []string{stove1}, Purpose: "resale", ValidUntil: domain.FormatTime(day0.AddDate(1, 0, 0))}
	tests := []struct {
		name   string
		by     *fakestub.Identity
		change func(*domain.ConsentInput)
		code   domain.Code
	}{
		{"a grantee may not grant onward", who(t, partnerMSP, domain.RoleQA), func(*domain.ConsentInput) {}, domain.CodeForbidden},
		{"a grantee may not widen to the prefix", who(t, partnerMSP, domain.RoleAdmin), func(c *domain.ConsentInput) { c.Subjects = []string{"88.118.8"} }, domain.CodeForbidden},
		{"the owner may not grant on a broader unassigned prefix", who(t, makerMSP, domain.RoleQA), func(c *domain.ConsentInput) { c.Subjects = []string{"88.118"} }, domain.CodeForbidden},
		{"the owner's operator may not grant", who(t, makerMSP, domain.RoleOperator), func(*domain.ConsentInput) {}, domain.CodeForbidden},
		{"granting to oneself is invalid", who(t, makerMSP, domain.RoleQA), func(c *domain.ConsentInput) { c.Grantee = makerMSP }, domain.CodeInvalid},
		{"the owner grants on a registered item", who(t, makerMSP, domain.RoleAdmin), func(*domain.ConsentInput) {}, ""},
		{"the owner grants on a sub-prefix of its prefix", who(t, makerMSP, domain.RoleQA), func(c *domain.ConsentInput) { c.Subjects = []string{"88.118.8.9"} }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := in
			tt.change(&c)
			_, err := grant(t, l, tt.by, c)
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

func TestListConsentsByDirection(t *testing.T) {
	l, cs := sharingLedger(t)
	list := func(org, dir string) []domain.Consent {
		var out []domain.Consent
		mustTx(t, l, who(t, org, domain.RoleQA), func(ctx contractapi.TransactionContextInterface) (err error) {
			out, err = NewSharingContract().listConsents(ctx, dir)
			return err
		})
		return out
	}
	if got := list(makerMSP, "granted"); len(got) != 1 || got[0].ID != cs.ID {
		t.Fatalf("granted %+v", got)
	}
	if got := list(partnerMSP, "received"); len(got) != 1 || got[0].ID != cs.ID {
		t.Fatalf("received %+v", got)
	}
	if got := list(partnerMSP, "granted"); len(got) != 0 {
		t.Fatalf("partner granted %+v", got)
	}
}

func TestRecordAccessRules(t *testing.T) {
	partner := who(t, partnerMSP, domain.RoleOperator)
	inWindow := day0.Add(time.Hour)
	tests := []struct {
		name    string
		by      *fakestub.Identity
		at      time.Time
		subject string
		cat     domain.Category
		consent bool
		setup   func(*testing.T, *fakestub.Ledger, *domain.Consent)
		code    domain.Code
	}{
		{"an active consent covering the subject allows it", partner, inWindow, stove1, domain.CategoryInspectionDetail, true, nil, ""},
		{"an expired consent is refused", partner, day0.AddDate(0, 0, 31), stove1, domain.CategoryInspectionDetail, true, nil, domain.CodeForbidden},
		{"a not-yet-valid consent is refused", partner, day0.Add(-time.Hour), stove1, domain.CategoryInspectionDetail, true, nil, domain.CodeForbidden},
		{"a revoked consent is refused", partner, inWindow, stove1, domain.CategoryInspectionDetail, true, revoke, domain.CodeForbidden},
		{"a category outside the consent is refused", partner, inWindow, stove1, domain.CategoryFormula, true, nil, domain.CodeForbidden},
		{"a third org cannot use the partner's consent", who(t, "ThirdMSP", domain.RoleOperator), inWindow, stove1, domain.CategoryInspectionDetail, true, nil, domain.CodeForbidden},
		{"without a consent a member is refused", partner, inWindow, stove1, domain.CategoryInspectionDetail, false, nil, domain.CodeForbidden},
		{"a regulator has standing access", who(t, regulatorMSP, domain.RoleRegulator), inWindow, stove1, domain.CategoryInspectionDetail, false, nil, ""},
		{"a regulator has no standing access to formulas", who(t, regulatorMSP, domain.RoleRegulator), inWindow, stove1, domain.CategoryFormula, false, nil, domain.CodeForbidden},
		{"a subject without detail is not found", partner, inWindow, stove2, domain.CategoryInspectionDetail, true, nil, domain.CodeNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, cs := sharingLedger(t)
			if tt.setup != nil {
				tt.setup(t, l, cs)
			}
			id := ""
			if tt.consent {
				id = cs.ID
			}
			rec, s, err := recordAccess(t, l, tt.by, tt.at, tt.subject, tt.cat, id)
			if tt.code != "" {
				wantCode(t, err, tt.code)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rec.Accessor != tt.by.MSP || rec.User != tt.by.CN || rec.Subject != tt.subject || rec.Owner != makerMSP || rec.Purpose == "" {
				t.Fatalf("record %+v", rec)
			}
			ev := onlyEvent(t, s)
			out, _ := json.Marshal(rec)
			if strings.Contains(string(out)+string(s.Events[0].Payload), "CAL-7781") || ev.Type != EvAccessRecorded {
				t.Fatal("private detail in the response or event")
			}
		})
	}
}

func revoke(t *testing.T, l *fakestub.Ledger, cs *domain.Consent) {
	t.Helper()
	mustTx(t, l, who(t, makerMSP, domain.RoleQA), func(ctx contractapi.TransactionContextInterface) error {
		_, err := NewSharingContract().revokeConsent(ctx, cs.ID)
		return err
	})
}

func TestRevokeConsent(t *testing.T) {
	l, cs := sharingLedger(t)
	_, err := tx(t, l, who(t, partnerMSP, domain.RoleQA), func(ctx contractapi.TransactionContextInterface) error {
		_, err := NewSharingContract().revokeConsent(ctx, cs.ID)
		return err
	})
	wantCode(t, err, domain.CodeForbidden)
	revoke(t, l, cs)
	_, err = tx(t, l, who(t, makerMSP, domain.RoleQA), func(ctx contractapi.TransactionContextInterface) error {
		_, err := NewSharingContract().revokeConsent(ctx, cs.ID)
		return err
	})
	wantCode(t, err, domain.CodeConflict)
}
