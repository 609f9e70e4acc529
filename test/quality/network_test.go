//go:build integration

// Package quality holds the integration tests of the quality and sharing
// contracts against the running network (make network-up; never stopped
// here). It connects each enrolled user of network/.run/profile.json through
// fabric-gateway (package profile) to its own org's peer.
package quality

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/profile"
)

func loadProfile(t *testing.T) *profile.Profile {
	t.Helper()
	path, err := profile.Path(os.Getenv)
	if err != nil {
		t.Fatalf("no running network (%v): run make network-up", err)
	}
	p, err := profile.Load(path)
	if err != nil {
		t.Fatalf("profile: %v", err)
	}
	return p
}

// user is one connected identity.
type user struct {
	msp string
	net *client.Network
	p   *profile.Profile
}

// contract is a contract of the idchain chaincode plus the network's peers,
// so that submit can wait until every peer has committed.
type contract struct {
	*client.Contract
	p *profile.Profile
}

func (u *user) contract(name string) contract {
	return contract{u.net.GetContractWithName("idchain", name), u.p}
}

// connect opens a gateway for the named user on its org's peer.
func connect(t *testing.T, p *profile.Profile, name string) *user {
	t.Helper()
	s, err := p.Open(name, profile.DefaultTimeouts)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	t.Cleanup(func() { s.Close() })
	return &user{msp: s.Org.MSPID, net: s.Network(), p: p}
}

// submit submits fn and waits for its commit on every peer (the commit
// status covers only the gateway's own peer; another org's gateway endorsing
// the next transaction on a peer still a block behind gets an
// MVCC_READ_CONFLICT or "ProposalResponsePayloads do not match"). It returns
// the result and the block it committed in. Chaincode errors come back as
// *domain.Error.
func submit(c contract, fn string, opts ...client.ProposalOption) ([]byte, uint64, error) {
	res, commit, err := c.SubmitAsync(fn, opts...)
	if err != nil {
		return nil, 0, chaincodeError(err)
	}
	st, err := commit.Status()
	if err != nil {
		return nil, 0, err
	}
	if !st.Successful {
		return nil, st.BlockNumber, fmt.Errorf("%s: tx %s invalid: %s", fn, st.TransactionID, st.Code)
	}
	return res, st.BlockNumber, settle(c.p, st.BlockNumber+1)
}

// settle waits until every peer's ledger height reaches height.
func settle(p *profile.Profile, height uint64) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, o := range p.Orgs {
		for _, peer := range o.Peers {
			for {
				h, err := profile.BlockHeight(ctx, peer.Operations, p.Channel)
				if err == nil && h >= height {
					break
				}
				if ctx.Err() != nil {
					return fmt.Errorf("%s stays below height %d: %v", peer.Name, height, err)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	}
	return nil
}

func evaluate(c contract, fn string, opts ...client.ProposalOption) ([]byte, error) {
	res, err := c.Evaluate(fn, opts...)
	return res, chaincodeError(err)
}

// chaincodeError recovers the "CODE: message" of a chaincode error from the
// gateway error and its per-peer details.
func chaincodeError(err error) error {
	if err == nil {
		return nil
	}
	if e, ok := domain.ParseError(profile.ChaincodeMessage(err)); ok {
		return e
	}
	return err
}

func wantCode(t *testing.T, err error, code domain.Code) {
	t.Helper()
	if !errors.Is(err, &domain.Error{Code: code}) {
		t.Fatalf("error = %v, want %s", err, code)
	}
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}
