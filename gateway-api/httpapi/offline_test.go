package httpapi

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/proto"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/offline"
)

// endorsedTx is the bytes of an endorsed transaction (what the offline
// signer sends back to submit) whose chaincode event is ev.
func endorsedTx(t *testing.T, ev domain.ChaincodeEvent) []byte {
	t.Helper()
	m := func(msg proto.Message) []byte {
		b, err := proto.Marshal(msg)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	payload, _ := json.Marshal(ev)
	action := &peer.ChaincodeAction{Events: m(&peer.ChaincodeEvent{TxId: ev.TxID, EventName: domain.EventName, Payload: payload})}
	act := &peer.ChaincodeActionPayload{Action: &peer.ChaincodeEndorsedAction{
		ProposalResponsePayload: m(&peer.ProposalResponsePayload{Extension: m(action)})}}
	tx := &peer.Transaction{Actions: []*peer.TransactionAction{{Payload: m(act)}}}
	env := &common.Envelope{Payload: m(&common.Payload{Header: &common.Header{}, Data: m(tx)})}
	return m(&gateway.PreparedTransaction{TransactionId: ev.TxID, Envelope: env})
}

// A valid offline-signed write takes the same after-commit path: its block
// from the commit, its ids from the event the endorsers signed.
func TestOfflineCommitTakesTheAfterCommitPath(t *testing.T) {
	var r afterCommitRecorder
	svc := &Service{deps: Deps{AfterCommit: r.run}}
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest("POST", "/v1/offline/submit", nil)
	ev := domain.ChaincodeEvent{Type: "items.registered", IDs: []string{"88.118.8/OFF-1"}, TxID: "tx-off"}
	svc.afterOfflineCommit(c, c, &offline.Committed{TxID: "tx-off", Valid: true, Block: 42}, endorsedTx(t, ev))
	if got := r.String(); got != "[block 42 drop [88.118.8/OFF-1]]" {
		t.Fatalf("after-commit runs %s", got)
	}
}
