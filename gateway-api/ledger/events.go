package ledger

import (
	"encoding/json"
	"fmt"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/proto"

	"github.com/idchain/idchain/domain"
)

// decodeEvent decodes the chaincode's one event (ChaincodeEventTag) of
// transaction txID; ok is false for an event of another name.
func decodeEvent(name string, payload []byte, txID string) (ev domain.ChaincodeEvent, ok bool, err error) {
	if name != ChaincodeEventTag {
		return ev, false, nil
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		return ev, false, fmt.Errorf("chaincode event of tx %s: %w", txID, err)
	}
	if ev.TxID == "" {
		ev.TxID = txID
	}
	return ev, true, nil
}

// TransactionEvent reads the chaincode event from an endorsed transaction
// as fabric-gateway serialises it (client.Transaction.Bytes, the bytes an
// offline signer sends back): the event the endorsing peers signed, which
// is the one the listener receives once the transaction commits valid. ok
// is false when the transaction carries no idchain event.
func TransactionEvent(prepared []byte) (ev domain.ChaincodeEvent, ok bool, err error) {
	var pt gateway.PreparedTransaction
	if err := proto.Unmarshal(prepared, &pt); err != nil {
		return ev, false, fmt.Errorf("prepared transaction: %w", err)
	}
	var payload common.Payload
	if err := proto.Unmarshal(pt.GetEnvelope().GetPayload(), &payload); err != nil {
		return ev, false, fmt.Errorf("transaction payload: %w", err)
	}
	var tx peer.Transaction
	if err := proto.Unmarshal(payload.GetData(), &tx); err != nil {
		return ev, false, fmt.Errorf("transaction: %w", err)
	}
	for _, a := range tx.GetActions() {
		var act peer.ChaincodeActionPayload
		if err := proto.Unmarshal(a.GetPayload(), &act); err != nil {
			return ev, false, fmt.Errorf("chaincode action payload: %w", err)
		}
		var prp peer.ProposalResponsePayload
		if err := proto.Unmarshal(act.GetAction().GetProposalResponsePayload(), &prp); err != nil {
			return ev, false, fmt.Errorf("proposal response payload: %w", err)
		}
		var ca peer.ChaincodeAction
		if err := proto.Unmarshal(prp.GetExtension(), &ca); err != nil {
			return ev, false, fmt.Errorf("chaincode action: %w", err)
		}
		if len(ca.GetEvents()) == 0 {
			continue
		}
		var ce peer.ChaincodeEvent
		if err := proto.Unmarshal(ca.GetEvents(), &ce); err != nil {
			return ev, false, fmt.Errorf("chaincode event: %w", err)
		}
		if ev, ok, err = decodeEvent(ce.GetEventName(), ce.GetPayload(), ce.GetTxId()); ok || err != nil {
			return ev, ok, err
		}
	}
	return ev, false, nil
}
