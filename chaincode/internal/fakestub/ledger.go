// Package fakestub is a map-backed fake of shim.ChaincodeStubInterface for
// chaincode unit tests. A Ledger holds committed state; each transaction runs
// on its own Stub, which reads committed state only (as Fabric does: no
// read-your-writes), records its write set in call order, and applies it to
// the ledger on Commit.
package fakestub

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/queryresult"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Channel is the channel id every fake stub reports.
const Channel = "idchain"

// Ledger is the committed world state shared by successive transactions.
type Ledger struct {
	state   map[string][]byte
	meta    map[string][]byte            // state validation parameters by key
	private map[string]map[string][]byte // collection -> key -> value
	pmeta   map[string]map[string][]byte // collection -> key -> validation parameter
	history map[string][]*queryresult.KeyModification
	seq     int
	base    time.Time
	Commits int
}

// NewLedger returns an empty ledger whose generated transactions are
// timestamped from 2025-01-01T00:00:00Z, one second apart.
func NewLedger() *Ledger {
	return &Ledger{
		state:   map[string][]byte{},
		meta:    map[string][]byte{},
		private: map[string]map[string][]byte{},
		pmeta:   map[string]map[string][]byte{},
		history: map[string][]*queryresult.KeyModification{},
		base:    time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
	}
}

// Clone returns a deep copy, so the same proposal can be run on identical
// state twice (determinism tests).
func (l *Ledger) Clone() *Ledger {
	c := NewLedger()
	c.seq, c.base, c.Commits = l.seq, l.base, l.Commits
	for k, v := range l.state {
		c.state[k] = slices.Clone(v)
	}
	for k, v := range l.meta {
		c.meta[k] = slices.Clone(v)
	}
	for coll, m := range l.private {
		c.private[coll] = maps.Clone(m)
	}
	for coll, m := range l.pmeta {
		c.pmeta[coll] = maps.Clone(m)
	}
	for k, h := range l.history {
		c.history[k] = slices.Clone(h)
	}
	return c
}

// NewTx starts a transaction by the given identity with a generated,
// deterministic tx id ("tx000001", …) and timestamp (base + seq seconds).
func (l *Ledger) NewTx(id *Identity) *Stub {
	l.seq++
	return l.NewTxAt(id, fmt.Sprintf("tx%06d", l.seq), l.base.Add(time.Duration(l.seq)*time.Second))
}

// NewTxAt starts a transaction with an explicit tx id and timestamp.
func (l *Ledger) NewTxAt(id *Identity, txID string, at time.Time) *Stub {
	s := &Stub{
		ledger:    l,
		txID:      txID,
		timestamp: timestamppb.New(at),
		transient: map[string][]byte{},
		Calls:     map[string]int{},
	}
	if id != nil {
		s.creator = id.Serialized
	}
	return s
}

// State returns the committed value of a public key (nil when absent).
func (l *Ledger) State(key string) []byte { return l.state[key] }

// PutState writes a committed public value directly (test set-up).
func (l *Ledger) PutState(key string, value []byte) { l.state[key] = slices.Clone(value) }

// ValidationParameter returns the committed state-based endorsement policy of a key.
func (l *Ledger) ValidationParameter(key string) []byte { return l.meta[key] }

// PrivateData returns the committed value of a private key.
func (l *Ledger) PrivateData(collection, key string) []byte { return l.private[collection][key] }

// Keys returns every committed public key with the given prefix, sorted.
// For composite keys pass the result of shim.CreateCompositeKey.
func (l *Ledger) Keys(prefix string) []string {
	var out []string
	for k := range l.state {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// sortedRange returns the committed keys k with start <= k < end (end ""
// means unbounded), sorted.
func sortedRange(m map[string][]byte, start, end string) []string {
	var out []string
	for k := range m {
		if k >= start && (end == "" || k < end) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// commit applies a transaction's write set.
func (l *Ledger) commit(s *Stub) {
	for _, w := range s.writes {
		switch w.Op {
		case OpPut, OpDel:
			if w.Collection != "" {
				l.applyPrivate(w)
				continue
			}
			mod := &queryresult.KeyModification{TxId: s.txID, Timestamp: s.timestamp, Value: slices.Clone(w.Value), IsDelete: w.Op == OpDel}
			l.history[w.Key] = append(l.history[w.Key], mod)
			if w.Op == OpDel {
				delete(l.state, w.Key)
			} else {
				l.state[w.Key] = slices.Clone(w.Value)
			}
		case OpPurge:
			delete(l.private[w.Collection], w.Key)
		case OpMeta:
			if w.Collection == "" {
				l.meta[w.Key] = slices.Clone(w.Value)
			} else {
				if l.pmeta[w.Collection] == nil {
					l.pmeta[w.Collection] = map[string][]byte{}
				}
				l.pmeta[w.Collection][w.Key] = slices.Clone(w.Value)
			}
		}
	}
	l.Commits++
}

func (l *Ledger) applyPrivate(w Write) {
	m := l.private[w.Collection]
	if m == nil {
		m = map[string][]byte{}
		l.private[w.Collection] = m
	}
	if w.Op == OpDel {
		delete(m, w.Key)
		return
	}
	m[w.Key] = slices.Clone(w.Value)
}

// PutPrivateData writes a committed private value directly (test set-up).
func (l *Ledger) PutPrivateData(collection, key string, value []byte) {
	l.applyPrivate(Write{Collection: collection, Key: key, Value: value})
}
