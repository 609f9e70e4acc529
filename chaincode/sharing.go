package chaincode

import (
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
)

// Sharing keys: see the key schema in keys.go.

// SharingContract holds data-sharing consents, consented reads of private
// detail and their audit trail.
type SharingContract struct {
	contractapi.Contract
}

func init() { addContract(func() contractapi.ContractInterface { return NewSharingContract() }) }

// NewSharingContract returns the "sharing" contract.
func NewSharingContract() *SharingContract {
	c := new(SharingContract)
	c.Name = "sharing"
	return c
}

// GetEvaluateTransactions marks the read-only functions.
func (c *SharingContract) GetEvaluateTransactions() []string {
	return []string{"ListConsents", "ReadShared", "ListAccess"}
}

// grantConsent records a consent from the caller's org, which must own every
// subject: a grantee can therefore never grant onward or widen a scope.
func (c *SharingContract) grantConsent(ctx contractapi.TransactionContextInterface, inputJSON string) (*domain.Consent, error) {
	caller, err := requireRole(ctx, domain.Writers("sharing:GrantConsent")...)
	if err != nil {
		return nil, err
	}
	var raw domain.ConsentInput
	if err := parseJSONArg("consent", inputJSON, &raw); err != nil {
		return nil, err
	}
	stub := ctxStub(ctx)
	now, err := txTime(stub)
	if err != nil {
		return nil, err
	}
	in, err := raw.Normalize(caller.MSP, now)
	if err != nil {
		return nil, err
	}
	for _, s := range in.Subjects {
		owner, err := subjectOwner(stub, s)
		if err != nil {
			return nil, err
		}
		if owner != caller.MSP {
			return nil, domain.Errorf(domain.CodeForbidden, "%s may not grant access to %s: it is not its data", caller.MSP, s)
		}
		ent, err := subjectEnterprise(stub, s)
		if err != nil {
			return nil, err
		}
		if err := requireEnterprise(caller, ent, "grant access to "+s); err != nil {
			return nil, err
		}
	}
	cs := domain.Consent{
		ConsentInput: in, ID: stub.GetTxID(), Grantor: caller.MSP, GrantorUser: caller.User, GrantorEnterprise: caller.Enterprise,
		CreatedAt: domain.FormatTime(now), TxID: stub.GetTxID(),
	}
	k, err := key(objConsent, cs.ID)
	if err != nil {
		return nil, err
	}
	if err := putJSON(stub, k, cs); err != nil {
		return nil, err
	}
	if err := setKeyPolicy(stub, nil, k, classOwned, caller.MSP); err != nil {
		return nil, err
	}
	if err := anchorExists(stub, caller.MSP, k); err != nil {
		return nil, err
	}
	for _, idx := range [][]string{{objConsentBy, cs.Grantor}, {objConsentTo, cs.Grantee}} {
		ik, err := key(idx[0], idx[1], cs.ID)
		if err != nil {
			return nil, err
		}
		if err := stub.PutState(ik, marker); err != nil {
			return nil, err
		}
	}
	// The subjects follow the id so that event readers (the dashboard
	// counters) can attribute the consent to its grantor and industry.
	return &cs, emit(ctx, EvConsentGranted, append([]string{cs.ID}, cs.Subjects...)...)
}

// subjectOwner returns the org that owns a normalised subject: the owner of
// a registered item, else the owner of the nearest assigned prefix above it.
func subjectOwner(stub shim.ChaincodeStubInterface, subject string) (string, error) {
	p := subject
	if _, isPrefix, _ := domain.NormalizeSubject(subject); !isPrefix {
		it, _, err := loadItem(stub, subject)
		if err == nil {
			return it.Owner, nil
		}
		if domain.CodeOf(err) != domain.CodeNotFound {
			return "", err
		}
		p = domain.SubjectPrefix(subject)
	}
	for {
		rec, found, err := loadPrefix(stub, p)
		if err != nil {
			return "", err
		}
		if found {
			return rec.Owner, nil
		}
		up, ok := identifier.ParentPrefix(p)
		if !ok {
			return "", domain.Errorf(domain.CodeForbidden, "subject %s is under no assigned prefix", subject)
		}
		p = up
	}
}

// revokeConsent ends a consent at once; only the grantor org revokes.
func (c *SharingContract) revokeConsent(ctx contractapi.TransactionContextInterface, consentID string) (*domain.Consent, error) {
	caller, err := requireRole(ctx, domain.Writers("sharing:RevokeConsent")...)
	if err != nil {
		return nil, err
	}
	stub := ctxStub(ctx)
	cs, k, err := loadConsent(stub, consentID)
	if err != nil {
		return nil, err
	}
	if cs.Grantor != caller.MSP {
		return nil, domain.Errorf(domain.CodeForbidden, "only the grantor %s revokes consent %s", cs.Grantor, cs.ID)
	}
	if err := requireEnterprise(caller, cs.GrantorEnterprise, "revoke consent "+cs.ID); err != nil {
		return nil, err
	}
	if cs.RevokedAt != "" {
		return nil, domain.Errorf(domain.CodeConflict, "consent %s was revoked at %s", cs.ID, cs.RevokedAt)
	}
	now, err := txTime(stub)
	if err != nil {
		return nil, err
	}
	cs.RevokedAt = domain.FormatTime(now)
	if err := putJSON(stub, k, cs); err != nil {
		return nil, err
	}
	return &cs, emit(ctx, EvConsentRevoked, cs.ID)
}

func loadConsent(stub shim.ChaincodeStubInterface, id string) (domain.Consent, string, error) {
	var cs domain.Consent
	if id == "" {
		return cs, "", domain.Errorf(domain.CodeInvalid, "consent id is empty")
	}
	k, err := key(objConsent, id)
	if err != nil {
		return cs, "", err
	}
	// only a consent its grantor anchored counts
	ok, err := getAnchored(stub, k, &cs, false, func() string { return cs.Grantor })
	if err != nil {
		return cs, k, err
	}
	if !ok {
		return cs, k, domain.Errorf(domain.CodeNotFound, "no consent %s", id)
	}
	return cs, k, nil
}

// listConsents lists the consents the caller's org granted or received,
// oldest tx id first.
func (c *SharingContract) listConsents(ctx contractapi.TransactionContextInterface, direction string) ([]domain.Consent, error) {
	caller, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	obj := objConsentBy
	switch direction {
	case "granted", "":
	case "received":
		obj = objConsentTo
	default:
		return nil, domain.Errorf(domain.CodeInvalid, "direction must be granted or received")
	}
	stub := ctxStub(ctx)
	out := []domain.Consent{}
	parties := []string{caller.MSP}
	// An enterprise's user also sees the consents received by its
	// enterprise (a consent may name an enterprise as grantee).
	if obj == objConsentTo && caller.Enterprise != "" && requireEnterprise(caller, caller.Enterprise, "list consents to") == nil {
		parties = append(parties, caller.Enterprise)
	}
	for _, party := range parties {
		if err := c.scanConsents(stub, obj, party, &out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// scanConsents appends the anchored consents indexed under obj for party.
func (c *SharingContract) scanConsents(stub shim.ChaincodeStubInterface, obj, party string, out *[]domain.Consent) error {
	return scanAll(stub, obj, []string{party}, func(k string, _ []byte) error {
		id, err := lastAttr(stub, k)
		if err != nil {
			return err
		}
		cs, _, err := loadConsent(stub, id)
		if domain.CodeOf(err) == domain.CodeNotFound {
			return nil // not anchored by its grantor
		}
		if err != nil {
			return err
		}
		*out = append(*out, cs)
		return nil
	})
}
