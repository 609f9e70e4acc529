package chaincode

import (
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/domain"
)

// assignEnterprisePrefix assigns a 标识 prefix to an enterprise (authority
// admin): the prefix is assigned to the hosting org as usual and recorded
// as the enterprise's. Assigning it again to the same enterprise answers the
// assignment; a prefix of another enterprise, or of the org itself, is
// CONFLICT.
func (c *EnterpriseContract) assignEnterprisePrefix(ctx contractapi.TransactionContextInterface, prefix, enterprise string) (*domain.EnterprisePrefix, error) {
	who, cfg, err := requireAuthority(ctx)
	if err != nil {
		return nil, err
	}
	p, err := parsePrefix(prefix)
	if err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	e, err := mustEnterprise(stub, enterprise)
	if err != nil {
		return nil, err
	}
	cur, found, err := loadEnterprisePrefix(stub, objPfxEnt, p)
	if err != nil {
		return nil, err
	}
	if found {
		if cur.Enterprise != e.ID {
			return nil, domain.Errorf(domain.CodeConflict, "prefix %s is assigned to enterprise %s", p, cur.Enterprise)
		}
		return &cur, emit(ctx, EvPrefixAssigned)
	}
	if org, found, err := loadPrefix(stub, p); err != nil {
		return nil, err
	} else if found {
		return nil, domain.Errorf(domain.CodeConflict, "prefix %s is assigned to %s itself", p, org.Owner)
	}
	// The org-level assignment; it emits EvPrefixAssigned naming the prefix.
	if _, err := NewRegistryContract().assignPrefix(ctx, p, e.Org); err != nil {
		return nil, err
	}
	return putEnterprisePrefix(stub, domain.PrefixKindHandle, objPfxEnt, p, e, who, cfg.Authority)
}

// assignEnterpriseGCP assigns a GS1 company prefix to an enterprise
// (authority admin): the assignment names the hosting org as owner and the
// enterprise, so only items under the enterprise's 标识 prefixes may carry
// GTINs under it (another enterprise of the same org may not). Assigning it
// again to the same enterprise answers the assignment; a GCP held by anyone
// else is CONFLICT.
func (c *EnterpriseContract) assignEnterpriseGCP(ctx contractapi.TransactionContextInterface, gcp, enterprise string) (*domain.GCP, error) {
	e, err := mustEnterprise(ctx.GetStub(), enterprise)
	if err != nil {
		return nil, err
	}
	return assignGCPTo(ctx, gcp, e.Org, e.ID)
}

// getPrefixEnterprise returns the enterprise assignment of a 标识 prefix.
func (c *EnterpriseContract) getPrefixEnterprise(ctx contractapi.TransactionContextInterface, prefix string) (*domain.EnterprisePrefix, error) {
	p, err := parsePrefix(prefix)
	if err != nil {
		return nil, err
	}
	return foundOr(loadEnterprisePrefix(ctx.GetStub(), objPfxEnt, p))("prefix " + p + " is not assigned to an enterprise")
}

// listEnterprisePrefixes lists an enterprise's 标识 prefixes (at most
// maxList) in key order. (GS1 company prefixes are the registry's, gcp.go:
// assigned to the enterprise's hosting org.)
func (c *EnterpriseContract) listEnterprisePrefixes(ctx contractapi.TransactionContextInterface, enterprise string) ([]domain.EnterprisePrefix, error) {
	stub := ctx.GetStub()
	e, err := mustEnterprise(stub, enterprise)
	if err != nil {
		return nil, err
	}
	out := []domain.EnterprisePrefix{}
	for _, kind := range []struct{ kind, obj string }{{domain.PrefixKindHandle, objPfxEnt}} {
		if _, err := eachKV(stub, objEntPfx, []string{e.ID, kind.kind}, maxList, "", func(k string, _ []byte) error {
			p, err := lastAttr(stub, k)
			if err != nil {
				return err
			}
			rec, found, err := loadEnterprisePrefix(stub, kind.obj, p)
			// The index has no policy: an entry a majority planted for
			// another enterprise's prefix lists nothing.
			if found && rec.Enterprise == e.ID {
				out = append(out, rec)
			}
			return err
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// PrefixEnterprise returns the enterprise a 标识 prefix belongs to, "" for
// a prefix of an org's own (or an unassigned one). An assignment the
// authority did not anchor counts as none: a coalition without the
// authority could otherwise hand an org's own prefix, or an enterprise's,
// to another enterprise of the org.
func PrefixEnterprise(stub shim.ChaincodeStubInterface, prefix string) (string, error) {
	rec, found, err := loadEnterprisePrefix(stub, objPfxEnt, prefix)
	if err != nil || !found {
		return "", err
	}
	return rec.Enterprise, nil
}

func putEnterprisePrefix(stub shim.ChaincodeStubInterface, kind, obj, p string, e domain.Enterprise, who Caller, authority string) (*domain.EnterprisePrefix, error) {
	at, _, err := stamp(stub)
	if err != nil {
		return nil, err
	}
	rec := domain.EnterprisePrefix{Kind: kind, Prefix: p, Enterprise: e.ID, Org: e.Org, AssignedBy: who.ID, AssignedAt: at, TxID: stub.GetTxID()}
	k, err := key(obj, p)
	if err != nil {
		return nil, err
	}
	if err := putRecord(stub, nil, k, rec, classAssign, authority, authority); err != nil {
		return nil, err
	}
	ik, err := key(objEntPfx, e.ID, kind, p)
	if err != nil {
		return nil, err
	}
	return &rec, stub.PutState(ik, marker)
}

func loadEnterprisePrefix(stub shim.ChaincodeStubInterface, obj, p string) (domain.EnterprisePrefix, bool, error) {
	var rec domain.EnterprisePrefix
	k, err := key(obj, p)
	if err != nil {
		return rec, false, err
	}
	found, err := getAuthorityAnchored(stub, k, &rec)
	return rec, found, err
}

// foundOr turns a (record, found, err) lookup into (record, NOT_FOUND).
func foundOr(rec domain.EnterprisePrefix, found bool, err error) func(string) (*domain.EnterprisePrefix, error) {
	return func(msg string) (*domain.EnterprisePrefix, error) {
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, domain.Errorf(domain.CodeNotFound, "%s", msg)
		}
		return &rec, nil
	}
}
