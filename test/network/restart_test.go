//go:build integration

package network

import (
	"context"
	"testing"
	"time"

	"github.com/idchain/idchain/profile"
)

func TestTransactionsCommitWithOneOrdererDownAndItCatchesUp(t *testing.T) {
	p := mustProfile(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	s := mustSession(t, p, "maker-operator")
	if _, _, err := touch(ctx, s, uniqueKey(t)); err != nil {
		t.Fatalf("before stopping an orderer: %v", err)
	}
	// Stopping the Raft leader is the harder case: a new election must happen.
	victim, err := p.RaftLeader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	witness := p.Orderers[0]
	if witness.Name == victim.Name {
		witness = p.Orderers[1]
	}
	t.Logf("stopping the Raft leader %s", victim.Name)

	nodeCtl(t, "stop", victim.Name)
	restartAfterTest(t, p, victim.Name)
	_, block, err := touch(ctx, s, uniqueKey(t))
	if err != nil {
		t.Fatalf("with %s down: %v", victim.Name, err)
	}

	nodeCtl(t, "start", victim.Name)
	if _, err := waitHeight(ctx, witness.Operations, p.Channel, block+1); err != nil {
		t.Fatal(err)
	}
	if _, err := waitHeight(ctx, victim.Operations, p.Channel, block+1); err != nil {
		t.Fatalf("restarted %s did not catch up: %v", victim.Name, err)
	}
	if _, _, err := touch(ctx, s, uniqueKey(t)); err != nil {
		t.Fatalf("after restarting %s: %v", victim.Name, err)
	}
}

func TestRestartedPeerRejoinsAndItsGatewayServesAgain(t *testing.T) {
	p := mustProfile(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	org, err := p.Org("partner")
	if err != nil {
		t.Fatal(err)
	}
	user := firstUserWithRole(t, org)

	nodeCtl(t, "stop", org.Peer.Name)
	restartAfterTest(t, p, org.Peer.Name)
	// A majority of the other orgs still endorses and commits.
	other := mustSession(t, p, "maker-operator")
	_, block, err := touch(ctx, other, uniqueKey(t))
	if err != nil {
		t.Fatalf("with %s down: %v", org.Peer.Name, err)
	}

	nodeCtl(t, "start", org.Peer.Name)
	if _, err := waitHeight(ctx, org.Peer.Operations, p.Channel, block+1); err != nil {
		t.Fatalf("restarted %s did not catch up: %v", org.Peer.Name, err)
	}
	s := mustSession(t, p, user.Name)
	b := profile.Backoff{Initial: 250 * time.Millisecond, Max: 4 * time.Second, Total: 90 * time.Second}
	err = profile.Retry(ctx, b, func(ctx context.Context) error {
		_, err := s.Contract().EvaluateTransaction("system:Ping")
		return err
	})
	if err != nil {
		t.Fatalf("gateway of restarted %s does not evaluate: %v", org.Peer.Name, err)
	}
	if _, _, err := touch(ctx, s, uniqueKey(t)); err != nil {
		t.Fatalf("gateway of restarted %s does not submit: %v", org.Peer.Name, err)
	}
}
