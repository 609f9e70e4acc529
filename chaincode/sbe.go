package chaincode

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	mspproto "github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"google.golang.org/protobuf/proto"
)

// Key classes and their state-based endorsement policies (docs/threat-model.md).
// Fabric checks a key's own policy instead of the chaincode-level policy
// (MAJORITY Endorsement) once the key exists; creation of a key is governed
// by the chaincode-level policy alone, which is why records that back a public
// claim are also anchored (anchor.go).
type keyClass int

const (
	// classOwned: mutable records of one org (items, custody, consents,
	// relation and GS1 index keys): the org AND a majority of the other orgs.
	classOwned keyClass = iota
	// classAppend: append-only records (inspections, releases, recalls,
	// access records, events, first scans): every org, so no coalition
	// legitimate code ever needs can change or delete them.
	classAppend
	// classConfig: the chaincode configuration: RegulatorMSP AND a majority
	// of the other orgs.
	classConfig
	// classAssign: prefix and GS1 company prefix assignments: the authority
	// AND a majority of the other orgs.
	classAssign
)

func (c keyClass) String() string {
	return [...]string{"owned", "append-only", "config", "assignment"}[c]
}

// peerOf is the principal "a peer of msp".
func peerOf(msp string) *mspproto.MSPPrincipal {
	role, _ := proto.Marshal(&mspproto.MSPRole{MspIdentifier: msp, Role: mspproto.MSPRole_PEER})
	return &mspproto.MSPPrincipal{PrincipalClassification: mspproto.MSPPrincipal_ROLE, Principal: role}
}

func signedBy(i int) *common.SignaturePolicy {
	return &common.SignaturePolicy{Type: &common.SignaturePolicy_SignedBy{SignedBy: int32(i)}}
}

func nOutOf(n int, rules ...*common.SignaturePolicy) *common.SignaturePolicy {
	return &common.SignaturePolicy{Type: &common.SignaturePolicy_NOutOf_{
		NOutOf: &common.SignaturePolicy_NOutOf{N: int32(n), Rules: rules}}}
}

// majority is more than half of n (n > 0).
func majority(n int) int { return n/2 + 1 }

// classPolicy builds the signature policy envelope of class for org (the
// owner, or the authority; ignored for classAppend and classConfig) over
// the consortium orgs. orgs must be sorted; org need not be among them.
func classPolicy(class keyClass, org string, orgs []string) ([]byte, error) {
	if len(orgs) == 0 {
		return nil, fmt.Errorf("policy %s: no consortium orgs configured", class)
	}
	env := &common.SignaturePolicyEnvelope{Version: 0}
	add := func(msp string) *common.SignaturePolicy {
		env.Identities = append(env.Identities, peerOf(msp))
		return signedBy(len(env.Identities) - 1)
	}
	switch class {
	case classAppend:
		var all []*common.SignaturePolicy
		for _, o := range orgs {
			all = append(all, add(o))
		}
		env.Rule = nOutOf(len(all), all...)
	case classConfig, classOwned, classAssign:
		lead := org
		if class == classConfig {
			lead = DefaultRegulator
		}
		if lead == "" {
			return nil, fmt.Errorf("policy %s: no responsible org", class)
		}
		first := add(lead)
		var others []*common.SignaturePolicy
		for _, o := range orgs {
			if o != lead {
				others = append(others, add(o))
			}
		}
		if len(others) == 0 {
			env.Rule = nOutOf(1, first)
		} else {
			env.Rule = nOutOf(2, first, nOutOf(majority(len(others)), others...))
		}
	default:
		return nil, fmt.Errorf("policy: unknown key class %d", class)
	}
	b, err := proto.Marshal(env)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", class, err)
	}
	return b, nil
}

// policyCache avoids rebuilding the same policy bytes for every key of a
// batch; it lives for one transaction. The consortium org list is read
// from the configuration once per cache.
type policyCache map[string][]byte

const orgsEntry = "\x00orgs"

// setKeyPolicy gives key the state-based policy of class for org.
func setKeyPolicy(stub shim.ChaincodeStubInterface, cache policyCache, key string, class keyClass, org string) error {
	p, err := policyFor(stub, cache, class, org)
	if err != nil {
		return err
	}
	if err := stub.SetStateValidationParameter(key, p); err != nil {
		return fmt.Errorf("set validation parameter: %w", err)
	}
	return nil
}

// policyFor returns (and caches) the policy bytes of class for org.
func policyFor(stub shim.ChaincodeStubInterface, cache policyCache, class keyClass, org string) ([]byte, error) {
	if cache == nil {
		cache = policyCache{}
	}
	ck := class.String() + "\x00" + org
	if p, ok := cache[ck]; ok {
		return p, nil
	}
	orgs, err := consortium(stub, cache)
	if err != nil {
		return nil, err
	}
	p, err := classPolicy(class, org, orgs)
	if err != nil {
		return nil, err
	}
	cache[ck] = p
	return p, nil
}

// consortium returns the configured orgs, cached in cache.
func consortium(stub shim.ChaincodeStubInterface, cache policyCache) ([]string, error) {
	if b, ok := cache[orgsEntry]; ok {
		return strings.Split(string(b), "\n"), nil
	}
	cfg, err := loadConfigStub(stub)
	if err != nil {
		return nil, err
	}
	cache[orgsEntry] = []byte(strings.Join(cfg.Orgs, "\n"))
	return cfg.Orgs, nil
}

// describePolicy renders a signature policy envelope as text, e.g.
// "2 of (MakerMSP, 2 of (PartnerMSP, PlatformMSP, RegulatorMSP))"; "" for
// none. Tests and docs use it.
func describePolicy(p []byte) (string, error) {
	if len(p) == 0 {
		return "", nil
	}
	env := &common.SignaturePolicyEnvelope{}
	if err := proto.Unmarshal(p, env); err != nil {
		return "", err
	}
	names := make([]string, len(env.Identities))
	for i, id := range env.Identities {
		r := &mspproto.MSPRole{}
		if err := proto.Unmarshal(id.Principal, r); err != nil {
			return "", err
		}
		names[i] = r.MspIdentifier
	}
	var render func(r *common.SignaturePolicy) string
	render = func(r *common.SignaturePolicy) string {
		switch t := r.Type.(type) {
		case *common.SignaturePolicy_SignedBy:
			return names[t.SignedBy]
		case *common.SignaturePolicy_NOutOf_:
			if len(t.NOutOf.Rules) == 1 && t.NOutOf.N == 1 {
				return render(t.NOutOf.Rules[0])
			}
			parts := make([]string, len(t.NOutOf.Rules))
			for i, sub := range t.NOutOf.Rules {
				parts[i] = render(sub)
			}
			return fmt.Sprintf("%d of (%s)", t.NOutOf.N, strings.Join(parts, ", "))
		}
		return "?"
	}
	return render(env.Rule), nil
}

// sortedOrgs returns a sorted, de-duplicated copy of orgs.
func sortedOrgs(orgs []string) []string {
	s := slices.Clone(orgs)
	slices.Sort(s)
	return slices.Compact(s)
}
