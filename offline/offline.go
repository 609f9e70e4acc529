// Package offline runs Fabric transactions for identities whose private key
// never reaches the server (a maker's HSM or own PKI): the server builds the
// proposal for the caller's certificate and hands out its digest, the caller
// signs, the server has it endorsed and hands out the transaction's digest,
// the caller signs again, and the server sends it to the orderer and waits
// for the commit. The server cannot act in the caller's name: without the
// caller's signatures the peers refuse the proposal and the orderer the
// transaction.
//
// Each step is stateless: the caller sends back the bytes it got with its
// signature (fabric-gateway's offline-signing API). The commit is awaited
// with the server's own identity (qscc GetTransactionByID), which needs no
// third signature from the caller.
package offline

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-gateway/pkg/hash"
	"github.com/hyperledger/fabric-gateway/pkg/identity"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// Flow prepares, endorses and submits offline-signed transactions over one
// gRPC connection to a gateway peer.
type Flow struct {
	Conn      grpc.ClientConnInterface
	Channel   string
	Chaincode string
	// Status is a network of the server's own identity, used to wait for
	// commits (qscc GetTransactionByID).
	Status *client.Network
	// Timeout bounds the wait for a commit; default 60 s.
	Timeout time.Duration
}

// Prepared is a proposal to sign.
type Prepared struct {
	TxID     string `json:"txId"`
	Proposal []byte `json:"proposal"` // send back with the signature
	Digest   []byte `json:"digest"`   // sign this (SHA-256 of the proposal)
}

// Endorsed is an endorsed transaction to sign.
type Endorsed struct {
	TxID        string `json:"txId"`
	Result      []byte `json:"result"` // the chaincode's response
	Transaction []byte `json:"transaction"`
	Digest      []byte `json:"digest"`
}

// Committed is the outcome of a submitted transaction.
type Committed struct {
	TxID   string `json:"txId"`
	Valid  bool   `json:"valid"`
	Code   string `json:"code"` // Fabric validation code, e.g. VALID, MVCC_READ_CONFLICT
	Result []byte `json:"-"`
	Block  uint64 `json:"-"` // the block it was committed in (valid or not)
}

// gateway connects the caller's certificate without a signer: every
// signature must come from outside.
func (f *Flow) gateway(mspID string, certPEM []byte) (*client.Gateway, error) {
	cert, err := identity.CertificateFromPEM(certPEM)
	if err != nil {
		return nil, fmt.Errorf("offline: certificate: %w", err)
	}
	id, err := identity.NewX509Identity(mspID, cert)
	if err != nil {
		return nil, fmt.Errorf("offline: identity: %w", err)
	}
	return client.Connect(id, client.WithClientConnection(f.Conn), client.WithHash(hash.SHA256),
		client.WithEndorseTimeout(30*time.Second), client.WithSubmitTimeout(15*time.Second))
}

// Prepare builds the proposal of fn(args...) with the caller's certificate.
func (f *Flow) Prepare(mspID string, certPEM []byte, fn string, args []string, transient map[string][]byte) (*Prepared, error) {
	gw, err := f.gateway(mspID, certPEM)
	if err != nil {
		return nil, err
	}
	opts := []client.ProposalOption{client.WithArguments(args...)}
	if len(transient) > 0 {
		opts = append(opts, client.WithTransient(transient))
	}
	p, err := gw.GetNetwork(f.Channel).GetContract(f.Chaincode).NewProposal(fn, opts...)
	if err != nil {
		return nil, fmt.Errorf("offline: proposal: %w", err)
	}
	b, err := p.Bytes()
	if err != nil {
		return nil, fmt.Errorf("offline: proposal: %w", err)
	}
	return &Prepared{TxID: p.TransactionID(), Proposal: b, Digest: p.Digest()}, nil
}

// Endorse has the signed proposal endorsed and returns the transaction to
// sign. A chaincode error comes back as the peers' error.
func (f *Flow) Endorse(ctx context.Context, mspID string, certPEM, proposal, signature []byte) (*Endorsed, error) {
	gw, err := f.gateway(mspID, certPEM)
	if err != nil {
		return nil, err
	}
	p, err := gw.NewSignedProposal(proposal, signature)
	if err != nil {
		return nil, fmt.Errorf("offline: signed proposal: %w", err)
	}
	tx, err := p.EndorseWithContext(ctx)
	if err != nil {
		return nil, err
	}
	b, err := tx.Bytes()
	if err != nil {
		return nil, fmt.Errorf("offline: transaction: %w", err)
	}
	return &Endorsed{TxID: tx.TransactionID(), Result: tx.Result(), Transaction: b, Digest: tx.Digest()}, nil
}

// Submit sends the signed transaction to the orderer and waits until it is
// committed (valid or not).
func (f *Flow) Submit(ctx context.Context, mspID string, certPEM, transaction, signature []byte) (*Committed, error) {
	gw, err := f.gateway(mspID, certPEM)
	if err != nil {
		return nil, err
	}
	tx, err := gw.NewSignedTransaction(transaction, signature)
	if err != nil {
		return nil, fmt.Errorf("offline: signed transaction: %w", err)
	}
	if _, err := tx.SubmitWithContext(ctx); err != nil {
		return nil, err
	}
	code, err := f.wait(ctx, tx.TransactionID())
	if err != nil {
		return nil, err
	}
	block, err := f.blockOf(ctx, tx.TransactionID())
	if err != nil {
		return nil, err
	}
	return &Committed{TxID: tx.TransactionID(), Valid: code == peer.TxValidationCode_VALID, Code: code.String(),
		Result: tx.Result(), Block: block}, nil
}

// blockOf is the number of the block holding the committed txID (qscc
// GetBlockByTxID), so the caller can wait until other peers have it.
func (f *Flow) blockOf(ctx context.Context, txID string) (uint64, error) {
	b, err := f.Status.GetContract("qscc").EvaluateWithContext(ctx, "GetBlockByTxID", client.WithArguments(f.Channel, txID))
	if err != nil {
		return 0, fmt.Errorf("offline: block of %s: %w", txID, err)
	}
	var blk common.Block
	if err := proto.Unmarshal(b, &blk); err != nil {
		return 0, fmt.Errorf("offline: block of %s: %w", txID, err)
	}
	return blk.GetHeader().GetNumber(), nil
}

// wait polls qscc until txID is in a block and returns its validation code.
func (f *Flow) wait(ctx context.Context, txID string) (peer.TxValidationCode, error) {
	timeout := f.Timeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	qscc := f.Status.GetContract("qscc")
	for {
		b, err := qscc.EvaluateWithContext(ctx, "GetTransactionByID", client.WithArguments(f.Channel, txID))
		if err == nil {
			var pt peer.ProcessedTransaction
			if err := proto.Unmarshal(b, &pt); err != nil {
				return 0, fmt.Errorf("offline: processed transaction: %w", err)
			}
			return peer.TxValidationCode(pt.ValidationCode), nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("offline: waiting for the commit of %s: %w", txID, ctx.Err())
		case <-time.After(150 * time.Millisecond):
		}
	}
}

// SignDigest signs a digest handed out by Prepare or Endorse with key (ECDSA,
// S in the lower half of the order, ASN.1), as a maker's tool does.
func SignDigest(key *ecdsa.PrivateKey, digest []byte) ([]byte, error) {
	if len(digest) != sha256.Size {
		return nil, errors.New("offline: a digest has 32 bytes")
	}
	r, s, err := ecdsa.Sign(rand.Reader, key, digest)
	if err != nil {
		return nil, fmt.Errorf("offline: sign: %w", err)
	}
	n := key.Curve.Params().N
	if s.Cmp(new(big.Int).Rsh(n, 1)) > 0 {
		s = new(big.Int).Sub(n, s)
	}
	return asn1.Marshal(struct{ R, S *big.Int }{r, s})
}
