package domain

import (
	"maps"
	"slices"
)

// RoleAttr is the enrollment-certificate attribute that carries a user's
// idchain role (registered as idchain.role=<role>:ecert).
const RoleAttr = "idchain.role"

// Roles carried in the idchain.role attribute. The chaincode checks them
// on every transaction; the API checks them before calling it.
const (
	RoleAdmin     = "admin"
	RoleOperator  = "operator"
	RoleInspector = "inspector"
	RoleQA        = "qa"
	RoleRegulator = "regulator"
	// RoleService is a platform service identity (first scans): it counts
	// only in the authority org.
	RoleService = "service"
)

// writers lists, per chaincode write function, the roles that may call it.
// The chaincode enforces it (requireRole); the API refuses the other roles
// before submitting (gateway-api/httpapi/routes.go) — one list for both.
// Functions not listed decide for themselves (e.g. registry:AssignPrefix:
// the authority org's admin; sharing:RecordAccess: any role, under a
// consent).
var writers = map[string][]string{
	"registry:RegisterItems":   {RoleOperator, RoleAdmin},
	"trace:RecordEvents":       {RoleOperator, RoleAdmin},
	"epcis:Capture":            {RoleOperator, RoleAdmin},
	"quality:PutPlan":          {RoleQA, RoleAdmin},
	"quality:RecordInspection": {RoleInspector},
	"quality:DeclareDetail":    {RoleOperator, RoleQA, RoleAdmin},
	"quality:StoreDetail":      {RoleInspector, RoleOperator, RoleQA, RoleAdmin},
	"quality:Release":          {RoleQA},
	"quality:Recall":           {RoleQA, RoleRegulator},
	"sharing:GrantConsent":     {RoleQA, RoleAdmin},
	"sharing:RevokeConsent":    {RoleQA, RoleAdmin},
	"sharing:PurgeDetail":      {RoleQA, RoleAdmin},
}

// Writers returns the roles that may call the chaincode write function fn
// ("contract:Function"); nil for functions that decide for themselves.
func Writers(fn string) []string { return slices.Clone(writers[fn]) }

// WriteFunctions lists the functions Writers knows, sorted.
func WriteFunctions() []string { return slices.Sorted(maps.Keys(writers)) }

// The orgs roles are bound to: regulator rights need RegulatorMSP and the
// role regulator; authority rights (prefix and GCP assignment) need the
// authority org (AuthorityMSP unless the chaincode config names another)
// and the role admin. The chaincode enforces the same (chaincode/caller.go).
const (
	RegulatorMSP = "RegulatorMSP"
	AuthorityMSP = "PlatformMSP"
)

// IsRegulator reports whether a user of mspID with role has regulator rights.
func IsRegulator(mspID, role string) bool { return role == RoleRegulator && mspID == RegulatorMSP }
