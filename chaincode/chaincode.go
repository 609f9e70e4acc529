package chaincode

import (
	"fmt"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// Version is reported in the chaincode metadata; set by the binary.
var Version = "dev"

// more holds constructors of contracts defined in other files of this
// package (quality, sharing), added from their init functions with
// addContract so that each engineer edits only their own files.
var more []func() contractapi.ContractInterface

// addContract registers a contract constructor; call it from an init func.
func addContract(f func() contractapi.ContractInterface) { more = append(more, f) }

// Contracts returns every contract of the idchain chaincode, system first.
func Contracts() []contractapi.ContractInterface {
	cs := []contractapi.ContractInterface{
		NewSystemContract(),
		NewRegistryContract(),
		NewTraceContract(),
		NewPublicContract(),
	}
	for _, f := range more {
		cs = append(cs, f())
	}
	for _, c := range cs {
		withWindow(c)
	}
	return cs
}

// New builds the chaincode with every contract.
func New() (*contractapi.ContractChaincode, error) {
	cc, err := contractapi.NewChaincode(Contracts()...)
	if err != nil {
		return nil, fmt.Errorf("chaincode: %w", err)
	}
	cc.Info.Title = "idchain"
	cc.Info.Version = Version
	cc.DefaultContract = "system"
	return cc, nil
}
