package cache

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"time"

	"github.com/redis/go-redis/v9"
)

// NamedQuery is an EPCIS 2.0 named query (POST /epcis/queries): a
// caller's saved query, not a ledger fact. Query is the query object as
// given (GS1's EPCIS query schema); Params its URL form, which the events
// resource runs.
type NamedQuery struct {
	Name      string          `json:"name"`
	Query     json.RawMessage `json:"query"`
	Params    string          `json:"params"`
	CreatedBy string          `json:"createdBy"`
	CreatedAt time.Time       `json:"createdAt"`
}

// ErrQueryExists: a named query of that name exists in the org.
var ErrQueryExists = errors.New("a query of that name exists")

// ErrTooManyQueries: the org holds MaxNamedQueries already.
var ErrTooManyQueries = errors.New("too many named queries")

// MaxNamedQueries bounds the named queries of one org (a listing reads
// them all).
const MaxNamedQueries = 500

// NamedQueries keeps each org's named queries in one Redis hash
// (idchain:epcisqueries:{<org>}, field = query name), without expiry.
type NamedQueries struct{ rdb redis.UniversalClient }

// NewNamedQueries stores named queries in rdb.
func NewNamedQueries(rdb redis.UniversalClient) *NamedQueries { return &NamedQueries{rdb: rdb} }

func queriesKey(org string) string { return "idchain:epcisqueries:{" + org + "}" }

// createQuery adds the field unless it exists or the hash is full.
var createQuery = redis.NewScript(`
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return -1 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1`)

// Create stores q for org; ErrQueryExists or ErrTooManyQueries refuse it.
func (n *NamedQueries) Create(ctx context.Context, org string, q NamedQuery) error {
	b, err := json.Marshal(q)
	if err != nil {
		return err
	}
	r, err := createQuery.Run(ctx, n.rdb, []string{queriesKey(org)}, q.Name, b, MaxNamedQueries).Int()
	switch {
	case err != nil:
		return err
	case r == 0:
		return ErrQueryExists
	case r < 0:
		return ErrTooManyQueries
	}
	return nil
}

// Get reads org's query name; ok is false when there is none.
func (n *NamedQueries) Get(ctx context.Context, org, name string) (NamedQuery, bool, error) {
	var q NamedQuery
	b, err := n.rdb.HGet(ctx, queriesKey(org), name).Bytes()
	if errors.Is(err, redis.Nil) {
		return q, false, nil
	}
	if err != nil {
		return q, false, err
	}
	return q, true, json.Unmarshal(b, &q)
}

// List returns org's queries sorted by name.
func (n *NamedQueries) List(ctx context.Context, org string) ([]NamedQuery, error) {
	m, err := n.rdb.HGetAll(ctx, queriesKey(org)).Result()
	if err != nil {
		return nil, err
	}
	out := make([]NamedQuery, 0, len(m))
	for _, v := range m {
		var q NamedQuery
		if err := json.Unmarshal([]byte(v), &q); err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Delete removes org's query name; ok is false when there was none.
func (n *NamedQueries) Delete(ctx context.Context, org, name string) (bool, error) {
	c, err := n.rdb.HDel(ctx, queriesKey(org), name).Result()
	return c > 0, err
}
