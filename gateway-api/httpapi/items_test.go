package httpapi

import (
	"net/http"
	"testing"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/ledger"
)

func TestAssignPrefixConflictsWhenAssigned(t *testing.T) {
	a := newTestAPI(t)
	assign := func(owner string) (int, domain.Code) {
		t.Helper()
		rec := a.do("POST", "/v1/prefixes", "platform-admin", `{"prefix":"88.118.50","owner":"`+owner+`"}`)
		if rec.Code == http.StatusCreated {
			return rec.Code, ""
		}
		return rec.Code, errorCode(t, rec)
	}
	if st, _ := assign("MakerMSP"); st != http.StatusCreated {
		t.Fatalf("first assignment: status %d, want 201", st)
	}
	for _, owner := range []string{"MakerMSP", "PartnerMSP"} {
		if st, code := assign(owner); st != http.StatusConflict || code != domain.CodeConflict {
			t.Fatalf("assignment again to %s: status %d %s, want 409 CONFLICT", owner, st, code)
		}
	}
	if n := a.ledger.submitted(ledger.FnAssignPrefix); n != 1 {
		t.Fatalf("%d AssignPrefix transactions, want 1 (refusals are not submitted)", n)
	}
}

func TestAssignPrefixConflictsWhenAssignedConcurrently(t *testing.T) {
	a := newTestAPI(t)
	// Another request assigned it between the check and the submit: the
	// idempotent chaincode answers the existing record.
	a.ledger.fail[ledger.FnGetPrefix] = domain.Errorf(domain.CodeNotFound, "not assigned")
	rec := a.do("POST", "/v1/prefixes", "platform-admin", `{"prefix":"88.118.8","owner":"MakerMSP"}`)
	if rec.Code != http.StatusConflict || errorCode(t, rec) != domain.CodeConflict {
		t.Fatalf("status %d %s, want 409 CONFLICT", rec.Code, rec.Body)
	}
}
