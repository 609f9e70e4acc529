package ledger

import (
	"context"
	"testing"
	"time"
)

func TestAwaitReturnsOnceTheEventWasHandled(t *testing.T) {
	l := &Listener{}
	l.connected.Store(true)
	l.handled("tx-before")
	if !l.Await(context.Background(), "tx-before", time.Second) {
		t.Fatal("an event handled before Await was not seen")
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		l.handled("tx-after")
	}()
	if !l.Await(context.Background(), "tx-after", time.Second) {
		t.Fatal("an event handled during Await was not seen")
	}
	start := time.Now()
	if l.Await(context.Background(), "tx-never", 30*time.Millisecond) || time.Since(start) > time.Second {
		t.Fatal("Await of a missing event did not time out")
	}
	l.connected.Store(false)
	start = time.Now()
	if l.Await(context.Background(), "tx-down", 5*time.Second) || time.Since(start) > time.Second {
		t.Fatal("Await waits while the stream is down")
	}
}
