package chaincode

import (
	"encoding/json"
	"fmt"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/domain"
)

// EventName is the name of the one chaincode event every write emits.
const EventName = "idchain"

// Event types of domain.ChaincodeEvent.
const (
	EvPrefixAssigned  = "prefix.assigned"
	EvGCPAssigned     = "gcp.assigned"
	EvConfigSet       = "config.set"
	EvItemsRegistered = "items.registered"
	EvEventsRecorded  = "events.recorded"
	EvFirstScans      = "scans.recorded"
	EvSystemTouched   = "system.touched"
	EvItemReleased    = "item.released"
	EvItemRecalled    = "item.recalled"
	EvItemInspected   = "item.inspected"
	EvConsentGranted  = "consent.granted"
	EvConsentRevoked  = "consent.revoked"
	EvAccessRecorded  = "access.recorded"
	EvDetailStored    = "detail.stored"
	EvDetailPurged    = "detail.purged"
	EvPlanPut         = "plan.put"
	maxEventIDs       = 20000
)

// IDSet collects affected ids in first-seen order without duplicates.
type IDSet struct {
	ids  []string
	seen map[string]bool
}

// Add adds ids not yet present.
func (s *IDSet) Add(ids ...string) {
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	for _, id := range ids {
		if id != "" && !s.seen[id] {
			s.seen[id] = true
			s.ids = append(s.ids, id)
		}
	}
}

// IDs returns the collected ids in insertion order.
func (s *IDSet) IDs() []string { return s.ids }

// Len is the number of ids collected.
func (s *IDSet) Len() int { return len(s.ids) }

// emit sets the transaction's one chaincode event. Call it exactly once, as
// the last step of every write transaction (Fabric keeps only the last
// SetEvent). ids are deduplicated keeping first-seen order.
func emit(ctx contractapi.TransactionContextInterface, typ string, ids ...string) error {
	return emitPartial(ctx, typ, false, ids...)
}

// emitPartial is emit for an event whose ids list only part of the affected
// items (partial: readers treat every derived view as changed).
func emitPartial(ctx contractapi.TransactionContextInterface, typ string, partial bool, ids ...string) error {
	var set IDSet
	set.Add(ids...)
	out := set.IDs()
	if out == nil {
		out = []string{}
	}
	if len(out) > maxEventIDs {
		return domain.Errorf(domain.CodeInvalid, "transaction affects %d ids, more than %d", len(out), maxEventIDs)
	}
	stub := ctx.GetStub()
	payload, err := json.Marshal(domain.ChaincodeEvent{Type: typ, IDs: out, TxID: stub.GetTxID(), Partial: partial})
	if err != nil {
		return fmt.Errorf("event payload: %w", err)
	}
	if err := stub.SetEvent(EventName, payload); err != nil {
		return fmt.Errorf("set event: %w", err)
	}
	return nil
}
