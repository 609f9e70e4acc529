// Command idchain-cc is the idchain chaincode. With CHAINCODE_SERVER_ADDRESS
// and CHAINCODE_ID (or CORE_CHAINCODE_ID_NAME) set it runs as a chaincode
// server the peer dials (chaincode as a service); otherwise it dials the
// peer as a peer-launched chaincode.
//
// TLS for the server is optional: CHAINCODE_TLS_CERT_FILE and
// CHAINCODE_TLS_KEY_FILE enable it; CHAINCODE_TLS_CLIENT_CA_FILE also
// requires and verifies peer client certificates.
package main

import (
	"errors"
	"log"
	"os"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/idchain/idchain/chaincode"
)

// version is stamped at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	if err := run(os.Getenv); err != nil {
		log.Fatalf("idchain-cc: %v", err)
	}
}

func run(getenv func(string) string) error {
	chaincode.Version = version
	cc, err := chaincode.New()
	if err != nil {
		return err
	}
	addr := getenv("CHAINCODE_SERVER_ADDRESS")
	if addr == "" {
		return shim.Start(cc)
	}
	ccid := getenv("CHAINCODE_ID")
	if ccid == "" {
		ccid = getenv("CORE_CHAINCODE_ID_NAME")
	}
	if ccid == "" {
		return errors.New("CHAINCODE_SERVER_ADDRESS is set but CHAINCODE_ID is not")
	}
	tlsProps, err := chaincode.ServerTLS(getenv)
	if err != nil {
		return err
	}
	server := &shim.ChaincodeServer{CCID: ccid, Address: addr, CC: cc, TLSProps: tlsProps}
	log.Printf("idchain-cc %s: serving %s on %s (tls %v)", version, ccid, addr, !tlsProps.Disabled)
	return server.Start()
}
