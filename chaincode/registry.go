package chaincode

import (
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/domain"
)

// maxList bounds the non-paginated lists of an evaluate (prefixes of an org).
const maxList = 1000

// RegistryContract assigns enterprise prefixes and registers items.
type RegistryContract struct {
	contractapi.Contract
}

// NewRegistryContract returns the "registry" contract.
func NewRegistryContract() *RegistryContract {
	c := new(RegistryContract)
	c.Name = "registry"
	return c
}

// GetEvaluateTransactions marks the read-only functions.
func (c *RegistryContract) GetEvaluateTransactions() []string {
	return []string{"GetPrefix", "ListPrefixes", "GetItem", "ListItems", "FindByGTIN", "ListGCPs"}
}

// assignPrefix assigns prefix to ownerMSP; authority admin only. Assigning
// it again to the same owner returns the assignment unchanged; a prefix has
// one owner (CONFLICT otherwise).
func (c *RegistryContract) assignPrefix(ctx contractapi.TransactionContextInterface, prefix, ownerMSP string) (*domain.Prefix, error) {
	who, cfg, err := requireAuthority(ctx)
	if err != nil {
		return nil, err
	}
	p, err := parsePrefix(prefix)
	if err != nil {
		return nil, err
	}
	if ownerMSP == "" {
		return nil, domain.Errorf(domain.CodeInvalid, "owner MSP is required")
	}
	stub := ctx.GetStub()
	cur, found, err := loadPrefix(stub, p)
	if err != nil {
		return nil, err
	}
	if found {
		if cur.Owner != ownerMSP {
			return nil, domain.Errorf(domain.CodeConflict, "prefix %s is assigned to %s", p, cur.Owner)
		}
		return &cur, emit(ctx, EvPrefixAssigned)
	}
	at, _, err := stamp(stub)
	if err != nil {
		return nil, err
	}
	rec := domain.Prefix{Prefix: p, Owner: ownerMSP, AssignedBy: who.MSP, AssignedAt: at, TxID: stub.GetTxID()}
	pk, err := PrefixKey(p)
	if err != nil {
		return nil, err
	}
	ok, err := key(objPfxOwn, ownerMSP, p)
	if err != nil {
		return nil, err
	}
	if err := putJSON(stub, pk, rec); err != nil {
		return nil, err
	}
	if err := setKeyPolicy(stub, nil, pk, classAssign, cfg.Authority); err != nil {
		return nil, err
	}
	if err := anchorExists(stub, cfg.Authority, pk); err != nil {
		return nil, err
	}
	if err := stub.PutState(ok, marker); err != nil {
		return nil, err
	}
	return &rec, emit(ctx, EvPrefixAssigned, p)
}

// getPrefix returns one prefix assignment.
func (c *RegistryContract) getPrefix(ctx contractapi.TransactionContextInterface, prefix string) (*domain.Prefix, error) {
	p, err := parsePrefix(prefix)
	if err != nil {
		return nil, err
	}
	rec, found, err := loadPrefix(ctx.GetStub(), p)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, domain.Errorf(domain.CodeNotFound, "prefix %s is not assigned", p)
	}
	return &rec, nil
}

// listPrefixes returns the prefixes of an org in key order.
func (c *RegistryContract) listPrefixes(ctx contractapi.TransactionContextInterface, ownerMSP string) ([]domain.Prefix, error) {
	stub := ctx.GetStub()
	names, err := prefixesOf(stub, ownerMSP)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Prefix, 0, len(names))
	for _, p := range names {
		rec, found, err := loadPrefix(stub, p)
		if err != nil {
			return nil, err
		}
		if found {
			out = append(out, rec)
		}
	}
	return out, nil
}

// prefixesOf lists the prefixes assigned to owner (at most maxList).
func prefixesOf(stub shim.ChaincodeStubInterface, owner string) ([]string, error) {
	var out []string
	_, err := eachKV(stub, objPfxOwn, []string{owner}, maxList, "", func(k string, _ []byte) error {
		p, err := lastAttr(stub, k)
		out = append(out, p)
		return err
	})
	return out, err
}

func loadPrefix(stub shim.ChaincodeStubInterface, p string) (domain.Prefix, bool, error) {
	var rec domain.Prefix
	k, err := PrefixKey(p)
	if err != nil {
		return rec, false, err
	}
	found, err := getAuthorityAnchored(stub, k, &rec)
	return rec, found, err
}

// getAuthorityAnchored reads the record at k into v when the configured
// authority anchored it (assignments: only those count).
func getAuthorityAnchored(stub shim.ChaincodeStubInterface, k string, v any) (bool, error) {
	cfg, err := loadConfigStub(stub)
	if err != nil {
		return false, err
	}
	return getAnchored(stub, k, v, false, func() string { return cfg.Authority })
}
