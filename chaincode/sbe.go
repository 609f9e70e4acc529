package chaincode

import (
	"fmt"
	"slices"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/statebased"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
)

// orgPolicy returns a state-based endorsement policy satisfied by a peer of
// every org in orgs (one org: that org alone).
func orgPolicy(orgs ...string) ([]byte, error) {
	ep, err := statebased.NewStateEP(nil)
	if err != nil {
		return nil, fmt.Errorf("state EP: %w", err)
	}
	if err := ep.AddOrgs(statebased.RoleTypePeer, orgs...); err != nil {
		return nil, fmt.Errorf("state EP: %w", err)
	}
	p, err := ep.Policy()
	if err != nil {
		return nil, fmt.Errorf("state EP: %w", err)
	}
	return p, nil
}

// policyCache avoids rebuilding the same policy bytes for every key of a
// batch; it lives for one transaction.
type policyCache map[string][]byte

// setOwnerPolicy makes key endorsable only by org's peers.
func setOwnerPolicy(stub shim.ChaincodeStubInterface, cache policyCache, key, org string) error {
	p, ok := cache[org]
	if !ok {
		var err error
		if p, err = orgPolicy(org); err != nil {
			return err
		}
		if cache != nil {
			cache[org] = p
		}
	}
	if err := stub.SetStateValidationParameter(key, p); err != nil {
		return fmt.Errorf("set validation parameter: %w", err)
	}
	return nil
}

// policyOrgs lists the orgs named by a state-based policy, sorted (nil for
// none).
func policyOrgs(p []byte) ([]string, error) {
	if len(p) == 0 {
		return nil, nil
	}
	ep, err := statebased.NewStateEP(p)
	if err != nil {
		return nil, err
	}
	orgs := ep.ListOrgs()
	slices.Sort(orgs)
	return orgs, nil
}
