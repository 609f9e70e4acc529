package scans

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Alert is an anti-diversion signal for an item's owner: a unit shipped for
// one sales region was scanned in another. Only the owner sees it.
type Alert struct {
	Type       string `json:"type"` // "diversion"
	ID         string `json:"id"`
	Owner      string `json:"owner"`
	Region     string `json:"region"`     // where the scan says it is
	Authorised string `json:"authorised"` // the region it was shipped for
	At         string `json:"at"`         // RFC 3339
	Scans      int64  `json:"scans"`
}

// Alert types.
const AlertDiversion = "diversion"

const (
	maxAlertsPerOwner = 1000
	alertDedupe       = time.Hour
)

func alertsKey(owner string) string { return scanPrefix + "alerts:{" + owner + "}" }
func alertSeenKey(a Alert) string {
	return scanPrefix + "alertseen:{" + a.Owner + "}:" + a.Type + ":" + a.ID + ":" + a.Region
}

// AddAlert records a for its owner unless the same alert (type, id, region)
// was recorded within the last hour. It reports whether it was added.
func (s *Scans) AddAlert(ctx context.Context, a Alert) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*s.op)
	defer cancel()
	fresh, err := s.rdb.SetNX(ctx, alertSeenKey(a), 1, alertDedupe).Result()
	if err != nil {
		return false, fmt.Errorf("alert dedupe: %w", err)
	}
	if !fresh {
		return false, nil
	}
	b, err := json.Marshal(a)
	if err != nil {
		return false, err
	}
	pipe := s.rdb.TxPipeline()
	pipe.LPush(ctx, alertsKey(a.Owner), b)
	pipe.LTrim(ctx, alertsKey(a.Owner), 0, maxAlertsPerOwner-1)
	if _, err := pipe.Exec(ctx); err != nil {
		return false, fmt.Errorf("add alert: %w", err)
	}
	return true, nil
}

// Alerts returns the owner's most recent alerts, newest first.
func (s *Scans) Alerts(ctx context.Context, owner string, limit int) ([]Alert, error) {
	if limit <= 0 || limit > maxAlertsPerOwner {
		limit = maxAlertsPerOwner
	}
	ctx, cancel := context.WithTimeout(ctx, 2*s.op)
	defer cancel()
	raw, err := s.rdb.LRange(ctx, alertsKey(owner), 0, int64(limit-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	out := make([]Alert, 0, len(raw))
	for _, r := range raw {
		var a Alert
		if json.Unmarshal([]byte(r), &a) == nil {
			out = append(out, a)
		}
	}
	return out, nil
}
