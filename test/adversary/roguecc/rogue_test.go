package main

import (
	"slices"
	"testing"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/statebased"

	"github.com/idchain/idchain/test/adversary/rogue"
)

func TestPolicyOfNamesEveryOrgAndPolicyOrgsReadsThemBack(t *testing.T) {
	p, err := policyOf(rogue.Op{Orgs: []string{"PartnerMSP", "MakerMSP"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := policyOrgs(p); !slices.Equal(got, []string{"MakerMSP", "PartnerMSP"}) {
		t.Errorf("policyOrgs = %v", got)
	}
	ep, err := statebased.NewStateEP(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := ep.ListOrgs(); len(got) != 2 {
		t.Errorf("state EP lists %v", got)
	}
}

func TestPolicyOfWithoutOrgsClearsThePolicy(t *testing.T) {
	p, err := policyOf(rogue.Op{})
	if err != nil || p != nil {
		t.Errorf("policyOf() = %v, %v; want nil, nil", p, err)
	}
	if got := policyOrgs(nil); got != nil {
		t.Errorf("policyOrgs(nil) = %v", got)
	}
	if got := policyOrgs([]byte("not a policy")); len(got) != 1 {
		t.Errorf("policyOrgs(garbage) = %v, want one marker", got)
	}
}

func TestDropKeepsWritesTheFilterDoesNotName(t *testing.T) {
	d := rogue.Drop{CollectionsOf: []string{"MakerMSP"}, Policies: true}
	cases := []struct {
		w    write
		drop bool
	}{
		{write{kind: rogue.OpPPut, collection: "anchor_MakerMSP", key: "k"}, true},
		{write{kind: rogue.OpPPut, collection: "_implicit_org_PartnerMSP", key: "k"}, false},
		{write{kind: rogue.OpSBE, key: "k"}, true},
		{write{kind: rogue.OpPut, key: "k"}, false},
		{write{kind: rogue.OpEvent, key: "idchain"}, false},
	}
	for _, c := range cases {
		got, err := dropped(nil, d, c.w)
		if err != nil || got != c.drop {
			t.Errorf("dropped(%s) = %v, %v; want %v", c.w, got, err, c.drop)
		}
	}
}
