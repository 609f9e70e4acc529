//go:build integration

package adversary

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/idchain/idchain/chaincode"
	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
	"github.com/idchain/idchain/test/adversary/rogue"
)

// GS1 company prefix assignments (also to an enterprise, AssignEnterpriseGCP)
// are the authority's: the three orgs other than the authority can neither
// reassign the maker's GCP to the partner (its key carries "authority AND a
// majority"), nor create an assignment of a free GCP that counts (no
// authority anchor): the partner's GTIN under it stays FORBIDDEN.
func TestAttackCoalitionWithoutAuthorityAssignsGCP(t *testing.T) {
	needRogue(t, "maker", "partner", "regulator")
	authority := nw.msp("platform")
	orgs, signer := nw.mspsExcept(authority), nw.user(t, "partner-qa")
	partner := nw.msp("partner")

	// (a) rewrite the maker's assignment: partner, an enterprise of its own
	var held string
	for _, p := range domain.GCPCandidates(makerGTIN(t)) {
		k, _ := chaincode.GCPKey(p)
		if r := rogueRead(t, orgs[0], rogue.Op{Op: rogue.OpGet, Key: k}); len(r.Reads) == 1 && r.Reads[0].Found {
			held = k
			break
		}
	}
	if held == "" {
		t.Fatalf("no GCP assignment covers the maker's GTIN %s", makerGTIN(t))
	}
	forged := patch(t, readKey(t, orgs[0], held), map[string]any{"owner": partner, "enterprise": "91440300MA5FORGED1"})
	o := attack(t, signer, orgs, "registry:AssignGCP", rogue.Script{Ops: []rogue.Op{{Op: rogue.OpPut, Key: held, Value: forged}}})
	wantRefused(t, o, "ENDORSEMENT_POLICY_FAILURE")

	// (b) create an assignment of a free GCP to the partner
	const free = "6959871"
	k, _ := chaincode.GCPKey(free)
	rec, _ := json.Marshal(domain.GCP{GCP: free, Owner: partner, AssignedBy: partner})
	o = attack(t, signer, orgs, "registry:AssignGCP", rogue.Script{Ops: []rogue.Op{{Op: rogue.OpPut, Key: k, Value: rec}}})
	if !o.Committed() {
		t.Fatalf("the coalition's new GCP key did not commit (%s): creation is governed by the chaincode-level majority; this test expects it on the ledger and ignored", o)
	}
	c, err := identifier.CheckDigit(free + "00000")
	if err != nil {
		t.Fatal(err)
	}
	gtin := free + "00000" + string(c)
	var res domain.BatchResult
	st, b := nw.api.do(t, "partner-operator", http.MethodPost, "/v1/items", map[string]any{"items": []map[string]any{
		{"id": newID(partnerPrefix, "GCPFORGED"), "kind": "unit", "industry": "generic", "gtin": gtin, "serial": "1"},
	}}, nil)
	_ = json.Unmarshal(b, &res)
	if st < 300 || len(res.Results) == 0 || res.Results[0].Error == nil || res.Results[0].Error.Code != domain.CodeForbidden {
		t.Errorf("ATTACK SUCCEEDED: the partner registered a GTIN under a GCP the coalition assigned it without the authority: HTTP %d %.200s", st, b)
	}
}
