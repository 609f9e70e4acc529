package chaincode

// The transaction functions of the quality and sharing contracts
// (docs/chaincode-api.md), returning JSON text like api.go; the typed
// implementations are the lower-case methods.

// PutPlan stores a new version of the caller's plan for a model (its
// enterprise's plan when the caller acts for one).
func (c *QualityContract) PutPlan(ctx ctxI, planJSON string) (string, error) {
	return out(c.putPlan(ctx, planJSON))
}

// GetPlan returns the plan in force for an org's own model.
func (c *QualityContract) GetPlan(ctx ctxI, ownerMSP, model string) (string, error) {
	return out(c.getPlan(ctx, ownerMSP, "", model))
}

// GetEnterprisePlan returns the plan in force for a model of enterprise ent
// hosted by ownerMSP ("" = the org's own plan, like GetPlan).
func (c *QualityContract) GetEnterprisePlan(ctx ctxI, ownerMSP, ent, model string) (string, error) {
	return out(c.getPlan(ctx, ownerMSP, ent, model))
}

// RecordInspection judges and records an inspection.
func (c *QualityContract) RecordInspection(ctx ctxI, inputJSON, detailHash string) (string, error) {
	return out(c.recordInspection(ctx, inputJSON, detailHash))
}

// GetInspections lists an item's inspections, oldest first.
func (c *QualityContract) GetInspections(ctx ctxI, id string) (string, error) {
	return out(c.getInspections(ctx, id))
}

// DeclareDetail records the public hash of a category's private detail.
func (c *QualityContract) DeclareDetail(ctx ctxI, id, category, hash string) (string, error) {
	return out(c.declareDetail(ctx, id, category, hash))
}

// StoreDetail stores transient detail in the owner's implicit collection.
func (c *QualityContract) StoreDetail(ctx ctxI, id, category string) (string, error) {
	return out(c.storeDetail(ctx, id, category))
}

// Release releases an item through the release gate.
func (c *QualityContract) Release(ctx ctxI, id string) (string, error) {
	return out(c.release(ctx, id))
}

// Recall recalls an item and, at read time, every descendant.
func (c *QualityContract) Recall(ctx ctxI, id, reason string) (string, error) {
	return out(c.recall(ctx, id, reason))
}

// GrantConsent records a consent from the caller's org.
func (c *SharingContract) GrantConsent(ctx ctxI, inputJSON string) (string, error) {
	return out(c.grantConsent(ctx, inputJSON))
}

// RevokeConsent ends a consent at once.
func (c *SharingContract) RevokeConsent(ctx ctxI, consentID string) (string, error) {
	return out(c.revokeConsent(ctx, consentID))
}

// ListConsents lists consents granted or received by the caller's org.
func (c *SharingContract) ListConsents(ctx ctxI, direction string) (string, error) {
	return out(c.listConsents(ctx, direction))
}

// RecordAccess records a consented (or regulator) read before it happens.
func (c *SharingContract) RecordAccess(ctx ctxI, subject, category, consentID, purpose string) (string, error) {
	return out(c.recordAccess(ctx, subject, category, consentID, purpose))
}

// ReadShared returns private detail for a fresh committed access record.
func (c *SharingContract) ReadShared(ctx ctxI, accessID string) (string, error) {
	return out(c.readShared(ctx, accessID))
}

// ListAccess lists access records for the owner or a regulator.
func (c *SharingContract) ListAccess(ctx ctxI, subject, org, from, to, pageSize, bookmark string) (string, error) {
	return out(c.listAccess(ctx, subject, org, from, to, pageSize, bookmark))
}

// PurgeDetail erases a private detail; hash and audit remain.
func (c *SharingContract) PurgeDetail(ctx ctxI, subject, category string) (string, error) {
	return out(c.purgeDetail(ctx, subject, category))
}
