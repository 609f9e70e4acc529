package chaincode

import (
	"errors"
	"fmt"
	"os"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
)

// ServerTLS reads the chaincode server's optional TLS material from the
// environment: CHAINCODE_TLS_CERT_FILE and CHAINCODE_TLS_KEY_FILE enable TLS,
// CHAINCODE_TLS_CLIENT_CA_FILE also requires and verifies peer client
// certificates. Every CCaaS server built from this repository (the honest
// cmd/idchain-cc and the adversary suite's rogue server) reads them here, so
// a swapped-in server listens exactly like the one it replaces.
func ServerTLS(getenv func(string) string) (shim.TLSProperties, error) {
	certFile, keyFile := getenv("CHAINCODE_TLS_CERT_FILE"), getenv("CHAINCODE_TLS_KEY_FILE")
	if certFile == "" && keyFile == "" {
		return shim.TLSProperties{Disabled: true}, nil
	}
	if certFile == "" || keyFile == "" {
		return shim.TLSProperties{}, errors.New("CHAINCODE_TLS_CERT_FILE and CHAINCODE_TLS_KEY_FILE go together")
	}
	props := shim.TLSProperties{}
	var err error
	if props.Cert, err = os.ReadFile(certFile); err != nil {
		return props, fmt.Errorf("tls cert: %w", err)
	}
	if props.Key, err = os.ReadFile(keyFile); err != nil {
		return props, fmt.Errorf("tls key: %w", err)
	}
	if ca := getenv("CHAINCODE_TLS_CLIENT_CA_FILE"); ca != "" {
		if props.ClientCACerts, err = os.ReadFile(ca); err != nil {
			return props, fmt.Errorf("tls client CA: %w", err)
		}
	}
	return props, nil
}
