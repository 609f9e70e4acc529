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
