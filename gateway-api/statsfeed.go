package main

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
	"github.com/idchain/idchain/gateway-api/cache"
	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/network/profile"
)

// statsFeed is the dashboard counters' own chaincode event stream
// (cache.EventStream). It is not ledger.Listener: that one keeps its
// checkpoint in a file for cache invalidation, while the counters keep
// theirs in Redis so both vanish together and are rebuilt from block 0.
// It reads through the service user's gateway of ledger.Fabric, so it
// shares the process's one connection per peer.
type statsFeed struct {
	network   *client.Network
	chaincode string
	channel   string
}

func openStatsFeed(prof *profile.Profile, fab *ledger.Fabric, user string) (*statsFeed, error) {
	n, err := fab.Network(user)
	if err != nil {
		return nil, err
	}
	return &statsFeed{network: n, chaincode: prof.Chaincode, channel: prof.Channel}, nil
}

// Events implements cache.EventStream.
func (f *statsFeed) Events(ctx context.Context, from uint64, fn func(context.Context, cache.LedgerEvent) error) error {
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
		if ev.EventName != ledger.ChaincodeEventTag {
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
		if err := fn(sctx, cache.LedgerEvent{Block: ev.BlockNumber, At: at, Event: ce}); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return errors.New("stats event stream closed")
}

// blockTime is the commit time of a block as its first transaction states
// it (qscc), zero when it cannot be read.
func (f *statsFeed) blockTime(ctx context.Context, n uint64) time.Time {
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
