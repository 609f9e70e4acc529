package chaincode

import (
	"slices"
	"strings"

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
	c := Caller{MSP: msp, Role: strings.TrimSpace(role)}
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

// requireOwner refuses a caller whose org does not own item (verb names the
// refused action).
func requireOwner(c Caller, owner, id, verb string) error {
	if owner != c.MSP {
		return domain.Errorf(domain.CodeForbidden, "%s may not %s %s of %s", c.MSP, verb, id, owner)
	}
	return nil
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
