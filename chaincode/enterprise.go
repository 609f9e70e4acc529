package chaincode

import (
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/domain"
)

// The enterprise registry: enterprises (统一社会信用代码) hosted by one org
// each, and the 标识 prefixes assigned to them (GS1 company prefixes are the
// registry's, gcp.go, assigned to the hosting org).
// Only the authority's admin writes here. Keys:
//
//	ent     [USCC]              domain.Enterprise (SBE: authority)
//	entorg  [orgMSP, USCC]      0x00 – enterprises hosted by an org
//	pfxent  [prefix]            domain.EnterprisePrefix of a 标识 prefix (SBE: authority)
//	entpfx  [USCC, kind, pfx]   0x00 – prefixes of an enterprise
//
// A 标识 prefix assigned to an enterprise is also an ordinary prefix
// assignment (prefix~) to the hosting org, written in the same transaction,
// so every org-level rule keeps working; pfxent adds who inside the org
// owns it.
const (
	objEnt    = "ent"
	objEntOrg = "entorg"
	objPfxEnt = "pfxent"
	objEntPfx = "entpfx"
)

// Event types of the enterprise registry.
const (
	EvEnterpriseCreated = "enterprise.created"
	EvEnterpriseChanged = "enterprise.changed"
)

func init() { addContract(func() contractapi.ContractInterface { return NewEnterpriseContract() }) }

// EnterpriseContract keeps the enterprise registry.
type EnterpriseContract struct {
	contractapi.Contract
}

// NewEnterpriseContract returns the "enterprise" contract.
func NewEnterpriseContract() *EnterpriseContract {
	c := new(EnterpriseContract)
	c.Name = "enterprise"
	return c
}

// GetEvaluateTransactions marks the read-only functions.
func (c *EnterpriseContract) GetEvaluateTransactions() []string {
	return []string{"GetEnterprise", "ListEnterprises", "GetPrefixEnterprise", "ListEnterprisePrefixes"}
}

// EnterpriseKey is the key of an enterprise record.
func EnterpriseKey(id string) (string, error) { return key(objEnt, id) }

// createEnterprise records a new enterprise (authority admin). An existing
// id is CONFLICT, whatever its content.
func (c *EnterpriseContract) createEnterprise(ctx contractapi.TransactionContextInterface, inputJSON string) (*domain.Enterprise, error) {
	who, cfg, err := requireAuthority(ctx)
	if err != nil {
		return nil, err
	}
	var in domain.EnterpriseInput
	if err := parseJSONArg("enterprise", inputJSON, &in); err != nil {
		return nil, err
	}
	if in, err = in.Normalize(); err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	if _, found, err := loadEnterprise(stub, in.ID); err != nil || found {
		if err == nil {
			err = domain.Errorf(domain.CodeConflict, "enterprise %s exists", in.ID)
		}
		return nil, err
	}
	at, _, err := stamp(stub)
	if err != nil {
		return nil, err
	}
	e := domain.Enterprise{ID: in.ID, Name: in.Name, Industries: in.Industries, Org: in.Org, Status: domain.EnterpriseActive,
		CreatedAt: at, CreatedBy: who.ID, TxID: stub.GetTxID()}
	if err := putEnterprise(stub, e, cfg.Authority); err != nil {
		return nil, err
	}
	ok, err := key(objEntOrg, e.Org, e.ID)
	if err != nil {
		return nil, err
	}
	if err := stub.PutState(ok, marker); err != nil {
		return nil, err
	}
	return &e, emit(ctx, EvEnterpriseCreated, e.ID)
}

// setEnterpriseStatus suspends or reactivates an enterprise (authority
// admin). Setting the status it has is a no-op that still answers.
func (c *EnterpriseContract) setEnterpriseStatus(ctx contractapi.TransactionContextInterface, id, status string) (*domain.Enterprise, error) {
	who, cfg, err := requireAuthority(ctx)
	if err != nil {
		return nil, err
	}
	st, err := domain.ParseEnterpriseStatus(status)
	if err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	e, err := mustEnterprise(stub, id)
	if err != nil {
		return nil, err
	}
	if e.Status == st {
		return &e, emit(ctx, EvEnterpriseChanged)
	}
	at, _, err := stamp(stub)
	if err != nil {
		return nil, err
	}
	e.Status, e.ChangedAt, e.ChangedBy, e.TxID = st, at, who.ID, stub.GetTxID()
	if err := putEnterprise(stub, e, cfg.Authority); err != nil {
		return nil, err
	}
	return &e, emit(ctx, EvEnterpriseChanged, e.ID)
}

// getEnterprise returns one enterprise (any member).
func (c *EnterpriseContract) getEnterprise(ctx contractapi.TransactionContextInterface, id string) (*domain.Enterprise, error) {
	e, err := mustEnterprise(ctx.GetStub(), id)
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// listEnterprises lists the enterprises hosted by org, a page at a time in
// id order.
func (c *EnterpriseContract) listEnterprises(ctx contractapi.TransactionContextInterface, org, pageSize, bookmark string) (*domain.Page[domain.Enterprise], error) {
	if org == "" {
		return nil, domain.Errorf(domain.CodeInvalid, "org is required")
	}
	size, err := pageSizeOf(pageSize)
	if err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	page := &domain.Page[domain.Enterprise]{Records: []domain.Enterprise{}}
	page.Bookmark, err = eachKV(stub, objEntOrg, []string{org}, size, bookmark, func(k string, _ []byte) error {
		id, err := lastAttr(stub, k)
		if err != nil {
			return err
		}
		e, found, err := loadEnterprise(stub, id)
		// The index has no policy: an entry a majority planted under
		// another org lists nothing.
		if found && e.Org == org {
			page.Records = append(page.Records, e)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(page.Records) < size {
		page.Bookmark = ""
	}
	return page, nil
}

// mustEnterprise loads an enterprise by a USCC in any case; NOT_FOUND when
// it does not exist, INVALID_IDENTIFIER for a malformed id.
func mustEnterprise(stub shim.ChaincodeStubInterface, id string) (domain.Enterprise, error) {
	uscc, err := normalizeUSCC(id)
	if err != nil {
		return domain.Enterprise{}, err
	}
	e, found, err := loadEnterprise(stub, uscc)
	if err != nil {
		return e, err
	}
	if !found {
		return e, domain.Errorf(domain.CodeNotFound, "enterprise %s does not exist", uscc)
	}
	return e, nil
}

// normalizeUSCC validates an enterprise id argument.
func normalizeUSCC(id string) (string, error) {
	in, err := (domain.EnterpriseInput{ID: id, Name: "-", Org: "-", Industries: []domain.Industry{domain.IndustryGeneric}}).Normalize()
	return in.ID, err
}

// loadEnterprise reads an enterprise record; only one the authority anchored
// counts (a majority without the authority could create the key, not the
// anchor).
func loadEnterprise(stub shim.ChaincodeStubInterface, id string) (domain.Enterprise, bool, error) {
	var e domain.Enterprise
	k, err := EnterpriseKey(id)
	if err != nil {
		return e, false, err
	}
	found, err := getAuthorityAnchored(stub, k, &e)
	return e, found, err
}

// putEnterprise writes an enterprise record as an assignment (authority AND
// a majority of the others) anchored by the authority.
func putEnterprise(stub shim.ChaincodeStubInterface, e domain.Enterprise, authority string) error {
	k, err := EnterpriseKey(e.ID)
	if err != nil {
		return err
	}
	return putRecord(stub, nil, k, e, classAssign, authority, authority)
}

// actorName renders an org or an enterprise of an org for messages.
func actorName(org, ent string) string {
	if ent == "" {
		return org + " (the org itself)"
	}
	return org + " enterprise " + ent
}

// requireActive refuses writes by a suspended enterprise's users.
func requireActive(e domain.Enterprise) error {
	if e.Status != domain.EnterpriseActive {
		return domain.Errorf(domain.CodeForbidden, "enterprise %s is %s", e.ID, e.Status)
	}
	return nil
}
