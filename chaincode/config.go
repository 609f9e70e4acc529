package chaincode

import (
	"slices"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/domain"
)

// Defaults used until system:SetConfig stores a configuration.
const (
	DefaultAuthority = "PlatformMSP"
	DefaultRegulator = "RegulatorMSP"
)

// Config is the chaincode configuration kept under config~ .
type Config struct {
	Authority  string   `json:"authority"`  // MSP that assigns prefixes and sets this config
	Regulators []string `json:"regulators"` // MSPs with regulator standing access
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
	return Config{Authority: DefaultAuthority, Regulators: []string{DefaultRegulator}}
}

// loadConfig returns the stored configuration or the defaults.
func loadConfig(ctx contractapi.TransactionContextInterface) (Config, error) {
	k, err := key(objConfig)
	if err != nil {
		return Config{}, err
	}
	var c Config
	ok, err := getJSON(ctx.GetStub(), k, &c)
	if err != nil {
		return Config{}, err
	}
	if !ok {
		return defaultConfig(), nil
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
