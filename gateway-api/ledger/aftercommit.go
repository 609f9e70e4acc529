package ledger

import (
	"context"

	"github.com/idchain/idchain/domain"
)

// AfterCommit is the one path every write of the API takes once its commit
// status is VALID and before it answers (Run): wait (bounded) until every
// org's peer has the block, then drop what the transaction's chaincode
// event makes stale from the caches, once. Waiting first means no read can
// refill a cache from a peer that lacks the block after the drop; together
// the answer comes when every peer and this replica's caches show the
// write.
//
// Drop is given the event the endorsing peers signed into the transaction
// (Committed.Event), and the event listener calls the same Drop with the
// same event once it sees the commit: both drop the same entries by
// construction. There is no wait for the listener: once the peers have the
// block and the entries are dropped here, the listener adds nothing for
// this replica; it still runs for every commit, which is what drops the
// views other replicas hold (and covers writes this process did not make).
type AfterCommit struct {
	// AwaitPeers waits (bounded) until every org's peer has committed
	// block (Fabric.AwaitPeers). Nil: no wait.
	AwaitPeers func(ctx context.Context, block uint64)
	// Drop drops the cached views ev makes stale (cache.Views.Drop). Nil:
	// nothing is cached.
	Drop func(ctx context.Context, ev domain.ChaincodeEvent)
}

// Run is the after-commit path of one committed transaction.
func (a AfterCommit) Run(ctx context.Context, done Committed) {
	if a.AwaitPeers != nil {
		a.AwaitPeers(ctx, done.Block)
	}
	if a.Drop != nil && (len(done.Event.IDs) > 0 || done.Event.Partial) {
		a.Drop(ctx, done.Event)
	}
}
