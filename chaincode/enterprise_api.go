package chaincode

// The enterprise contract's transaction functions (see api.go for why they
// return JSON text).

func (c *EnterpriseContract) CreateEnterprise(ctx ctxI, enterpriseJSON string) (string, error) {
	return out(c.createEnterprise(ctx, enterpriseJSON))
}
func (c *EnterpriseContract) SetEnterpriseStatus(ctx ctxI, id, status string) (string, error) {
	return out(c.setEnterpriseStatus(ctx, id, status))
}
func (c *EnterpriseContract) GetEnterprise(ctx ctxI, id string) (string, error) {
	return out(c.getEnterprise(ctx, id))
}
func (c *EnterpriseContract) ListEnterprises(ctx ctxI, org, pageSize, bookmark string) (string, error) {
	return out(c.listEnterprises(ctx, org, pageSize, bookmark))
}
func (c *EnterpriseContract) AssignEnterprisePrefix(ctx ctxI, prefix, enterprise string) (string, error) {
	return out(c.assignEnterprisePrefix(ctx, prefix, enterprise))
}
func (c *EnterpriseContract) AssignEnterpriseGCP(ctx ctxI, gcp, enterprise string) (string, error) {
	return out(c.assignEnterpriseGCP(ctx, gcp, enterprise))
}
func (c *EnterpriseContract) GetPrefixEnterprise(ctx ctxI, prefix string) (string, error) {
	return out(c.getPrefixEnterprise(ctx, prefix))
}
func (c *EnterpriseContract) ListEnterprisePrefixes(ctx ctxI, enterprise string) (string, error) {
	return out(c.listEnterprisePrefixes(ctx, enterprise))
}
