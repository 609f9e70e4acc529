package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"

	"github.com/idchain/idchain/domain"
)

// Listener follows the chaincode's events from a file checkpoint and hands
// each one to Handle. The stream of fabric-gateway does not recover by
// itself: Run reconnects with backoff until its context ends.
type Listener struct {
	Fabric     *Fabric
	User       string // identity used for the event stream
	Checkpoint string // checkpoint file path
	// Handle processes one event; the checkpoint advances after it returns
	// nil. An error stops the stream and it is retried after reconnecting.
	Handle func(ctx context.Context, ev domain.ChaincodeEvent) error
	// OnGap is called before (re)connecting when no checkpoint exists yet:
	// events before that moment were not seen (e.g. flush a cache).
	OnGap func(ctx context.Context)
	Log   *slog.Logger

	connected atomic.Bool
	mu        sync.Mutex
	seen      map[string]bool          // recently handled tx ids
	seenOrder []string                 // ring of seen, oldest first
	waiters   map[string]chan struct{} // tx id → closed once handled
}

// maxSeen bounds the memory of handled tx ids.
const maxSeen = 8192

// Await blocks until the event of txID has been handled (so caches are
// coherent with the commit), at most max, and reports whether it was.
// While the stream is down it does not wait.
func (l *Listener) Await(ctx context.Context, txID string, max time.Duration) bool {
	l.mu.Lock()
	if l.seen[txID] {
		l.mu.Unlock()
		return true
	}
	if !l.connected.Load() {
		l.mu.Unlock()
		return false
	}
	if l.waiters == nil {
		l.waiters = map[string]chan struct{}{}
	}
	ch, ok := l.waiters[txID]
	if !ok {
		ch = make(chan struct{})
		l.waiters[txID] = ch
	}
	l.mu.Unlock()
	t := time.NewTimer(max)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	l.mu.Lock()
	if w, ok := l.waiters[txID]; ok && w == ch {
		select {
		case <-ch:
		default:
			delete(l.waiters, txID)
		}
	}
	l.mu.Unlock()
	return false
}

func (l *Listener) handled(txID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen == nil {
		l.seen = map[string]bool{}
	}
	if !l.seen[txID] {
		l.seen[txID] = true
		l.seenOrder = append(l.seenOrder, txID)
		if len(l.seenOrder) > maxSeen {
			delete(l.seen, l.seenOrder[0])
			l.seenOrder = l.seenOrder[1:]
		}
	}
	if ch, ok := l.waiters[txID]; ok {
		close(ch)
		delete(l.waiters, txID)
	}
}

// Connected reports whether the event stream is currently open.
func (l *Listener) Connected() bool { return l.connected.Load() }

// Run listens until ctx ends.
func (l *Listener) Run(ctx context.Context) error {
	u, err := l.Fabric.user(l.User)
	if err != nil {
		return err
	}
	cp, err := client.NewFileCheckpointer(l.Checkpoint)
	if err != nil {
		return fmt.Errorf("event checkpoint: %w", err)
	}
	defer cp.Close()
	m := l.Fabric.cfg.Metrics
	delay := 250 * time.Millisecond
	for ctx.Err() == nil {
		if cp.BlockNumber() == 0 && cp.TransactionID() == "" && l.OnGap != nil {
			l.OnGap(ctx)
		}
		start := time.Now()
		err := l.stream(ctx, u, cp)
		l.connected.Store(false)
		if ctx.Err() != nil {
			break
		}
		m.event("reconnect")
		if time.Since(start) > 30*time.Second {
			delay = 250 * time.Millisecond
		}
		l.Log.Warn("chaincode event stream ended; reconnecting",
			"err", err, "block", cp.BlockNumber(), "retryIn", delay.String())
		select {
		case <-ctx.Done():
		case <-time.After(delay):
		}
		delay = min(2*delay, 10*time.Second)
	}
	return nil
}

func (l *Listener) stream(ctx context.Context, u *user, cp *client.FileCheckpointer) error {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events, err := u.network.ChaincodeEvents(sctx, l.Fabric.profile.Chaincode, client.WithCheckpoint(cp))
	if err != nil {
		return err
	}
	l.connected.Store(true)
	l.Log.Info("chaincode event stream open", "block", cp.BlockNumber(), "afterTx", cp.TransactionID())
	m := l.Fabric.cfg.Metrics
	for ev := range events {
		if ev.EventName == ChaincodeEventTag {
			var ce domain.ChaincodeEvent
			if err := json.Unmarshal(ev.Payload, &ce); err != nil {
				l.Log.Error("undecodable chaincode event skipped", "tx", ev.TransactionID, "err", err)
			} else {
				if ce.TxID == "" {
					ce.TxID = ev.TransactionID
				}
				if err := l.Handle(ctx, ce); err != nil {
					return fmt.Errorf("handle event of tx %s: %w", ev.TransactionID, err)
				}
				l.handled(ev.TransactionID)
				if at, ok := l.Fabric.takeCommit(ev.TransactionID); ok && m != nil {
					m.eventLag.Observe(max(time.Since(at), 0).Seconds())
				}
			}
		}
		if err := cp.CheckpointChaincodeEvent(ev); err != nil {
			return fmt.Errorf("save event checkpoint: %w", err)
		}
		if m != nil {
			m.eventBlock.Set(float64(ev.BlockNumber))
			m.event("processed")
		}
	}
	return fmt.Errorf("event stream closed")
}
