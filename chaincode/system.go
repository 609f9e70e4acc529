package chaincode

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/domain"
)

// SystemContract holds configuration and the network self-test functions
// (Ping, Touch: the raw-Fabric baseline of the benchmarks).
type SystemContract struct {
	contractapi.Contract
}

// NewSystemContract returns the "system" contract.
func NewSystemContract() *SystemContract {
	c := new(SystemContract)
	c.Name = "system"
	return c
}

// GetEvaluateTransactions marks the read-only functions.
func (c *SystemContract) GetEvaluateTransactions() []string {
	return []string{"Ping", "GetConfig"}
}

// PingResult tells the caller who the chaincode thinks it is.
type PingResult struct {
	MSP    string `json:"msp"`
	Role   string `json:"role"`
	User   string `json:"user"`
	TxTime string `json:"txTime"`
}

// TouchResult is returned by the trivial write.
type TouchResult struct {
	Key  string `json:"key"`
	TxID string `json:"txId"`
}

// ping returns the caller's identity as seen by the chaincode.
func (c *SystemContract) ping(ctx contractapi.TransactionContextInterface) (*PingResult, error) {
	who, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	at, _, err := stamp(ctx.GetStub())
	if err != nil {
		return nil, err
	}
	return &PingResult{MSP: who.MSP, Role: who.Role, User: who.User, TxTime: at}, nil
}

// touch writes value under touch~key: one key, one event; the raw-Fabric
// baseline. Any member with a role may call it.
func (c *SystemContract) touch(ctx contractapi.TransactionContextInterface, k, value string) (*TouchResult, error) {
	if _, err := requireRole(ctx); err != nil {
		return nil, err
	}
	if k == "" {
		return nil, domain.Errorf(domain.CodeInvalid, "key must not be empty")
	}
	stub := ctx.GetStub()
	sk, err := key(objTouch, k)
	if err != nil {
		return nil, err
	}
	v := []byte(value)
	if len(v) == 0 {
		v = marker
	}
	if err := stub.PutState(sk, v); err != nil {
		return nil, err
	}
	if err := emit(ctx, EvSystemTouched, k); err != nil {
		return nil, err
	}
	return &TouchResult{Key: k, TxID: stub.GetTxID()}, nil
}

// getConfig returns the configuration in force.
func (c *SystemContract) getConfig(ctx contractapi.TransactionContextInterface) (*Config, error) {
	cfg, err := loadConfig(ctx)
	return &cfg, err
}

// setConfig replaces the configuration; an admin of the authority org, or
// the regulator (RegulatorMSP with role regulator or admin). Only the
// regulator may change who regulates or who the authority is. The config key
// needs RegulatorMSP AND a majority of the other orgs to change, and counts
// only with RegulatorMSP's anchor (loadConfigStub), so the authority cannot
// promote itself alone.
func (c *SystemContract) setConfig(ctx contractapi.TransactionContextInterface, configJSON string) (*Config, error) {
	cur, err := loadConfig(ctx)
	if err != nil {
		return nil, err
	}
	who, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	isReg := isRegulatorOrg(who) || (who.MSP == DefaultRegulator && who.Has(domain.RoleAdmin))
	if !isReg {
		if who, _, err = requireAuthority(ctx); err != nil {
			return nil, err
		}
	}
	var cfg Config
	if err := parseJSONArg("config", configJSON, &cfg); err != nil {
		return nil, err
	}
	if len(cfg.Orgs) == 0 {
		cfg.Orgs = cur.Orgs
	}
	cfg.Orgs = sortedOrgs(cfg.Orgs)
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if !isReg && (cfg.Authority != cur.Authority || !slices.Equal(sortedOrgs(cfg.Regulators), sortedOrgs(cur.Regulators))) {
		return nil, domain.Errorf(domain.CodeForbidden, "only %s may change the authority or the regulators", DefaultRegulator)
	}
	return writeConfig(ctx, cfg, who)
}

// initConfig writes the default configuration once, so that the config key
// exists with its policy (RegulatorMSP AND a majority) and RegulatorMSP's
// anchor from the start: otherwise a majority without the regulator could
// create the key first (reads would ignore it, but it would block the
// regulator's own SetConfig). Any identity of RegulatorMSP may call it
// (network bootstrap: network/lib/chaincode.sh init_config); a no-op when
// the regulator's config exists.
func (c *SystemContract) initConfig(ctx contractapi.TransactionContextInterface) (*Config, error) {
	who, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	if who.MSP != DefaultRegulator {
		return nil, domain.Errorf(domain.CodeForbidden, "only %s initialises the configuration", DefaultRegulator)
	}
	stub := ctx.GetStub()
	k, err := key(objConfig)
	if err != nil {
		return nil, err
	}
	b, err := stub.GetState(k)
	if err != nil {
		return nil, err
	}
	if b != nil {
		if ok, err := anchoredValue(stub, DefaultRegulator, k, b); err != nil || !ok {
			return nil, errors.Join(err, domain.Errorf(domain.CodeConflict, "a config key exists that %s did not anchor", DefaultRegulator))
		}
		cfg, err := loadConfig(ctx)
		return &cfg, err
	}
	return writeConfig(ctx, defaultConfig(), who)
}

// writeConfig stores cfg with the config policy and RegulatorMSP's anchor.
func writeConfig(ctx contractapi.TransactionContextInterface, cfg Config, who Caller) (*Config, error) {
	stub := ctx.GetStub()
	at, _, err := stamp(stub)
	if err != nil {
		return nil, err
	}
	cfg.UpdatedAt, cfg.UpdatedBy, cfg.TxID = at, who.User, stub.GetTxID()
	k, err := key(objConfig)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("marshal config: %w", err)
	}
	if err := stub.PutState(k, b); err != nil {
		return nil, fmt.Errorf("put state: %w", err)
	}
	pc := policyCache{}
	if err := setKeyPolicy(stub, pc, k, classConfig, ""); err != nil {
		return nil, err
	}
	if err := anchorValue(stub, pc, DefaultRegulator, k, b, classConfig); err != nil {
		return nil, err
	}
	if err := emit(ctx, EvConfigSet); err != nil {
		return nil, err
	}
	return &cfg, nil
}
