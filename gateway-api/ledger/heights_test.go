package ledger

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"
)

// fakePeer is a BlockSource the test feeds by hand.
type fakePeer struct {
	blocks chan uint64
	opened chan uint64 // start of every stream opened
	fail   bool        // refuse to open (peer down)
}

func newFakePeer() *fakePeer {
	return &fakePeer{blocks: make(chan uint64), opened: make(chan uint64, 10)}
}

func (f *fakePeer) source(ctx context.Context, start uint64) (<-chan uint64, error) {
	if f.fail {
		return nil, errors.New("connection refused")
	}
	f.opened <- start
	out := make(chan uint64)
	go func() {
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				return
			case b := <-f.blocks:
				out <- b
			}
		}
	}()
	return out, nil
}

func startHeights(t *testing.T, max time.Duration, peers map[string]*fakePeer) *Heights {
	t.Helper()
	src := map[string]BlockSource{}
	for n, p := range peers {
		src[n] = p.source
	}
	h := NewHeights(src, max, slog.New(slog.DiscardHandler), nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	for n, p := range peers {
		if !p.fail {
			select {
			case <-p.opened:
			case <-time.After(2 * time.Second):
				t.Fatalf("stream of %s not opened", n)
			}
			awaitLive(t, h, n)
		}
	}
	return h
}

// awaitLive waits until the tracker marked peer's stream open (it does so
// just after the source returned, so a Wait before would not wait for it).
func awaitLive(t *testing.T, h *Heights, peer string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		h.mu.Lock()
		live := false
		for _, p := range h.peers {
			live = live || p.name == peer && p.live
		}
		h.mu.Unlock()
		if live {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("tracker never marked %s live", peer)
		}
		time.Sleep(time.Millisecond)
	}
}

// commit hands block to the fake peer and waits until the tracker has seen
// it, so the next Wait does not race the fake's goroutines.
func commit(t *testing.T, h *Heights, peer string, f *fakePeer, block uint64) {
	t.Helper()
	f.blocks <- block
	deadline := time.Now().Add(2 * time.Second)
	for {
		h.mu.Lock()
		var seen bool
		for _, p := range h.peers {
			if p.name == peer && p.height > block {
				seen = true
			}
		}
		h.mu.Unlock()
		if seen {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("tracker never saw block %d of %s", block, peer)
		}
		time.Sleep(time.Millisecond)
	}
}

func waitAsync(h *Heights, block uint64) <-chan []string {
	ch := make(chan []string, 1)
	go func() { ch <- h.Wait(context.Background(), block) }()
	return ch
}

func TestHeightsWaitsUntilEveryPeerHasTheBlock(t *testing.T) {
	a, b := newFakePeer(), newFakePeer()
	h := startHeights(t, 5*time.Second, map[string]*fakePeer{"a": a, "b": b})
	// Both peers seen by the tracker first (a peer it has not heard of
	// yet is not waited for), b one block behind.
	commit(t, h, "a", a, 7)
	commit(t, h, "b", b, 6)
	done := waitAsync(h, 7)
	select {
	case lag := <-done:
		t.Fatalf("returned while b was behind: %v", lag)
	case <-time.After(50 * time.Millisecond):
	}
	b.blocks <- 7
	select {
	case lag := <-done:
		if lag != nil {
			t.Fatalf("lagging %v after both committed", lag)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("still waiting after every peer committed the block")
	}
	// Already there: no wait.
	if lag := h.Wait(context.Background(), 5); lag != nil {
		t.Fatalf("lagging %v for an old block", lag)
	}
}

func TestHeightsTimesOutAndThenSkipsTheLaggard(t *testing.T) {
	a, b := newFakePeer(), newFakePeer()
	h := startHeights(t, 100*time.Millisecond, map[string]*fakePeer{"a": a, "b": b})
	a.blocks <- 3
	t0 := time.Now()
	lag := h.Wait(context.Background(), 3)
	if d := time.Since(t0); d < 100*time.Millisecond || d > time.Second {
		t.Fatalf("timed out after %s, want the bound 100ms", d)
	}
	if !slices.Equal(lag, []string{"b"}) {
		t.Fatalf("lagging %v, want [b]", lag)
	}
	// b is stale now: the next write does not wait for it.
	commit(t, h, "a", a, 4)
	t0 = time.Now()
	if lag := h.Wait(context.Background(), 4); lag != nil || time.Since(t0) > 50*time.Millisecond {
		t.Fatalf("waited %s for a stale peer (lagging %v)", time.Since(t0), lag)
	}
	// Once b catches up past the block it missed, it is waited for again.
	commit(t, h, "b", b, 4)
	done := waitAsync(h, 5)
	a.blocks <- 5
	select {
	case lag := <-done:
		t.Fatalf("returned before the caught-up peer had the block: %v", lag)
	case <-time.After(50 * time.Millisecond):
	}
	b.blocks <- 5
	if lag := <-done; lag != nil {
		t.Fatalf("lagging %v", lag)
	}
}

func TestHeightsIgnoresADownPeer(t *testing.T) {
	a, down := newFakePeer(), newFakePeer()
	down.fail = true
	h := startHeights(t, 5*time.Second, map[string]*fakePeer{"a": a, "down": down})
	commit(t, h, "a", a, 9)
	t0 := time.Now()
	// The bound is 5 s: anything near it means the down peer was waited for.
	if lag := h.Wait(context.Background(), 9); lag != nil || time.Since(t0) > time.Second {
		t.Fatalf("waited %s for a peer whose stream is down (lagging %v)", time.Since(t0), lag)
	}
}

func TestHeightsReconnectsFromTheNextBlock(t *testing.T) {
	a := newFakePeer()
	src := &reconnecting{fakePeer: a}
	h := NewHeights(map[string]BlockSource{"a": src.source}, time.Second, slog.New(slog.DiscardHandler), nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go h.Run(ctx)
	if start := <-a.opened; start != 0 {
		t.Fatalf("first stream from %d, want the next commit (0)", start)
	}
	a.blocks <- 11
	src.drop() // the stream ends; the tracker reconnects after its backoff
	select {
	case start := <-a.opened:
		if start != 12 {
			t.Fatalf("reconnected from %d, want 12", start)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("no reconnect")
	}
}

// reconnecting wraps a fakePeer whose current stream can be cut.
type reconnecting struct {
	*fakePeer
	cut chan struct{}
}

func (r *reconnecting) source(ctx context.Context, start uint64) (<-chan uint64, error) {
	r.cut = make(chan struct{})
	sctx, cancel := context.WithCancel(ctx)
	cut := r.cut
	go func() {
		select {
		case <-cut:
		case <-sctx.Done():
		}
		cancel()
	}()
	return r.fakePeer.source(sctx, start)
}

func (r *reconnecting) drop() { close(r.cut) }
