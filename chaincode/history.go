package chaincode

import (
	"encoding/json"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/idchain/idchain/domain"
)

// maxHistory bounds the events and record versions one query returns.
const maxHistory = 5000

// getHistory returns the provenance events of an item, oldest first, with
// its inspections, release and applicable recall, and the events of its
// lot and holders it shows (historyOf).
func (c *TraceContract) getHistory(ctx ctxI, id string) ([]domain.Event, error) {
	stub := ctx.GetStub()
	it, _, err := loadItem(stub, id)
	if err != nil {
		return nil, err
	}
	rc, err := recallOf(stub, it)
	if err != nil {
		return nil, err
	}
	rel, err := relatedOf(stub, it)
	if err != nil {
		return nil, err
	}
	return historyOf(stub, it, rc, rel)
}

// eventsOf reads the recorded events of id in key (time) order.
func eventsOf(stub shim.ChaincodeStubInterface, id string) ([]domain.Event, error) {
	out := []domain.Event{}
	_, err := eachKV(stub, objEvent, []string{id}, maxHistory, "", func(_ string, v []byte) error {
		var ev domain.Event
		if err := unmarshalRecord(v, &ev); err != nil {
			return err
		}
		out = append(out, ev)
		return nil
	})
	return out, err
}

// getItemHistory returns the committed versions of the item record, newest
// first (GetHistoryForKey).
func (c *TraceContract) getItemHistory(ctx ctxI, id string) ([]domain.ItemVersion, error) {
	_, k, err := itemKeyOf(id)
	if err != nil {
		return nil, err
	}
	it, err := ctx.GetStub().GetHistoryForKey(k)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	out := []domain.ItemVersion{}
	for it.HasNext() && len(out) < maxHistory {
		m, err := it.Next()
		if err != nil {
			return nil, err
		}
		v := domain.ItemVersion{TxID: m.TxId, Deleted: m.IsDelete}
		if m.Timestamp != nil {
			v.At = m.Timestamp.AsTime().UTC().Format(time.RFC3339Nano)
		}
		if !m.IsDelete && len(m.Value) > 0 {
			v.Item = new(domain.Item)
			if err := json.Unmarshal(m.Value, v.Item); err != nil {
				return nil, err
			}
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, domain.Errorf(domain.CodeNotFound, "%s has no history", id)
	}
	return out, nil
}
