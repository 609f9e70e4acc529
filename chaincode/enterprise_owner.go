package chaincode

import (
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
)

// Ownership by enterprise. A record's owning enterprise follows from the
// 标识 prefix of the item it is about: the enterprise the prefix is assigned
// to (pfxent), or none when the prefix is its org's own. Records keep their
// owner org as before; the enterprise is looked up, never copied, so that a
// record cannot claim an enterprise its prefix does not give it.

// entCache remembers prefix → enterprise for one transaction (a batch
// touches few prefixes).
type entCache map[string]string

// enterpriseOfPrefix returns the enterprise owning prefix ("" for an org's
// own prefix), reading each prefix once per transaction.
func enterpriseOfPrefix(stub shim.ChaincodeStubInterface, cache entCache, prefix string) (string, error) {
	if e, ok := cache[prefix]; ok {
		return e, nil
	}
	e, err := PrefixEnterprise(stub, prefix)
	if err != nil {
		return "", err
	}
	if cache != nil {
		cache[prefix] = e
	}
	return e, nil
}

// enterpriseOfID returns the enterprise owning the item id ("" for an org's
// own item).
func enterpriseOfID(stub shim.ChaincodeStubInterface, cache entCache, id string) (string, error) {
	p, err := parseID(id)
	if err != nil {
		return "", err
	}
	return enterpriseOfPrefix(stub, cache, p.Prefix)
}

// makerOf names the maker of an item for public views: the enterprise (id
// and name) when its prefix belongs to one, else nil (the org is the maker).
func makerOf(stub shim.ChaincodeStubInterface, id string) (*domain.EnterpriseRef, error) {
	ent, err := enterpriseOfID(stub, nil, id)
	if err != nil || ent == "" {
		return nil, err
	}
	e, found, err := loadEnterprise(stub, ent)
	if err != nil || !found {
		return nil, err
	}
	return &domain.EnterpriseRef{ID: e.ID, Name: e.Name}, nil
}

// subjectEnterprise returns the enterprise owning a consent subject (an item
// id or a prefix): the enterprise of the nearest prefix at or above it that
// is assigned to one, "" when none is.
func subjectEnterprise(stub shim.ChaincodeStubInterface, subject string) (string, error) {
	p := subject
	if _, isPrefix, _ := domain.NormalizeSubject(subject); !isPrefix {
		p = domain.SubjectPrefix(subject)
	}
	for {
		ent, err := PrefixEnterprise(stub, p)
		if err != nil || ent != "" {
			return ent, err
		}
		up, ok := identifier.ParentPrefix(p)
		if !ok {
			return "", nil
		}
		p = up
	}
}
