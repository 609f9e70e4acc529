//go:build integration

package adversary

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/identity"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/idchain/idchain/profile"
)

// actor is a real enrolled user of the running network: its serialized
// identity (the proposal creator) and its private key.
type actor struct {
	Name    string
	MSP     string
	Creator []byte
	sign    identity.Sign
}

func loadActor(p *profile.Profile, name string) (*actor, error) {
	org, u, err := p.User(name)
	if err != nil {
		return nil, err
	}
	_, sign, err := profile.Signer(org.MSPID, u)
	if err != nil {
		return nil, err
	}
	certPEM, err := os.ReadFile(u.Cert)
	if err != nil {
		return nil, err
	}
	creator, err := proto.Marshal(&msp.SerializedIdentity{Mspid: org.MSPID, IdBytes: certPEM})
	if err != nil {
		return nil, err
	}
	return &actor{Name: name, MSP: org.MSPID, Creator: creator, sign: sign}, nil
}

// signature signs the SHA-256 digest of b, as Fabric verifies it.
func (a *actor) signature(b []byte) ([]byte, error) {
	d := sha256.Sum256(b)
	return a.sign(d[:])
}

// call is one hand-built proposal.
type call struct {
	Fn        string
	Args      []string
	Transient map[string][]byte
	// At is the proposal timestamp (zero: now). Fabric copies it into the
	// transaction; the chaincode sees it as GetTxTimestamp.
	At time.Time
	// Orgs are the endorsing (submit) or target (evaluate) organizations;
	// nil lets the gateway choose by the chaincode's policies.
	Orgs []string
}

// proposal builds and signs a proposal: channel header with tx id and the
// chosen timestamp, signature header with the creator and a fresh nonce,
// chaincode invocation spec with the arguments.
func proposal(channel, chaincode string, a *actor, c call) (*peer.SignedProposal, string, error) {
	nonce := make([]byte, 24)
	if _, err := rand.Read(nonce); err != nil {
		return nil, "", err
	}
	h := sha256.New()
	h.Write(nonce)
	h.Write(a.Creator)
	txID := hex.EncodeToString(h.Sum(nil))
	at := c.At
	if at.IsZero() {
		at = time.Now()
	}
	ext, err := proto.Marshal(&peer.ChaincodeHeaderExtension{ChaincodeId: &peer.ChaincodeID{Name: chaincode}})
	if err != nil {
		return nil, "", err
	}
	chdr, err := proto.Marshal(&common.ChannelHeader{
		Type:      int32(common.HeaderType_ENDORSER_TRANSACTION),
		ChannelId: channel,
		TxId:      txID,
		Timestamp: timestamppb.New(at),
		Extension: ext,
	})
	if err != nil {
		return nil, "", err
	}
	shdr, err := proto.Marshal(&common.SignatureHeader{Creator: a.Creator, Nonce: nonce})
	if err != nil {
		return nil, "", err
	}
	hdr, err := proto.Marshal(&common.Header{ChannelHeader: chdr, SignatureHeader: shdr})
	if err != nil {
		return nil, "", err
	}
	args := [][]byte{[]byte(c.Fn)}
	for _, s := range c.Args {
		args = append(args, []byte(s))
	}
	spec, err := proto.Marshal(&peer.ChaincodeInvocationSpec{ChaincodeSpec: &peer.ChaincodeSpec{
		Type:        peer.ChaincodeSpec_GOLANG,
		ChaincodeId: &peer.ChaincodeID{Name: chaincode},
		Input:       &peer.ChaincodeInput{Args: args},
	}})
	if err != nil {
		return nil, "", err
	}
	payload, err := proto.Marshal(&peer.ChaincodeProposalPayload{Input: spec, TransientMap: c.Transient})
	if err != nil {
		return nil, "", err
	}
	pb, err := proto.Marshal(&peer.Proposal{Header: hdr, Payload: payload})
	if err != nil {
		return nil, "", err
	}
	sig, err := a.signature(pb)
	if err != nil {
		return nil, "", err
	}
	return &peer.SignedProposal{ProposalBytes: pb, Signature: sig}, txID, nil
}

// outcome is what became of a submitted proposal: refused at endorsement
// (EndorseErr), or ordered and validated with Code.
type outcome struct {
	TxID       string
	EndorseErr error
	Code       peer.TxValidationCode
	Block      uint64
	Payload    []byte // the chaincode's answer in the endorsement
}

func (o outcome) String() string {
	if o.EndorseErr != nil {
		return fmt.Sprintf("tx %s refused at endorsement: %v", o.TxID, o.EndorseErr)
	}
	return fmt.Sprintf("tx %s committed in block %d as %s", o.TxID, o.Block, o.Code)
}

// Committed reports whether the transaction changed the ledger.
func (o outcome) Committed() bool {
	return o.EndorseErr == nil && o.Code == peer.TxValidationCode_VALID
}

// submit sends c through gw (a peer's gateway service): endorse (on c.Orgs
// when set), sign the prepared transaction, submit, and wait for its
// validation code. Transport failures are errors; refusals are outcomes.
func (n *net) submit(ctx context.Context, gw gateway.GatewayClient, a *actor, c call) (outcome, error) {
	sp, txID, err := proposal(n.p.Channel, n.p.Chaincode, a, c)
	if err != nil {
		return outcome{}, err
	}
	o := outcome{TxID: txID}
	er, err := gw.Endorse(ctx, &gateway.EndorseRequest{
		TransactionId: txID, ChannelId: n.p.Channel, ProposedTransaction: sp, EndorsingOrganizations: c.Orgs,
	})
	if err != nil {
		o.EndorseErr = gatewayError(err)
		return o, nil
	}
	env := er.GetPreparedTransaction()
	o.Payload = responsePayload(env)
	if env.Signature, err = a.signature(env.GetPayload()); err != nil {
		return o, err
	}
	if _, err := gw.Submit(ctx, &gateway.SubmitRequest{TransactionId: txID, ChannelId: n.p.Channel, PreparedTransaction: env}); err != nil {
		return o, fmt.Errorf("submit %s: %w", txID, gatewayError(err))
	}
	req, err := proto.Marshal(&gateway.CommitStatusRequest{TransactionId: txID, ChannelId: n.p.Channel, Identity: a.Creator})
	if err != nil {
		return o, err
	}
	sig, err := a.signature(req)
	if err != nil {
		return o, err
	}
	st, err := gw.CommitStatus(ctx, &gateway.SignedCommitStatusRequest{Request: req, Signature: sig})
	if err != nil {
		return o, fmt.Errorf("commit status %s: %w", txID, gatewayError(err))
	}
	o.Code, o.Block = st.GetResult(), st.GetBlockNumber()
	// Later reads and writes may go through any org's peer.
	return o, n.p.WaitCommitted(ctx, o.Block)
}

// evaluate runs c on one peer of c.Orgs (or the gateway's choice) and
// returns the chaincode's payload or its error.
func (n *net) evaluate(ctx context.Context, gw gateway.GatewayClient, a *actor, c call) ([]byte, error) {
	sp, txID, err := proposal(n.p.Channel, n.p.Chaincode, a, c)
	if err != nil {
		return nil, err
	}
	r, err := gw.Evaluate(ctx, &gateway.EvaluateRequest{
		TransactionId: txID, ChannelId: n.p.Channel, ProposedTransaction: sp, TargetOrganizations: c.Orgs,
	})
	if err != nil {
		return nil, gatewayError(err)
	}
	return r.GetResult().GetPayload(), nil
}

// gatewayError folds the per-peer details of a gateway error into its text
// (they hold the chaincode's "CODE: message").
func gatewayError(err error) error {
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	var parts []string
	for _, d := range st.Details() {
		if ed, ok := d.(*gateway.ErrorDetail); ok {
			parts = append(parts, fmt.Sprintf("%s@%s: %s", ed.GetMspId(), ed.GetAddress(), ed.GetMessage()))
		}
	}
	if len(parts) == 0 {
		return errors.New(st.Message())
	}
	return fmt.Errorf("%s [%s]", st.Message(), strings.Join(parts, "; "))
}

// responsePayload digs the chaincode response out of a prepared
// transaction (nil when the envelope has another shape).
func responsePayload(env *common.Envelope) []byte {
	var pl common.Payload
	if proto.Unmarshal(env.GetPayload(), &pl) != nil {
		return nil
	}
	var tx peer.Transaction
	if proto.Unmarshal(pl.GetData(), &tx) != nil || len(tx.GetActions()) == 0 {
		return nil
	}
	var cap peer.ChaincodeActionPayload
	if proto.Unmarshal(tx.GetActions()[0].GetPayload(), &cap) != nil {
		return nil
	}
	var prp peer.ProposalResponsePayload
	if proto.Unmarshal(cap.GetAction().GetProposalResponsePayload(), &prp) != nil {
		return nil
	}
	var ca peer.ChaincodeAction
	if proto.Unmarshal(prp.GetExtension(), &ca) != nil {
		return nil
	}
	return ca.GetResponse().GetPayload()
}
