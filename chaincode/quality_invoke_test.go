package chaincode

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/chaincode/internal/fakestub"
	"github.com/idchain/idchain/domain"
)

// TestQualityThroughContractAPI runs the wire functions through
// contract-api's dispatch, metadata and error path.
func TestQualityThroughContractAPI(t *testing.T) {
	cc, err := contractapi.NewChaincode(NewSystemContract(), NewQualityContract(), NewSharingContract())
	if err != nil {
		t.Fatal(err)
	}
	l := stoveLedger(t)
	call := func(id *fakestub.Identity, fn string, args ...string) (int32, string) {
		s := l.NewTx(id).SetArgs(fn, args...)
		resp := cc.Invoke(s)
		if resp.Status == 200 {
			if err := s.Commit(); err != nil {
				t.Fatal(err)
			}
			return 200, string(resp.Payload)
		}
		return resp.Status, resp.Message
	}
	in, _ := json.Marshal(domain.InspectionInput{ID: stove1, Results: stovePass()})
	st, out := call(who(t, makerMSP, domain.RoleInspector), "quality:RecordInspection", string(in), "")
	var res domain.InspectionResult
	if st != 200 || json.Unmarshal([]byte(out), &res) != nil || !res.Passed || res.Failed == nil {
		t.Fatalf("RecordInspection: %d %s", st, out)
	}
	st, out = call(who(t, partnerMSP, ""), "quality:GetInspections", stove1)
	var ins []domain.Inspection
	if st != 200 || json.Unmarshal([]byte(out), &ins) != nil || len(ins) != 1 || *ins[0].Results[0].Value != 0.1 {
		t.Fatalf("GetInspections: %d %s", st, out)
	}
	st, out = call(who(t, makerMSP, domain.RoleQA), "quality:Release", stove2)
	if e, ok := domain.ParseError(out); st == 200 || !ok || e.Code != domain.CodeReleaseBlocked {
		t.Fatalf("Release blocked: %d %s", st, out)
	}
	st, out = call(who(t, makerMSP, domain.RoleQA), "quality:Release", stove1)
	if st != 200 || !strings.Contains(out, `"by":"MakerMSP"`) {
		t.Fatalf("Release: %d %s", st, out)
	}
	st, out = call(who(t, partnerMSP, domain.RoleQA), "sharing:ListConsents", "received")
	if st != 200 || out != "[]" {
		t.Fatalf("ListConsents: %d %s", st, out)
	}
}
