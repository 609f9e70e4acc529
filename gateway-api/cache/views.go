package cache

import (
	"context"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/internal/hotcache"
)

// Views is every cache of answers the API keeps: this shared Redis cache and
// the in-process cache of rendered answers (hotcache). Drop is the one rule
// for what a committed write makes stale in them; the API's after-commit
// path (ledger.AfterCommit) and the event listener both call it with the
// transaction's chaincode event, so they cannot disagree.
type Views struct {
	Shared *Cache          // nil: none
	Hot    *hotcache.Cache // nil: none
}

// Stale is what a committed chaincode event makes stale (StaleOf).
type Stale struct {
	// IDs whose cached views (every kind and variant kept under an id)
	// changed.
	IDs []string
	// All: every view may have changed (the event lists only part of the
	// affected items, e.g. a recall of more items than an event carries).
	All bool
	// GS1: which item a GS1 key names may have changed.
	GS1 bool
}

// Event types (chaincode/events.go) after which a GS1 key may name another
// item or none: FindByGTIN answers only an item whose GTIN lies under a GCP
// held by its owner and its enterprise (the enterprise of its 标识 prefix),
// per the configured authority.
var gs1Changes = map[string]bool{"gcp.assigned": true, "prefix.assigned": true, "config.set": true}

// StaleOf lists what ev makes stale. Every entry of both caches is kept
// under an item id — Redis: item, verify and prov (Cacheable); in process:
// the rendered item, verify (also the Digital Link's JSON) and provenance
// answers — except the in-process GS1 matches (httpapi findGS1), kept under
// the GS1 key. The chaincode lists in ev.IDs every item whose read answers
// the write changed: the written items, a registered item's parent and
// inputs (its provenance lists them), an event's item and the descendants
// whose derived view shows it, a release's or a recall's affected items.
//
// The GS1 matches need no drop on a registration: only found serial and
// lot matches are kept, a GS1 key once held is never given to another
// item (CONFLICT), and NOT_FOUND, walked-up and GTIN-only (product-level)
// answers are never kept, so a serial registered after a walked-up answer
// resolves at once. They change only when a GCP or prefix assignment or
// the configuration changes which owner is genuine for a GTIN (GS1).
func StaleOf(ev domain.ChaincodeEvent) Stale {
	return Stale{IDs: ev.IDs, All: ev.Partial, GS1: gs1Changes[ev.Type]}
}

// Drop drops from both caches what ev makes stale (StaleOf). An event of
// every view starts a new recall epoch in Redis (Cache.NewEpoch) and flushes
// the in-process cache (O(1)); so do GS1 changes in process, where the GS1
// matches live.
func (v Views) Drop(ctx context.Context, ev domain.ChaincodeEvent) {
	s := StaleOf(ev)
	if v.Hot != nil {
		if s.All || s.GS1 {
			v.Hot.Flush()
		}
		v.Hot.Invalidate(s.IDs...)
	}
	if v.Shared != nil {
		if s.All {
			v.Shared.NewEpoch(ctx, ev.TxID)
		}
		v.Shared.Invalidate(ctx, s.IDs)
	}
}
