package chaincode

import "testing"

// The chaincode with every contract must build: contract-api checks every
// exported method's parameter and return types at NewChaincode.
func TestChaincodeBuilds(t *testing.T) {
	if _, err := New(); err != nil {
		t.Fatal(err)
	}
}
