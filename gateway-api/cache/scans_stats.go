package cache

import (
	"context"
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

// StatKey is one counter cell: a metric for an org and industry on a day.
type StatKey struct {
	Metric, Org, Industry string
}

func (k StatKey) field() string { return k.Metric + "|" + k.Org + "|" + k.Industry }

func parseStatField(f string) (StatKey, bool) {
	parts := strings.SplitN(f, "|", 3)
	if len(parts) != 3 {
		return StatKey{}, false
	}
	return StatKey{parts[0], parts[1], parts[2]}, true
}

const statsTTL = 400 * 24 * time.Hour

func statsKey(day string) string  { return scanPrefix + "stats:" + day }
func statsTxKey(tx string) string { return scanPrefix + "statstx:" + tx }

// DayOf is the stats day (UTC+8, China Standard Time) of t.
func DayOf(t time.Time) string {
	return t.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
}

// AddStats adds incs to day's counters once per transaction txID (an
// event replayed after a reconnect or seen by a second API instance is not
// counted twice). It reports whether the counts were added.
func (s *Scans) AddStats(ctx context.Context, txID, day string, incs map[StatKey]int64) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 4*s.op)
	defer cancel()
	if txID != "" {
		fresh, err := s.rdb.SetNX(ctx, statsTxKey(txID), 1, 7*24*time.Hour).Result()
		if err != nil {
			return false, fmt.Errorf("stats dedupe: %w", err)
		}
		if !fresh {
			return false, nil
		}
	}
	if len(incs) == 0 {
		return true, nil
	}
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for k, n := range incs {
			p.HIncrBy(ctx, statsKey(day), k.field(), n)
		}
		p.Expire(ctx, statsKey(day), statsTTL)
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("add stats: %w", err)
	}
	return true, nil
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
