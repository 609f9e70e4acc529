package chaincode

import (
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// TraceContract records provenance events and answers lineage queries.
type TraceContract struct {
	contractapi.Contract
}

// NewTraceContract returns the "trace" contract.
func NewTraceContract() *TraceContract {
	c := new(TraceContract)
	c.Name = "trace"
	return c
}

// GetEvaluateTransactions marks the read-only functions.
func (c *TraceContract) GetEvaluateTransactions() []string {
	return []string{"GetHistory", "GetItemHistory", "TraceBackward", "TraceForward", "GetProvenance"}
}

func (c *TraceContract) RecordEvents(ctx ctxI, eventsJSON string) (string, error) {
	return out(c.recordEvents(ctx, eventsJSON))
}
func (c *TraceContract) GetHistory(ctx ctxI, id string) (string, error) {
	return out(c.getHistory(ctx, id))
}
func (c *TraceContract) GetItemHistory(ctx ctxI, id string) (string, error) {
	return out(c.getItemHistory(ctx, id))
}
func (c *TraceContract) TraceBackward(ctx ctxI, id, maxDepth, limit string) (string, error) {
	return out(c.traceBackward(ctx, id, maxDepth, limit))
}
func (c *TraceContract) TraceForward(ctx ctxI, id, maxDepth, limit string) (string, error) {
	return out(c.traceForward(ctx, id, maxDepth, limit))
}
func (c *TraceContract) GetProvenance(ctx ctxI, id string) (string, error) {
	return out(c.getProvenance(ctx, id))
}
