package chaincode

import (
	"encoding/json"
	"fmt"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// The transaction functions of the system and registry contracts, as listed
// in docs/chaincode-api.md. Each returns the JSON text of its domain result:
// contract-api would otherwise check every response against a JSON schema
// built by reflection, which rejects *float64 fields and generic type names
// (domain.Page[T]), requires every field not tagged metadata:",optional",
// and costs CPU per item of a large batch. The typed implementations
// (lower-case) are what unit tests call.

// out renders a typed result as the response text.
func out[T any](v T, err error) (string, error) {
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("marshal response: %w", err)
	}
	return string(b), nil
}

type ctxI = contractapi.TransactionContextInterface

func (c *SystemContract) Ping(ctx ctxI) (string, error) { return out(c.ping(ctx)) }
func (c *SystemContract) Touch(ctx ctxI, key, value string) (string, error) {
	return out(c.touch(ctx, key, value))
}
func (c *SystemContract) GetConfig(ctx ctxI) (string, error)  { return out(c.getConfig(ctx)) }
func (c *SystemContract) InitConfig(ctx ctxI) (string, error) { return out(c.initConfig(ctx)) }
func (c *SystemContract) SetConfig(ctx ctxI, configJSON string) (string, error) {
	return out(c.setConfig(ctx, configJSON))
}

func (c *RegistryContract) AssignPrefix(ctx ctxI, prefix, ownerMSP string) (string, error) {
	return out(c.assignPrefix(ctx, prefix, ownerMSP))
}
func (c *RegistryContract) AssignGCP(ctx ctxI, gcp, ownerMSP string) (string, error) {
	return out(c.assignGCP(ctx, gcp, ownerMSP))
}
func (c *RegistryContract) ListGCPs(ctx ctxI, ownerMSP string) (string, error) {
	return out(c.listGCPs(ctx, ownerMSP))
}
func (c *RegistryContract) GetPrefix(ctx ctxI, prefix string) (string, error) {
	return out(c.getPrefix(ctx, prefix))
}
func (c *RegistryContract) ListPrefixes(ctx ctxI, ownerMSP string) (string, error) {
	return out(c.listPrefixes(ctx, ownerMSP))
}
func (c *RegistryContract) RegisterItems(ctx ctxI, itemsJSON string) (string, error) {
	return out(c.registerItems(ctx, itemsJSON))
}
func (c *RegistryContract) GetItem(ctx ctxI, id string) (string, error) {
	return out(c.getItem(ctx, id))
}
func (c *RegistryContract) FindByGTIN(ctx ctxI, gtin, lot, serial string) (string, error) {
	return out(c.findByGTIN(ctx, gtin, lot, serial))
}
func (c *RegistryContract) ListItems(ctx ctxI, owner, model, lot, pageSize, bookmark string) (string, error) {
	return out(c.listItems(ctx, owner, model, lot, pageSize, bookmark))
}
