package ledger

import (
	"context"
	"fmt"
	"log/slog"
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
		ce, ok, err := decodeEvent(ev.EventName, ev.Payload, ev.TransactionID)
		switch {
		case err != nil:
			l.Log.Error("undecodable chaincode event skipped", "tx", ev.TransactionID, "err", err)
		case ok:
			if err := l.Handle(ctx, ce); err != nil {
				return fmt.Errorf("handle event of tx %s: %w", ev.TransactionID, err)
			}
			if at, ok := l.Fabric.takeCommit(ev.TransactionID); ok && m != nil {
				m.eventLag.Observe(max(time.Since(at), 0).Seconds())
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
