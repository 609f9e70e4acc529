package chanconfig

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"github.com/hyperledger/fabric-protos-go-apiv2/orderer"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Admin signs config updates: an admin identity of the org whose MSP
// changes. Sign returns an ECDSA signature (low S) over SHA-256 of msg.
type Admin struct {
	MSPID   string
	CertPEM []byte
	Sign    func(msg []byte) ([]byte, error)
}

func (a Admin) signatureHeader() ([]byte, error) {
	creator, err := proto.Marshal(&msp.SerializedIdentity{Mspid: a.MSPID, IdBytes: a.CertPEM})
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, 24)
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return proto.Marshal(&common.SignatureHeader{Creator: creator, Nonce: nonce})
}

// Envelope signs update as admin (the config signature the mod_policy
// needs) and wraps it in a CONFIG_UPDATE transaction signed by admin too.
func Envelope(update *common.ConfigUpdate, admin Admin, now time.Time) (*common.Envelope, error) {
	upd, err := proto.Marshal(update)
	if err != nil {
		return nil, fmt.Errorf("chanconfig: %w", err)
	}
	sh, err := admin.signatureHeader()
	if err != nil {
		return nil, fmt.Errorf("chanconfig: %w", err)
	}
	sig, err := admin.Sign(append(append([]byte{}, sh...), upd...))
	if err != nil {
		return nil, fmt.Errorf("chanconfig: sign update: %w", err)
	}
	cue, err := proto.Marshal(&common.ConfigUpdateEnvelope{ConfigUpdate: upd,
		Signatures: []*common.ConfigSignature{{SignatureHeader: sh, Signature: sig}}})
	if err != nil {
		return nil, fmt.Errorf("chanconfig: %w", err)
	}
	ch, err := proto.Marshal(&common.ChannelHeader{Type: int32(common.HeaderType_CONFIG_UPDATE), ChannelId: update.ChannelId,
		Timestamp: timestamppb.New(now)})
	if err != nil {
		return nil, fmt.Errorf("chanconfig: %w", err)
	}
	sh2, err := admin.signatureHeader()
	if err != nil {
		return nil, fmt.Errorf("chanconfig: %w", err)
	}
	payload, err := proto.Marshal(&common.Payload{Header: &common.Header{ChannelHeader: ch, SignatureHeader: sh2}, Data: cue})
	if err != nil {
		return nil, fmt.Errorf("chanconfig: %w", err)
	}
	psig, err := admin.Sign(payload)
	if err != nil {
		return nil, fmt.Errorf("chanconfig: sign envelope: %w", err)
	}
	return &common.Envelope{Payload: payload, Signature: psig}, nil
}

// Broadcast sends env to the orderer behind conn and waits for its answer.
func Broadcast(ctx context.Context, conn grpc.ClientConnInterface, env *common.Envelope) error {
	stream, err := orderer.NewAtomicBroadcastClient(conn).Broadcast(ctx)
	if err != nil {
		return fmt.Errorf("chanconfig: broadcast: %w", err)
	}
	if err := stream.Send(env); err != nil {
		return fmt.Errorf("chanconfig: broadcast: %w", err)
	}
	resp, err := stream.Recv()
	if err != nil {
		return fmt.Errorf("chanconfig: broadcast: %w", err)
	}
	_ = stream.CloseSend()
	if resp.Status != common.Status_SUCCESS {
		return fmt.Errorf("chanconfig: orderer refused the config update: %s %s", resp.Status, resp.Info)
	}
	return nil
}
