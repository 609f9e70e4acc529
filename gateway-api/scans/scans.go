package scans

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Scans keeps the anti-counterfeiting scan counters of public verification
// in Redis (never on the ledger): per id a count and the first-scan time.
// First scans are also queued so that a background loop records them
// on-chain (public:RecordFirstScans) in batches. The same client holds the
// owner alerts, the dashboard counters and the GTIN index (scans_*.go).
type Scans struct {
	rdb redis.UniversalClient
	op  time.Duration
}

// ScanInfo is the state of an id's scans after a hit or a peek.
type ScanInfo struct {
	Count   int64
	FirstAt time.Time // zero when never scanned
	First   bool      // this hit was the first scan
}

// FirstScan is one queued first scan, the argument shape of
// public:RecordFirstScans.
type FirstScan struct {
	ID string `json:"id"`
	At string `json:"at"` // RFC 3339
}

const scanPrefix = "idchain:s:"

// scanKey holds the hash {n, first} of an id; the id sits in a hash tag.
func scanKey(id string) string { return scanPrefix + "{" + id + "}" }

const pendingKey = scanPrefix + "pending"

// NewScans uses rdb (shared with the cache) with opTimeout per Redis call
// (default 250ms).
func NewScans(rdb redis.UniversalClient, opTimeout time.Duration) *Scans {
	if opTimeout <= 0 {
		opTimeout = 250 * time.Millisecond
	}
	return &Scans{rdb: rdb, op: opTimeout}
}

// hitScript counts a scan. ARGV[1] is now, ARGV[2] a first-scan time known
// from the ledger ("" if none): it seeds a missing first time (Redis lost
// its data) without counting the hit as the first scan.
var hitScript = redis.NewScript(`
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
local first = redis.call('HGET', KEYS[1], 'first')
local isFirst = 0
if not first then
  if ARGV[2] ~= '' then
    first = ARGV[2]
  else
    first = ARGV[1]
    isFirst = 1
  end
  redis.call('HSET', KEYS[1], 'first', first)
end
return {n, first, isFirst}`)

// Hit counts one scan of id at now. known is the first-scan time already
// on the ledger (zero if none). A first scan is queued for RecordFirstScans.
func (s *Scans) Hit(ctx context.Context, id string, now, known time.Time) (ScanInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, s.op)
	defer cancel()
	seed := ""
	if !known.IsZero() {
		seed = known.UTC().Format(time.RFC3339Nano)
	}
	res, err := hitScript.Run(ctx, s.rdb, []string{scanKey(id)}, now.UTC().Format(time.RFC3339Nano), seed).Slice()
	if err != nil {
		return ScanInfo{}, fmt.Errorf("scan hit: %w", err)
	}
	if len(res) != 3 {
		return ScanInfo{}, errors.New("scan hit: unexpected reply")
	}
	n, _ := res[0].(int64)
	firstS, _ := res[1].(string)
	isFirst, _ := res[2].(int64)
	info := ScanInfo{Count: n, First: isFirst == 1}
	info.FirstAt, _ = time.Parse(time.RFC3339Nano, firstS)
	if info.First {
		b, _ := json.Marshal(FirstScan{ID: id, At: firstS})
		if err := s.rdb.RPush(ctx, pendingKey, b).Err(); err != nil {
			return info, fmt.Errorf("queue first scan: %w", err)
		}
	}
	return info, nil
}

// Peek returns id's scan state without counting.
func (s *Scans) Peek(ctx context.Context, id string) (ScanInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, s.op)
	defer cancel()
	vals, err := s.rdb.HMGet(ctx, scanKey(id), "n", "first").Result()
	if err != nil {
		return ScanInfo{}, fmt.Errorf("scan peek: %w", err)
	}
	var info ScanInfo
	if v, ok := vals[0].(string); ok {
		info.Count, _ = strconv.ParseInt(v, 10, 64)
	}
	if v, ok := vals[1].(string); ok {
		info.FirstAt, _ = time.Parse(time.RFC3339Nano, v)
	}
	return info, nil
}

// RecordFunc writes queued first scans to the ledger.
type RecordFunc func(ctx context.Context, scans []FirstScan) error

// FlushFirstScans takes up to max queued first scans and hands them to
// record in one call. On failure they go back to the queue. It returns how
// many were recorded.
func (s *Scans) FlushFirstScans(ctx context.Context, max int, record RecordFunc) (int, error) {
	octx, cancel := context.WithTimeout(ctx, s.op)
	raw, err := s.rdb.LPopCount(octx, pendingKey, max).Result()
	cancel()
	if errors.Is(err, redis.Nil) || len(raw) == 0 {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("pop first scans: %w", err)
	}
	batch := make([]FirstScan, 0, len(raw))
	for _, r := range raw {
		var fs FirstScan
		if json.Unmarshal([]byte(r), &fs) == nil && fs.ID != "" {
			batch = append(batch, fs)
		}
	}
	if len(batch) == 0 {
		return 0, nil
	}
	if err := record(ctx, batch); err != nil {
		back := make([]any, len(raw))
		for i, r := range raw {
			back[len(raw)-1-i] = r // LPUSH reverses: keep the original order
		}
		// Put them back in front so they are retried first.
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.op)
		defer cancel()
		if perr := s.rdb.LPush(pctx, pendingKey, back...).Err(); perr != nil {
			return 0, fmt.Errorf("record first scans: %w (and re-queue failed: %v)", err, perr)
		}
		return 0, fmt.Errorf("record first scans: %w", err)
	}
	return len(batch), nil
}

// RunFirstScans flushes queued first scans every interval (batches of at
// most max) until ctx ends. onErr, if not nil, sees every failure.
func (s *Scans) RunFirstScans(ctx context.Context, interval time.Duration, max int, record RecordFunc, onErr func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for {
			n, err := s.FlushFirstScans(ctx, max, record)
			if err != nil && onErr != nil {
				onErr(err)
			}
			if err != nil || n < max {
				break
			}
		}
	}
}
