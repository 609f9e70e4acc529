package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"google.golang.org/protobuf/proto"

	"github.com/idchain/idchain/domain"
)

// BlockEvent is a chaincode event with its place on the ledger.
type BlockEvent struct {
	Block uint64
	At    time.Time // commit time of the block; zero when unknown
	Event domain.ChaincodeEvent
}

// EventFeed is a chaincode event stream that starts at any block, with
// each event's block number and commit time (scans.StatsRecorder counts
// the dashboard figures from it). It is not Listener: that one keeps its
// checkpoint in a file for cache invalidation, while the counters keep
// theirs in Redis so both vanish together and are rebuilt from block 0.
// It reads through a user's gateway of Fabric, so it shares the
// process's one connection per peer.
type EventFeed struct {
	network   *client.Network
	chaincode string
	channel   string
}

// EventFeed opens a feed read as the named user.
func (f *Fabric) EventFeed(user string) (*EventFeed, error) {
	n, err := f.Network(user)
	if err != nil {
		return nil, err
	}
	return &EventFeed{network: n, chaincode: f.profile.Chaincode, channel: f.profile.Channel}, nil
}

// Events delivers the chaincode events from block from on, in ledger
// order, to fn until the stream ends, ctx ends or fn fails (its error is
// returned).
func (f *EventFeed) Events(ctx context.Context, from uint64, fn func(context.Context, BlockEvent) error) error {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events, err := f.network.ChaincodeEvents(sctx, f.chaincode, client.WithStartBlock(from))
	if err != nil {
		return err
	}
	var (
		block uint64
		at    time.Time
		known bool
	)
	for ev := range events {
		if ev.EventName != ChaincodeEventTag {
			continue
		}
		var ce domain.ChaincodeEvent
		if json.Unmarshal(ev.Payload, &ce) != nil {
			continue // the cache listener logs it
		}
		if ce.TxID == "" {
			ce.TxID = ev.TransactionID
		}
		if !known || ev.BlockNumber != block {
			block, at, known = ev.BlockNumber, f.blockTime(sctx, ev.BlockNumber), true
		}
		if err := fn(sctx, BlockEvent{Block: ev.BlockNumber, At: at, Event: ce}); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return errors.New("chaincode event feed closed")
}

// blockTime is the commit time of a block as its first transaction states
// it (qscc), zero when it cannot be read.
func (f *EventFeed) blockTime(ctx context.Context, n uint64) time.Time {
	qscc := f.network.GetContract("qscc")
	raw, err := qscc.EvaluateWithContext(ctx, "GetBlockByNumber",
		client.WithArguments(f.channel, strconv.FormatUint(n, 10)))
	if err != nil {
		return time.Time{}
	}
	var (
		blk common.Block
		env common.Envelope
		pl  common.Payload
		ch  common.ChannelHeader
	)
	if proto.Unmarshal(raw, &blk) != nil || len(blk.GetData().GetData()) == 0 ||
		proto.Unmarshal(blk.GetData().GetData()[0], &env) != nil ||
		proto.Unmarshal(env.GetPayload(), &pl) != nil ||
		proto.Unmarshal(pl.GetHeader().GetChannelHeader(), &ch) != nil || ch.GetTimestamp() == nil {
		return time.Time{}
	}
	return ch.GetTimestamp().AsTime()
}
