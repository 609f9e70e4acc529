// Command roguecc is a test-only rogue chaincode server for the adversary
// suite (test/adversary). It stands in for one org's idchain chaincode
// server, the way an org that runs a binary of its own choosing would: it
// serves the same CCaaS address, chaincode id and TLS material as
// cmd/idchain-cc, answers every ordinary call with the honest chaincode (so
// the org keeps endorsing other traffic alike), and when a proposal carries a
// script in the transient field "rogue" it does exactly what the script asks,
// whatever the function name: put or delete any public or private key with
// any value, set or clear any state-based policy, read, emit an event, return
// any payload, or run an honest function while pretending to be another
// identity at another time and keep only the writes it likes (script.go).
//
// It is never deployed outside the integration tests.
package main

import (
	"errors"
	"log"
	"os"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/idchain/idchain/chaincode"
)

func main() {
	if err := run(os.Getenv); err != nil {
		log.Fatalf("roguecc: %v", err)
	}
}

func run(getenv func(string) string) error {
	cc, err := newRogue()
	if err != nil {
		return err
	}
	addr := getenv("CHAINCODE_SERVER_ADDRESS")
	ccid := getenv("CHAINCODE_ID")
	if ccid == "" {
		ccid = getenv("CORE_CHAINCODE_ID_NAME")
	}
	if addr == "" || ccid == "" {
		return errors.New("CHAINCODE_SERVER_ADDRESS and CHAINCODE_ID must be set (CCaaS only)")
	}
	tlsProps, err := chaincode.ServerTLS(getenv)
	if err != nil {
		return err
	}
	server := &shim.ChaincodeServer{CCID: ccid, Address: addr, CC: cc, TLSProps: tlsProps}
	log.Printf("roguecc: serving %s on %s (tls %v)", ccid, addr, !tlsProps.Disabled)
	return server.Start()
}
