//go:build tools

// Package tools pins the Hyperledger Fabric CA binaries idchain builds natively.
package tools

import (
	_ "github.com/hyperledger/fabric-ca/cmd/fabric-ca-client"
	_ "github.com/hyperledger/fabric-ca/cmd/fabric-ca-server"
)
