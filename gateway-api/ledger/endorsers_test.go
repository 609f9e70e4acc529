package ledger

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestEndorsersOwnOrgPlusMajorityInRotation(t *testing.T) {
	orgs := []string{"PlatformMSP", "MakerMSP", "PartnerMSP", "RegulatorMSP"}
	e := NewEndorsers(orgs)
	seen := map[string]int{}
	for range 30 {
		got := e.For("MakerMSP")
		if len(got) != 3 || got[0] != "MakerMSP" {
			t.Fatalf("For(MakerMSP) = %v, want MakerMSP and two others (3 of 4)", got)
		}
		if got[1] == got[2] || got[1] == "MakerMSP" || got[2] == "MakerMSP" {
			t.Fatalf("For(MakerMSP) = %v: repeated org", got)
		}
		for _, o := range got[1:] {
			seen[o]++
		}
	}
	for _, o := range []string{"PlatformMSP", "PartnerMSP", "RegulatorMSP"} {
		if seen[o] != 20 {
			t.Errorf("%s named %d times of 30, want 20 (even rotation): %v", o, seen[o], seen)
		}
	}
	if got := e.For("StrangerMSP"); got != nil {
		t.Errorf("For(an org not in the channel) = %v, want nil (the gateway plans)", got)
	}
}

func TestEndorsersMajorityGrowsWithOrgs(t *testing.T) {
	for n, want := range map[int]int{1: 1, 2: 2, 3: 3, 4: 3, 5: 4, 6: 4, 7: 5} {
		var orgs []string
		for i := range n {
			orgs = append(orgs, fmt.Sprintf("Org%dMSP", i))
		}
		got := NewEndorsers(orgs).For("Org0MSP")
		if len(got) != want || got[0] != "Org0MSP" {
			t.Errorf("%d orgs: For = %v, want own org first and %d in all", n, got, want)
		}
		if len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(got) {
			t.Errorf("%d orgs: For = %v repeats an org", n, got)
		}
	}
	var nilE *Endorsers
	if nilE.For("MakerMSP") != nil {
		t.Error("nil Endorsers named orgs")
	}
}

func TestFallBackOnlyWhenTheNamedSetCouldBeTheCause(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"success", nil, false},
		{"policy failure", &client.CommitError{Code: peer.TxValidationCode_ENDORSEMENT_POLICY_FAILURE}, true},
		{"mvcc conflict", &client.CommitError{Code: peer.TxValidationCode_MVCC_READ_CONFLICT}, false},
		{"named org cannot endorse", errors.New("rpc error: code = Unavailable desc = no peers available for org X"), true},
		{"the chaincode refused", status.Error(codes.Aborted, "FORBIDDEN: prefix 88.1 belongs to PartnerMSP"), false},
		{"commit status unknown", &client.CommitStatusError{TransactionError: &client.TransactionError{TransactionID: "t1"}}, false},
	} {
		if got := fallBack(c.err); got != c.want {
			t.Errorf("%s: fallBack = %v, want %v", c.name, got, c.want)
		}
	}
}
