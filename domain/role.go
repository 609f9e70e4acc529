package domain

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
