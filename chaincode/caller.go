package chaincode

import (
	"slices"
	"strings"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/domain"
)

// Access rules. Every role, org, ownership, consent and authority check of
// the contracts is one of the functions of this file (consentAllows lives
// with the consent record it reads, sharing_access.go). Roles are bound to
// orgs: a role attribute counts only together with the org that may hold it
// (regulator: a regulator org of the config; authority: the configured
// authority org with role admin; platform service: the authority org with
// role service).

// Caller is the submitter of a transaction as the chaincode sees it.
type Caller struct {
	MSP  string // MSP ID of the creator
	Role string // idchain.role attribute, "" when absent
	User string // certificate subject CN
	ID   string // certificate subject DN, recorded as the actor of events
	// Enterprise is the idchain.enterprise attribute (USCC, upper case) of
	// an enterprise's user, "" for the org's own users.
	Enterprise string
	// stub and ents let the ownership rules look up the enterprise owning a
	// record (by its prefix, once per prefix and transaction).
	stub shim.ChaincodeStubInterface
	ents entCache
}

// Has reports whether the caller has one of roles.
func (c Caller) Has(roles ...string) bool {
	return c.Role != "" && slices.Contains(roles, c.Role)
}

// callerOf reads the client identity of the transaction.
func callerOf(ctx contractapi.TransactionContextInterface) (Caller, error) {
	ci := ctx.GetClientIdentity()
	if ci == nil {
		return Caller{}, domain.Errorf(domain.CodeUnauthorized, "no client identity")
	}
	msp, err := ci.GetMSPID()
	if err != nil {
		return Caller{}, domain.Errorf(domain.CodeUnauthorized, "client MSP: %v", err)
	}
	role, _, err := ci.GetAttributeValue(domain.RoleAttr)
	if err != nil {
		return Caller{}, domain.Errorf(domain.CodeUnauthorized, "client attributes: %v", err)
	}
	ent, _, err := ci.GetAttributeValue(domain.EnterpriseAttr)
	if err != nil {
		return Caller{}, domain.Errorf(domain.CodeUnauthorized, "client attributes: %v", err)
	}
	c := Caller{MSP: msp, Role: strings.TrimSpace(role), Enterprise: strings.ToUpper(strings.TrimSpace(ent)),
		stub: ctx.GetStub(), ents: entCache{}}
	if cert, err := ci.GetX509Certificate(); err == nil && cert != nil {
		c.User = cert.Subject.CommonName
		c.ID = cert.Subject.String()
	}
	return c, nil
}

// requireRole returns the caller when it has one of roles (any role when
// roles is empty), and a FORBIDDEN error otherwise.
func requireRole(ctx contractapi.TransactionContextInterface, roles ...string) (Caller, error) {
	c, err := callerOf(ctx)
	if err != nil {
		return Caller{}, err
	}
	if c.Role == "" {
		return c, domain.Errorf(domain.CodeForbidden, "%s: the certificate carries no %s attribute", c.MSP, domain.RoleAttr)
	}
	if len(roles) > 0 && !c.Has(roles...) {
		return c, domain.Errorf(domain.CodeForbidden, "%s role %q may not do this (needs %s)", c.MSP, c.Role, strings.Join(roles, " or "))
	}
	return c, nil
}

// requireOrgRole is requireRole plus: the caller belongs to org.
func requireOrgRole(ctx contractapi.TransactionContextInterface, org string, roles ...string) (Caller, error) {
	c, err := requireRole(ctx, roles...)
	if err != nil {
		return c, err
	}
	if c.MSP != org {
		return c, domain.Errorf(domain.CodeForbidden, "%s may not act for %s", c.MSP, org)
	}
	return c, nil
}

// isRegulatorOrg reports whether c is RegulatorMSP's regulator.
func isRegulatorOrg(c Caller) bool { return c.MSP == DefaultRegulator && c.Has(domain.RoleRegulator) }

// isRegulator reports whether c has regulator rights under cfg: the role
// regulator in one of cfg's regulator orgs.
func isRegulator(c Caller, cfg Config) bool {
	return c.Has(domain.RoleRegulator) && cfg.IsRegulator(c.MSP)
}

// requireRegulator returns the caller when it has regulator rights.
func requireRegulator(ctx contractapi.TransactionContextInterface) (Caller, Config, error) {
	cfg, err := loadConfig(ctx)
	if err != nil {
		return Caller{}, cfg, err
	}
	c, err := callerOf(ctx)
	if err != nil {
		return c, cfg, err
	}
	if !isRegulator(c, cfg) {
		return c, cfg, domain.Errorf(domain.CodeForbidden, "%s role %q has no regulator rights", c.MSP, c.Role)
	}
	return c, cfg, nil
}

// requireOwner refuses a caller who does not act for the owner of item id:
// the same org AND the same enterprise — the enterprise the id's prefix is
// assigned to, or none for the org's own prefixes (verb names the refused
// action). An enterprise's user acts for it only while the enterprise is
// active and hosted by the user's org.
func requireOwner(c Caller, owner, id, verb string) error {
	if owner != c.MSP {
		return domain.Errorf(domain.CodeForbidden, "%s may not %s %s of %s", c.MSP, verb, id, owner)
	}
	p, err := parseID(id)
	if err != nil {
		return err
	}
	return requirePrefixOwner(c, owner, p.Prefix, verb+" "+id)
}

// requirePrefixOwner is requireOwner for everything under an assigned
// prefix of org owner (what names the refused action).
func requirePrefixOwner(c Caller, owner, prefix, what string) error {
	if owner != c.MSP {
		return domain.Errorf(domain.CodeForbidden, "%s may not %s of %s", c.MSP, what, owner)
	}
	if c.stub == nil {
		return domain.Errorf(domain.CodeUnauthorized, "caller without a transaction")
	}
	ent, err := enterpriseOfPrefix(c.stub, c.ents, prefix)
	if err != nil {
		return err
	}
	return requireEnterprise(c, ent, what)
}

// requireEnterprise checks that c acts for enterprise ent of its own org
// ("" = the org itself) and that an enterprise acted for is active.
func requireEnterprise(c Caller, ent, what string) error {
	if c.Enterprise != ent {
		return domain.Errorf(domain.CodeForbidden, "%s may not %s of %s", actorName(c.MSP, c.Enterprise), what, actorName(c.MSP, ent))
	}
	if ent == "" {
		return nil
	}
	e, err := mustEnterprise(c.stub, ent)
	if err != nil {
		return err
	}
	if e.Org != c.MSP {
		return domain.Errorf(domain.CodeForbidden, "enterprise %s is hosted by %s, not %s", e.ID, e.Org, c.MSP)
	}
	return requireActive(e)
}

// requireHolder refuses a caller who does not act for the holder of an
// item's custody: the custodian org AND its enterprise ("" = the org's own
// users), the enterprise active and hosted by the org (what names the
// refused action).
func requireHolder(c Caller, org, ent, what string) error {
	if c.MSP != org {
		return domain.Errorf(domain.CodeForbidden, "%s may not %s held by %s", actorName(c.MSP, c.Enterprise), what, actorName(org, ent))
	}
	return requireEnterprise(c, ent, what)
}

// requireRecipient refuses a caller who may not receive a shipment to org
// and, when named, enterprise ent: the caller belongs to org and, when ent
// is named, acts for it; when none is named any active user of org
// receives (its own users or those of an enterprise it hosts), and the
// custody record then names the receiver's enterprise.
func requireRecipient(c Caller, org, ent, what string) error {
	if c.MSP != org {
		return domain.Errorf(domain.CodeForbidden, "%s may not %s shipped to %s", actorName(c.MSP, c.Enterprise), what, actorName(org, ent))
	}
	if ent == "" {
		ent = c.Enterprise
	}
	return requireEnterprise(c, ent, what)
}

// requireDestination checks the enterprise a shipment names as its
// recipient: it exists, is hosted by the destination org and is active.
func requireDestination(stub shim.ChaincodeStubInterface, org, ent string) error {
	if ent == "" {
		return nil
	}
	e, err := mustEnterprise(stub, ent)
	if err != nil {
		return err
	}
	if e.Org != org {
		return domain.Errorf(domain.CodeInvalid, "enterprise %s is hosted by %s, not by the destination %s", e.ID, e.Org, org)
	}
	return requireActive(e)
}

// consentAccessor is who a consent must name to let c read under it: the
// caller's enterprise when the consent's grantee is an enterprise (a USCC)
// and c is that enterprise's active user on its hosting org, else the
// caller's org.
func consentAccessor(c Caller, grantee string) string {
	if c.Enterprise == "" || grantee != c.Enterprise || c.stub == nil {
		return c.MSP
	}
	if err := requireEnterprise(c, c.Enterprise, "read under consents to"); err != nil {
		return c.MSP
	}
	return c.Enterprise
}

// requirePlatformService returns the caller when it is the platform's
// service identity: a member of the configured authority org with role
// admin or service (the API records first scans as its service user, the
// profile's platform admin).
func requirePlatformService(ctx contractapi.TransactionContextInterface) (Caller, error) {
	cfg, err := loadConfig(ctx)
	if err != nil {
		return Caller{}, err
	}
	c, err := callerOf(ctx)
	if err != nil {
		return c, err
	}
	if c.MSP != cfg.Authority || !c.Has(domain.RoleAdmin, domain.RoleService) {
		return c, domain.Errorf(domain.CodeForbidden, "only the platform's service identity (%s admin or service) records first scans; not %s role %q", cfg.Authority, c.MSP, c.Role)
	}
	return c, nil
}
