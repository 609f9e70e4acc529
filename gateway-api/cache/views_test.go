package cache

import (
	"context"
	"testing"
	"time"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/internal/hotcache"
)

// fill reads every cached kind of ids into c and a rendered answer of each
// into hot.
func fill(t *testing.T, c *Cache, hot *hotcache.Cache, ids ...string) {
	t.Helper()
	for _, id := range ids {
		for fn := range Cacheable {
			mustEval(t, c, ledger.Call{Fn: fn, Args: []string{id}})
		}
		hot.Put(id, "verify", hot.Token(id), []byte("answer of "+id))
	}
}

// dropped reports whether id has no Redis entry of any kind and no
// in-process answer left.
func dropped(st *mapStore, hot *hotcache.Cache, id string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, k := range Cacheable {
		if st.vals[k+id] != nil {
			return false
		}
	}
	_, ok := hot.Get(id, "verify")
	return !ok
}

func TestDropRemovesEveryViewOfTheEventsIDsAndNothingElse(t *testing.T) {
	const unit, parent, other = "88.1/U", "88.1/CASE", "88.1/OTHER"
	cases := []struct {
		name        string
		ev          domain.ChaincodeEvent
		dropped     []string
		kept        []string
		sharedFlush bool
	}{
		{"a registration drops the item and the parent it names",
			domain.ChaincodeEvent{Type: "items.registered", IDs: []string{unit, parent}, TxID: "t1"},
			[]string{unit, parent}, []string{other}, false},
		{"a partial recall drops every view",
			domain.ChaincodeEvent{Type: "item.recalled", IDs: []string{parent}, TxID: "t2", Partial: true},
			[]string{unit, parent, other}, nil, true},
		{"a GCP assignment flushes no item views (its in-process GS1 matches: TestGCPAssignmentDropsTheInProcessGS1Matches)",
			domain.ChaincodeEvent{Type: "gcp.assigned", IDs: []string{"0614141"}, TxID: "t3"},
			nil, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := newMapStore()
			c := newCache(&fakeLedger{}, st, Config{})
			hot := hotcache.New(hotcache.Config{TTL: time.Hour})
			fill(t, c, hot, unit, parent, other)
			Views{Shared: c, Hot: hot}.Drop(context.Background(), tc.ev)
			for _, id := range tc.dropped {
				if !dropped(st, hot, id) {
					t.Errorf("%s still cached", id)
				}
			}
			for _, id := range tc.kept {
				if dropped(st, hot, id) {
					t.Errorf("%s dropped, but the event does not name it", id)
				}
			}
			if got := st.flushes > 0; got != tc.sharedFlush {
				t.Errorf("Redis flushed: %v, want %v", got, tc.sharedFlush)
			}
		})
	}
}

func TestGCPAssignmentDropsTheInProcessGS1Matches(t *testing.T) {
	hot := hotcache.New(hotcache.Config{TTL: time.Hour})
	const match = "gs1\x0009506000134352\x00\x00S1" // as httpapi findGS1 keys it
	hot.Put(match, "gs1", hot.Token(match), []byte("item\x0088.1/U"))
	Views{Hot: hot}.Drop(context.Background(), domain.ChaincodeEvent{Type: "items.registered", IDs: []string{"88.1/V"}})
	if _, ok := hot.Get(match, "gs1"); !ok {
		t.Fatal("a registration dropped a GS1 match (a held GS1 key names its item for good)")
	}
	Views{Hot: hot}.Drop(context.Background(), domain.ChaincodeEvent{Type: "gcp.assigned", IDs: []string{"0950600"}})
	if _, ok := hot.Get(match, "gs1"); ok {
		t.Fatal("a GCP assignment left a GS1 match that may no longer be genuine")
	}
}
