package scans

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Dashboard metrics counted from chaincode events (see StatsRecorder).
const (
	MetricItems      = "items"      // registered items
	MetricInspected  = "inspected"  // inspections recorded
	MetricPassed     = "passed"     // of which passed
	MetricReleases   = "releases"   // release transactions
	MetricRecalls    = "recalls"    // recall transactions
	MetricConsents   = "consents"   // consents granted
	MetricShared     = "shared"     // consented reads of private detail
	MetricFirstScans = "firstScans" // first consumer scans recorded on-chain
)

// IndustryAll attributes a fact that covers every industry of an org (a
// consent over a whole identifier prefix).
const IndustryAll = "all"

// StatKey is one counter cell: a metric for an org, industry and
// enterprise on a day. Enterprise is the name of the enterprise the item's
// prefix is assigned to ("" for the org's own records); it comes last in the
// Redis field, so a "|" in a name does not break parsing.
type StatKey struct {
	Metric, Org, Industry, Enterprise string
}

func (k StatKey) field() string {
	return k.Metric + "|" + k.Org + "|" + k.Industry + "|" + k.Enterprise
}

func parseStatField(f string) (StatKey, bool) {
	parts := strings.SplitN(f, "|", 4)
	switch len(parts) {
	case 3: // counted before enterprises were attributed
		return StatKey{parts[0], parts[1], parts[2], ""}, true
	case 4:
		return StatKey{parts[0], parts[1], parts[2], parts[3]}, true
	}
	return StatKey{}, false
}

const statsTTL = 400 * 24 * time.Hour

// Every stats key shares the hash tag {stats}, so that the counters and
// their checkpoint can change in one MULTI on Redis Cluster too.
func statsKey(day string) string { return scanPrefix + "{stats}:" + day }

var (
	statsBlockKey = scanPrefix + "{stats}cp"     // hash {block}: the block being counted
	statsTxsKey   = scanPrefix + "{stats}cp:txs" // set: tx ids of that block already counted
)

// DayOf is the stats day (UTC+8, China Standard Time) of t.
func DayOf(t time.Time) string {
	return t.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
}

// ErrStatsCheckpointLost reports that the stats checkpoint vanished while
// counting (Redis lost its data): the counters must be rebuilt.
var ErrStatsCheckpointLost = errors.New("stats checkpoint lost")

// StatsStart returns the block from which chaincode events must be counted.
// Without a checkpoint (first start, or Redis lost its data) it clears the
// counters of the last 400 days and starts over from block 0, so that the
// counters are always a function of the ledger alone.
func (s *Scans) StatsStart(ctx context.Context, now time.Time) (uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, 4*s.op)
	defer cancel()
	var block uint64
	reset := func(tx *redis.Tx) error {
		b, err := tx.HGet(ctx, statsBlockKey, "block").Uint64()
		if err == nil {
			block = b
			return nil
		}
		if !errors.Is(err, redis.Nil) {
			return err
		}
		block = 0
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			keys := []string{statsTxsKey}
			for d := now.Add(24 * time.Hour); now.Sub(d) <= statsTTL; d = d.Add(-24 * time.Hour) {
				keys = append(keys, statsKey(DayOf(d)))
			}
			p.Del(ctx, keys...)
			p.HSet(ctx, statsBlockKey, "block", 0)
			return nil
		})
		return err
	}
	for range 5 {
		err := s.rdb.Watch(ctx, reset, statsBlockKey)
		if errors.Is(err, redis.TxFailedErr) {
			continue // another instance moved first: read again
		}
		if err != nil {
			return 0, fmt.Errorf("stats checkpoint: %w", err)
		}
		return block, nil
	}
	return 0, fmt.Errorf("stats checkpoint: %w", redis.TxFailedErr)
}

// StatsCheckpointed reports whether the stats checkpoint exists.
func (s *Scans) StatsCheckpointed(ctx context.Context) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, s.op)
	defer cancel()
	n, err := s.rdb.Exists(ctx, statsBlockKey).Result()
	if err != nil {
		return false, fmt.Errorf("stats checkpoint: %w", err)
	}
	return n == 1, nil
}

// AddStats adds incs to day's counters for the event of transaction txID
// in block, in the same transaction as it advances the checkpoint: an event
// at or before the checkpoint (replayed after a reconnect, or counted by a
// second API instance) is not counted again. It reports whether the counts
// were added.
func (s *Scans) AddStats(ctx context.Context, block uint64, txID, day string, incs map[StatKey]int64) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 4*s.op)
	defer cancel()
	var added bool
	add := func(tx *redis.Tx) error {
		added = false
		cp, err := tx.HGet(ctx, statsBlockKey, "block").Uint64()
		if errors.Is(err, redis.Nil) {
			return ErrStatsCheckpointLost
		}
		if err != nil {
			return err
		}
		if block < cp {
			return nil
		}
		if block == cp {
			if done, err := tx.SIsMember(ctx, statsTxsKey, txID).Result(); err != nil || done {
				return err
			}
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			for k, n := range incs {
				p.HIncrBy(ctx, statsKey(day), k.field(), n)
			}
			p.Expire(ctx, statsKey(day), statsTTL)
			if block > cp {
				p.Del(ctx, statsTxsKey)
				p.HSet(ctx, statsBlockKey, "block", block)
			}
			p.SAdd(ctx, statsTxsKey, txID)
			return nil
		})
		added = err == nil
		return err
	}
	for range 5 {
		err := s.rdb.Watch(ctx, add, statsBlockKey, statsTxsKey)
		if errors.Is(err, redis.TxFailedErr) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("add stats: %w", err)
		}
		return added, nil
	}
	return false, fmt.Errorf("add stats: %w", redis.TxFailedErr)
}

// Stats returns the counters of each day (missing days are empty).
func (s *Scans) Stats(ctx context.Context, days []string) (map[string]map[StatKey]int64, error) {
	ctx, cancel := context.WithTimeout(ctx, 4*s.op)
	defer cancel()
	cmds := make([]*redis.MapStringStringCmd, len(days))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, d := range days {
			cmds[i] = p.HGetAll(ctx, statsKey(d))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read stats: %w", err)
	}
	out := make(map[string]map[StatKey]int64, len(days))
	for i, d := range days {
		m := map[StatKey]int64{}
		for f, v := range cmds[i].Val() {
			k, ok := parseStatField(f)
			n, err := strconv.ParseInt(v, 10, 64)
			if ok && err == nil {
				m[k] = n
			}
		}
		out[d] = m
	}
	return out, nil
}
