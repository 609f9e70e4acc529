//go:build integration

package network

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"

	"github.com/idchain/idchain/profile"
)

func TestEveryOrgSubmitsAndEvaluatesThroughItsGateway(t *testing.T) {
	p := mustProfile(t)
	for _, org := range p.Orgs {
		t.Run(org.Name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			u := firstUserWithRole(t, org)
			s := mustSession(t, p, u.Name)

			txID, block, err := touch(ctx, s, uniqueKey(t))
			if err != nil {
				t.Fatalf("%s submit: %v", u.Name, err)
			}
			if txID == "" || block == 0 {
				t.Errorf("commit status: tx %q in block %d", txID, block)
			}
			if err := p.WaitCommitted(ctx, block); err != nil {
				t.Errorf("block %d not on every peer: %v", block, err)
			}

			got, err := ping(ctx, s)
			if err != nil {
				t.Fatalf("%s evaluate: %v", u.Name, err)
			}
			if got.MSP != org.MSPID || got.Role != u.Role || got.User != u.Name {
				t.Errorf("Ping = %+v, want msp %s role %s user %s", got, org.MSPID, u.Role, u.Name)
			}
		})
	}
}

func TestUserWithoutRoleIsRefusedByTheChaincode(t *testing.T) {
	p := mustProfile(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := mustSession(t, p, "maker-norole")

	if got, err := ping(ctx, s); err != nil || got.Role != "" {
		t.Fatalf("Ping by a member without role = %+v, %v; want it answered with an empty role", got, err)
	}
	var err error
	_ = profile.Retry(ctx, profile.DefaultBackoff, func(context.Context) error {
		_, err = s.Contract().SubmitTransaction("system:Touch", uniqueKey(t), "v")
		return err
	})
	if err == nil {
		t.Fatal("Touch by a user without idchain.role committed")
	}
	if msg := profile.ChaincodeMessage(err); !strings.HasPrefix(msg, "FORBIDDEN") {
		t.Fatalf("Touch error = %v (chaincode message %q), want a FORBIDDEN chaincode error", err, msg)
	}
}

func TestChaincodeEventListenerResumesAfterItsCheckpoint(t *testing.T) {
	p := mustProfile(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := mustSession(t, p, "maker-operator")
	checkpoint, err := client.NewFileCheckpointer(t.TempDir() + "/checkpoint.json")
	if err != nil {
		t.Fatal(err)
	}
	defer checkpoint.Close()

	firstTx, firstBlock, err := touch(ctx, s, uniqueKey(t))
	if err != nil {
		t.Fatal(err)
	}
	ev := nextEvent(ctx, t, s, checkpoint, firstBlock, firstTx)
	if err := checkpoint.CheckpointChaincodeEvent(ev); err != nil {
		t.Fatal(err)
	}

	secondTx, _, err := touch(ctx, s, uniqueKey(t))
	if err != nil {
		t.Fatal(err)
	}
	// A new listener with the same checkpoint must not see firstTx again.
	ev = nextEvent(ctx, t, s, checkpoint, firstBlock, "")
	if ev.TransactionID != secondTx {
		t.Fatalf("after resuming, first event is tx %s, want %s (first tx was %s)", ev.TransactionID, secondTx, firstTx)
	}
}

// nextEvent opens a checkpointed listener and returns the first idchain
// event, skipping events of other transactions when wantTx is set.
func nextEvent(ctx context.Context, t *testing.T, s *profile.Session, cp client.Checkpoint, start uint64, wantTx string) *client.ChaincodeEvent {
	t.Helper()
	lctx, stop := context.WithTimeout(ctx, 30*time.Second)
	defer stop()
	events, err := s.Network().ChaincodeEvents(lctx, s.Contract().ChaincodeName(),
		client.WithCheckpoint(cp), client.WithStartBlock(start))
	if err != nil {
		t.Fatal(err)
	}
	for ev := range events {
		if ev.EventName != "idchain" {
			continue
		}
		var payload struct {
			TxID string `json:"txId"`
		}
		if err := json.Unmarshal(ev.Payload, &payload); err != nil || payload.TxID != ev.TransactionID {
			t.Errorf("event payload %s does not carry its tx id %s (%v)", ev.Payload, ev.TransactionID, err)
		}
		if wantTx == "" || ev.TransactionID == wantTx {
			return ev
		}
	}
	t.Fatalf("no chaincode event received (want tx %q)", wantTx)
	return nil
}
