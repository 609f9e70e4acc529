// Package network holds the integration tests of the native Fabric network
// (build tag integration): every org submits and evaluates through
// fabric-gateway, checkpointed chaincode events, orderer and peer restarts,
// refusal of a user without an idchain.role attribute. They need a running
// network (make up) and are run by make test.
package network
