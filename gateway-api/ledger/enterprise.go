package ledger

// Chaincode functions of the enterprise registry (docs/enterprises.md).
const (
	FnCreateEnterprise       = "enterprise:CreateEnterprise"
	FnSetEnterpriseStatus    = "enterprise:SetEnterpriseStatus"
	FnGetEnterprise          = "enterprise:GetEnterprise"
	FnListEnterprises        = "enterprise:ListEnterprises"
	FnAssignEnterprisePrefix = "enterprise:AssignEnterprisePrefix"
	FnAssignEnterpriseGCP    = "enterprise:AssignEnterpriseGCP"
	FnGetPrefixEnterprise    = "enterprise:GetPrefixEnterprise"
	FnListEnterprisePrefixes = "enterprise:ListEnterprisePrefixes"
)
