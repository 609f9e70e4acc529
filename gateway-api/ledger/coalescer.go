package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/idchain/idchain/domain"
)

// Submitter is what the coalescer needs: a committed submit.
type Submitter interface {
	Submit(ctx context.Context, call Call) (Committed, error)
}

// CoalescerConfig bounds the batches. Zero values take the defaults.
type CoalescerConfig struct {
	MaxItems int           // items per transaction, default domain.DefaultTxBatch, at most domain.MaxTxBatch
	MaxWait  time.Duration // how long the first request of a batch waits for company, default 5ms
	InFlight int           // transactions in flight per user, default 4
	Metrics  *Metrics
	// AfterCommit runs once per committed transaction, before any of the
	// requests it carried is answered (the API's after-commit path; see
	// AfterCommit). Nil: none.
	AfterCommit func(ctx context.Context, done Committed)
}

// Coalescer merges concurrent RegisterItems requests of the same user into
// bounded chaincode batches and splits the per-item results back. One
// request larger than MaxItems is split into several transactions.
type Coalescer struct {
	cfg    CoalescerConfig
	ledger Submitter
	mu     sync.Mutex
	queues map[string]*queue
	ctx    context.Context
	stop   context.CancelFunc
	wg     sync.WaitGroup
}

type regRequest struct {
	items []domain.ItemInput
	reply chan regReply // buffered, 1
}

type regReply struct {
	results []domain.ItemResult
	txID    string
	err     error
}

type queue struct {
	user string
	reqs chan *regRequest
	sem  chan struct{}
}

// NewCoalescer starts a coalescer; Close stops it.
func NewCoalescer(l Submitter, cfg CoalescerConfig) *Coalescer {
	if cfg.MaxItems <= 0 {
		cfg.MaxItems = domain.DefaultTxBatch
	}
	cfg.MaxItems = min(cfg.MaxItems, domain.MaxTxBatch)
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = 5 * time.Millisecond
	}
	if cfg.InFlight <= 0 {
		cfg.InFlight = 4
	}
	ctx, stop := context.WithCancel(context.Background())
	return &Coalescer{cfg: cfg, ledger: l, queues: map[string]*queue{}, ctx: ctx, stop: stop}
}

// Close stops accepting work and waits for batches in flight.
func (c *Coalescer) Close() {
	c.stop()
	c.wg.Wait()
}

// Register registers items for user and returns one result per item, in
// order, plus the last tx id that carried them, once the after-commit path
// (CoalescerConfig.AfterCommit) ran for each of those transactions. Items of one request keep their
// order; a chunk that refers (parent or input) to an item of an earlier
// chunk of the same request waits until that chunk committed.
func (c *Coalescer) Register(ctx context.Context, user string, items []domain.ItemInput) (domain.BatchResult, error) {
	q := c.queue(user)
	chunks := chunk(items, c.cfg.MaxItems)
	replies := make([]chan regReply, len(chunks))
	seen := map[string]bool{}
	for i, ch := range chunks {
		if i > 0 && dependsOn(ch, seen) {
			for _, r := range replies[:i] {
				rep := <-r
				r <- rep // keep it for the collection below
			}
		}
		for _, it := range ch {
			seen[it.ID] = true
		}
		replies[i] = make(chan regReply, 1)
		select {
		case q.reqs <- &regRequest{items: ch, reply: replies[i]}:
		case <-ctx.Done():
			return domain.BatchResult{}, ctx.Err()
		case <-c.ctx.Done():
			return domain.BatchResult{}, domain.Errorf(domain.CodeUnavailable, "shutting down")
		}
	}
	out := domain.BatchResult{Results: make([]domain.ItemResult, 0, len(items))}
	var txIDs []string
	for _, r := range replies {
		var rep regReply
		select {
		case rep = <-r:
		case <-ctx.Done():
			return domain.BatchResult{}, ctx.Err()
		}
		if rep.err != nil {
			return domain.BatchResult{}, rep.err
		}
		out.Results = append(out.Results, rep.results...)
		txIDs = append(txIDs, rep.txID)
	}
	if len(txIDs) > 0 {
		out.TxID = txIDs[len(txIDs)-1]
	}
	return out, nil
}

func chunk(items []domain.ItemInput, n int) [][]domain.ItemInput {
	var out [][]domain.ItemInput
	for len(items) > n {
		out = append(out, items[:n:n])
		items = items[n:]
	}
	return append(out, items)
}

func dependsOn(items []domain.ItemInput, ids map[string]bool) bool {
	for _, it := range items {
		if ids[it.Parent] {
			return true
		}
		for _, in := range it.Inputs {
			if ids[in.ID] {
				return true
			}
		}
	}
	return false
}

func (c *Coalescer) queue(user string) *queue {
	c.mu.Lock()
	defer c.mu.Unlock()
	q, ok := c.queues[user]
	if !ok {
		q = &queue{user: user, reqs: make(chan *regRequest), sem: make(chan struct{}, c.cfg.InFlight)}
		c.queues[user] = q
		c.wg.Add(1)
		go c.loop(q)
	}
	return q
}

// loop gathers requests into a batch until it is full, MaxWait passed
// and a transaction slot is free; while all slots are busy the batch keeps
// growing, so batching adapts to load.
func (c *Coalescer) loop(q *queue) {
	defer c.wg.Done()
	var carry *regRequest
	for {
		first := carry
		carry = nil
		if first == nil {
			select {
			case first = <-q.reqs:
			case <-c.ctx.Done():
				return
			}
		}
		batch := []*regRequest{first}
		n := len(first.items)
		timer := time.NewTimer(c.cfg.MaxWait)
		waiting := true
	gather:
		for n < c.cfg.MaxItems {
			var slot chan struct{}
			if !waiting {
				slot = q.sem // only try to dispatch once MaxWait passed
			}
			select {
			case r := <-q.reqs:
				if n+len(r.items) > c.cfg.MaxItems {
					carry = r
					break gather
				}
				batch = append(batch, r)
				n += len(r.items)
			case <-timer.C:
				waiting = false
			case slot <- struct{}{}:
				c.dispatch(q, batch)
				batch = nil
				break gather
			case <-c.ctx.Done():
				timer.Stop()
				fail(batch, domain.Errorf(domain.CodeUnavailable, "shutting down"))
				if carry != nil {
					fail([]*regRequest{carry}, domain.Errorf(domain.CodeUnavailable, "shutting down"))
				}
				return
			}
		}
		timer.Stop()
		if batch != nil {
			select {
			case q.sem <- struct{}{}:
				c.dispatch(q, batch)
			case <-c.ctx.Done():
				fail(batch, domain.Errorf(domain.CodeUnavailable, "shutting down"))
				return
			}
		}
	}
}

func fail(batch []*regRequest, err error) {
	for _, r := range batch {
		r.reply <- regReply{err: err}
	}
}

// dispatch runs a batch in the background; the caller holds a slot of q.sem.
func (c *Coalescer) dispatch(q *queue, batch []*regRequest) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer func() { <-q.sem }()
		c.run(q, batch)
	}()
}

// run submits one batch and distributes the results. When a merged batch
// fails as a whole with a chaincode error (a bare *domain.Error, not a
// wrapped connectivity one), each request is retried alone so one bad
// request cannot fail the others.
func (c *Coalescer) run(q *queue, batch []*regRequest) {
	var items []domain.ItemInput
	for _, r := range batch {
		items = append(items, r.items...)
	}
	res, err := c.submit(q.user, items)
	c.cfg.Metrics.batch(len(items), len(batch))
	if err != nil {
		if _, coded := err.(*domain.Error); coded && len(batch) > 1 {
			for _, r := range batch {
				c.run(q, []*regRequest{r})
			}
			return
		}
		fail(batch, err)
		return
	}
	if len(res.Results) != len(items) {
		fail(batch, fmt.Errorf("RegisterItems returned %d results for %d items", len(res.Results), len(items)))
		return
	}
	off := 0
	for _, r := range batch {
		r.reply <- regReply{results: res.Results[off : off+len(r.items)], txID: res.TxID}
		off += len(r.items)
	}
}

func (c *Coalescer) submit(user string, items []domain.ItemInput) (domain.BatchResult, error) {
	arg, err := json.Marshal(items)
	if err != nil {
		return domain.BatchResult{}, err
	}
	// Detached from any one request: the batch serves several callers.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), 2*time.Minute)
	defer cancel()
	done, err := c.ledger.Submit(ctx, Call{User: user, Fn: FnRegisterItems, Args: []string{string(arg)}})
	if err != nil {
		return domain.BatchResult{}, err
	}
	if c.cfg.AfterCommit != nil {
		// Once for the transaction, whichever requests it carried.
		c.cfg.AfterCommit(ctx, done)
	}
	var res domain.BatchResult
	if err := json.Unmarshal(done.Result, &res); err != nil {
		return domain.BatchResult{}, fmt.Errorf("RegisterItems result: %w", err)
	}
	res.TxID = done.TxID
	return res, nil
}
