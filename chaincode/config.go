package chaincode

import (
	"slices"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/domain"
)

// Defaults used until system:SetConfig stores a configuration.
const (
	DefaultAuthority = domain.AuthorityMSP
	DefaultRegulator = domain.RegulatorMSP
)

// DefaultOrgs is the consortium until system:SetConfig stores one: the orgs
// whose peers the state-based policies name (sbe.go). make add-org extends
// it through SetConfig (the one place the chaincode's org list comes from).
var DefaultOrgs = []string{"MakerMSP", "PartnerMSP", "PlatformMSP", "RegulatorMSP"}

// Config is the chaincode configuration kept under config~ .
type Config struct {
	Authority  string   `json:"authority"`  // MSP that assigns prefixes and sets this config
	Regulators []string `json:"regulators"` // MSPs with regulator standing access
	// Orgs is the consortium: every org whose peers endorse (sorted).
	Orgs []string `json:"orgs"`
	// RegulatorCategories limits regulators' standing read access to private
	// detail (sharing contract); empty: every category but formula.
	RegulatorCategories []domain.Category `json:"regulatorCategories,omitempty"`
	UpdatedAt           string            `json:"updatedAt,omitempty"`
	UpdatedBy           string            `json:"updatedBy,omitempty"`
	TxID                string            `json:"txId,omitempty"`
}

// IsRegulator reports whether msp is a regulator org.
func (c Config) IsRegulator(msp string) bool { return slices.Contains(c.Regulators, msp) }

func defaultConfig() Config {
	return Config{Authority: DefaultAuthority, Regulators: []string{DefaultRegulator}, Orgs: sortedOrgs(DefaultOrgs)}
}

// loadConfig returns the stored configuration or the defaults.
func loadConfig(ctx contractapi.TransactionContextInterface) (Config, error) {
	return loadConfigStub(ctx.GetStub())
}

// loadConfigStub returns the stored configuration when RegulatorMSP anchored
// it (a config key written without the regulator is ignored), else the
// defaults.
func loadConfigStub(stub shim.ChaincodeStubInterface) (Config, error) {
	k, err := key(objConfig)
	if err != nil {
		return Config{}, err
	}
	b, err := stub.GetState(k)
	if err != nil {
		return Config{}, err
	}
	if b == nil {
		return defaultConfig(), nil
	}
	ok, err := anchoredValue(stub, DefaultRegulator, k, b)
	if err != nil || !ok {
		return defaultConfig(), err
	}
	var c Config
	if err := unmarshalRecord(b, &c); err != nil {
		return Config{}, err
	}
	if len(c.Orgs) == 0 {
		c.Orgs = sortedOrgs(DefaultOrgs)
	}
	return c, nil
}

// requireAuthority returns the caller when it is an admin of the authority org.
func requireAuthority(ctx contractapi.TransactionContextInterface) (Caller, Config, error) {
	cfg, err := loadConfig(ctx)
	if err != nil {
		return Caller{}, cfg, err
	}
	c, err := requireOrgRole(ctx, cfg.Authority, domain.RoleAdmin)
	return c, cfg, err
}

// validate checks a new configuration.
func (c Config) validate() error {
	if c.Authority == "" {
		return domain.Errorf(domain.CodeInvalid, "config: authority is required")
	}
	if !slices.Contains(c.Orgs, DefaultRegulator) || !slices.Contains(c.Orgs, c.Authority) {
		return domain.Errorf(domain.CodeInvalid, "config: orgs must include %s and the authority", DefaultRegulator)
	}
	for _, o := range c.Orgs {
		if o == "" {
			return domain.Errorf(domain.CodeInvalid, "config: empty org MSP")
		}
	}
	for _, r := range c.Regulators {
		if r == "" {
			return domain.Errorf(domain.CodeInvalid, "config: empty regulator MSP")
		}
	}
	for _, cat := range c.RegulatorCategories {
		if !domain.KnownCategory(cat) {
			return domain.Errorf(domain.CodeInvalid, "config: unknown category %q", cat)
		}
	}
	return nil
}
