package ledger

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
)

// Heights gives the API cross-org read-your-writes. A commit status only
// says the submitting org's peer committed block N; another org's peer may
// still be a block behind and answer NOT_FOUND (or endorse on stale state).
// So after a submit commits in block N, Fabric.Submit waits, at most Max,
// until every tracked peer has committed N.
//
// Waiting on the write side, not before each read: the write knows N from
// its commit status, one wait covers every later evaluate and every later
// endorsement (the gateway picks those peers, not us), and the far more
// frequent reads stay as fast as before.
//
// Each peer's height comes from a filtered-block stream on the API's own
// connection to that peer. A peer whose stream is down, or that did not
// reach an awaited block within Max, is stale and not waited for until it
// catches up, so a dead peer costs at most one bounded wait.
type Heights struct {
	Max time.Duration // bound of one wait; default 3s
	Log *slog.Logger

	metrics *Metrics
	mu      sync.Mutex
	peers   []*peerHeight
	changed chan struct{} // closed and replaced on every change
}

// BlockSource streams the numbers of the blocks a peer commits, from block
// start, or from its next commit when start is 0.
type BlockSource func(ctx context.Context, start uint64) (<-chan uint64, error)

type peerHeight struct {
	name   string
	source BlockSource
	height uint64 // last block seen + 1; 0 while unknown
	live   bool   // stream open
	// stale after a wait for block behind timed out, until height > behind
	stale  bool
	behind uint64
}

// awaited reports whether a write committed in block must wait for p.
func (p *peerHeight) awaited(block uint64) bool {
	return p.live && !p.stale && p.height <= block
}

// NewHeights tracks the given peers (name → source); Run starts tracking.
func NewHeights(sources map[string]BlockSource, max time.Duration, log *slog.Logger, m *Metrics) *Heights {
	if max <= 0 {
		max = 3 * time.Second
	}
	h := &Heights{Max: max, Log: log, metrics: m, changed: make(chan struct{})}
	for name, src := range sources {
		h.peers = append(h.peers, &peerHeight{name: name, source: src})
	}
	slices.SortFunc(h.peers, func(a, b *peerHeight) int { return strings.Compare(a.name, b.name) })
	return h
}

// Run follows every peer until ctx ends, reconnecting with backoff.
func (h *Heights) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, p := range h.peers {
		wg.Go(func() { h.follow(ctx, p) })
	}
	wg.Wait()
}

func (h *Heights) follow(ctx context.Context, p *peerHeight) {
	delay := 250 * time.Millisecond
	for ctx.Err() == nil {
		start := time.Now()
		err := h.stream(ctx, p)
		h.update(p, func() { p.live = false })
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > 30*time.Second {
			delay = 250 * time.Millisecond
		}
		h.Log.Warn("block height stream ended; peer stale, reconnecting", "peer", p.name, "err", err, "retryIn", delay.String())
		select {
		case <-ctx.Done():
		case <-time.After(delay):
		}
		delay = min(2*delay, 10*time.Second)
	}
}

func (h *Heights) stream(ctx context.Context, p *peerHeight) error {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	h.mu.Lock()
	from := p.height
	h.mu.Unlock()
	blocks, err := p.source(sctx, from)
	if err != nil {
		return err
	}
	h.update(p, func() { p.live = true })
	for b := range blocks {
		h.update(p, func() {
			p.height = max(p.height, b+1)
			if p.stale && p.height > p.behind {
				p.stale = false
			}
		})
		h.metrics.peerHeight(p.name, b+1)
	}
	return errStreamClosed
}

// update changes a peer's state under the lock and wakes the waiters.
func (h *Heights) update(p *peerHeight, change func()) {
	h.mu.Lock()
	change()
	close(h.changed)
	h.changed = make(chan struct{})
	h.mu.Unlock()
}

// Wait blocks until every live, non-stale peer has committed block, at most
// Max or until ctx ends. It returns the peers that had not; those are stale
// until they catch up.
func (h *Heights) Wait(ctx context.Context, block uint64) (lagging []string) {
	t0 := time.Now()
	timer := time.NewTimer(h.Max)
	defer timer.Stop()
	for {
		h.mu.Lock()
		lagging = lagging[:0]
		for _, p := range h.peers {
			if p.awaited(block) {
				lagging = append(lagging, p.name)
			}
		}
		changed := h.changed
		h.mu.Unlock()
		if len(lagging) == 0 {
			h.metrics.peerSync(time.Since(t0), false)
			return nil
		}
		select {
		case <-changed:
			continue
		case <-ctx.Done():
			return lagging // the caller gave up; says nothing about the peers
		case <-timer.C:
		}
		h.markBehind(lagging, block)
		h.metrics.peerSync(time.Since(t0), true)
		h.Log.Warn("peers did not commit the block in time; answering anyway, they are stale until they catch up",
			"block", block, "peers", lagging, "waited", time.Since(t0).String())
		return lagging
	}
}

func (h *Heights) markBehind(names []string, block uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, p := range h.peers {
		if slices.Contains(names, p.name) {
			p.stale, p.behind = true, max(p.behind, block)
		}
	}
}

var errStreamClosed = errors.New("block stream closed")

// blockSource streams block numbers from the peer behind network's gateway.
func blockSource(network *client.Network) BlockSource {
	return func(ctx context.Context, start uint64) (<-chan uint64, error) {
		var opts []client.BlockEventsOption
		if start > 0 {
			opts = append(opts, client.WithStartBlock(start))
		}
		blocks, err := network.FilteredBlockEvents(ctx, opts...)
		if err != nil {
			return nil, err
		}
		out := make(chan uint64)
		go func() {
			defer close(out)
			for b := range blocks {
				select {
				case out <- b.GetNumber():
				case <-ctx.Done():
					return
				}
			}
		}()
		return out, nil
	}
}
