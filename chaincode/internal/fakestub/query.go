package fakestub

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/queryresult"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
)

const (
	compositeNS = "\x00"
	maxRune     = string(utf8.MaxRune)
)

// errRichQuery is returned for CouchDB queries: the network runs LevelDB.
var errRichQuery = errors.New("fakestub: rich queries are not supported (LevelDB)")

// KVIterator iterates a fixed list of key/values.
type KVIterator struct {
	kvs    []*queryresult.KV
	closed bool
}

func (it *KVIterator) HasNext() bool { return !it.closed && len(it.kvs) > 0 }
func (it *KVIterator) Close() error  { it.closed = true; return nil }

func (it *KVIterator) Next() (*queryresult.KV, error) {
	if !it.HasNext() {
		return nil, errors.New("fakestub: no more results")
	}
	kv := it.kvs[0]
	it.kvs = it.kvs[1:]
	return kv, nil
}

// HistoryIterator iterates key modifications, newest first (Fabric v2 order).
type HistoryIterator struct {
	mods   []*queryresult.KeyModification
	closed bool
}

func (it *HistoryIterator) HasNext() bool { return !it.closed && len(it.mods) > 0 }
func (it *HistoryIterator) Close() error  { it.closed = true; return nil }

func (it *HistoryIterator) Next() (*queryresult.KeyModification, error) {
	if !it.HasNext() {
		return nil, errors.New("fakestub: no more results")
	}
	m := it.mods[0]
	it.mods = it.mods[1:]
	return m, nil
}

// scan reads committed keys in [start, end) starting at bookmark (inclusive,
// when within range), at most pageSize of them (0: unbounded). It returns
// the next bookmark ("" when exhausted).
func scan(m map[string][]byte, start, end, bookmark string, pageSize int32) ([]*queryresult.KV, string) {
	from := start
	if bookmark != "" && bookmark > from {
		from = bookmark
	}
	keys := sortedRange(m, from, end)
	next := ""
	if pageSize > 0 && len(keys) > int(pageSize) {
		next = keys[pageSize]
		keys = keys[:pageSize]
	}
	kvs := make([]*queryresult.KV, len(keys))
	for i, k := range keys {
		kvs[i] = &queryresult.KV{Namespace: "idchain", Key: k, Value: slices.Clone(m[k])}
	}
	return kvs, next
}

// startPaginated marks a paginated query, refused after a write.
func (s *Stub) startPaginated() error {
	if len(s.writes) > 0 {
		return errors.New("fakestub: paginated queries are not allowed in a transaction that writes")
	}
	s.paginated = true
	return nil
}

func partialRange(objectType string, attrs []string) (string, string, error) {
	if objectType == "" {
		return "", "", errors.New("fakestub: empty object type")
	}
	k, err := shim.CreateCompositeKey(objectType, attrs)
	if err != nil {
		return "", "", err
	}
	return k, k + maxRune, nil
}

func simpleRange(start, end string) error {
	if strings.HasPrefix(start, compositeNS) || strings.HasPrefix(end, compositeNS) {
		return fmt.Errorf("fakestub: range keys must be simple keys")
	}
	return nil
}

func (s *Stub) GetStateByRange(start, end string) (shim.StateQueryIteratorInterface, error) {
	s.count("GetStateByRange")
	if err := simpleRange(start, end); err != nil {
		return nil, err
	}
	if start == "" {
		start = "\x01"
	}
	kvs, _ := scan(s.ledger.state, start, end, "", 0)
	return &KVIterator{kvs: kvs}, nil
}

func (s *Stub) GetStateByRangeWithPagination(start, end string, pageSize int32, bookmark string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
	s.count("GetStateByRangeWithPagination")
	if err := s.startPaginated(); err != nil {
		return nil, nil, err
	}
	if err := simpleRange(start, end); err != nil {
		return nil, nil, err
	}
	if start == "" {
		start = "\x01"
	}
	kvs, next := scan(s.ledger.state, start, end, bookmark, pageSize)
	return &KVIterator{kvs: kvs}, &peer.QueryResponseMetadata{FetchedRecordsCount: int32(len(kvs)), Bookmark: next}, nil
}

func (s *Stub) GetStateByPartialCompositeKey(objectType string, attrs []string) (shim.StateQueryIteratorInterface, error) {
	s.count("GetStateByPartialCompositeKey")
	start, end, err := partialRange(objectType, attrs)
	if err != nil {
		return nil, err
	}
	kvs, _ := scan(s.ledger.state, start, end, "", 0)
	return &KVIterator{kvs: kvs}, nil
}

func (s *Stub) GetStateByPartialCompositeKeyWithPagination(objectType string, attrs []string, pageSize int32, bookmark string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
	s.count("GetStateByPartialCompositeKeyWithPagination")
	if err := s.startPaginated(); err != nil {
		return nil, nil, err
	}
	start, end, err := partialRange(objectType, attrs)
	if err != nil {
		return nil, nil, err
	}
	kvs, next := scan(s.ledger.state, start, end, bookmark, pageSize)
	return &KVIterator{kvs: kvs}, &peer.QueryResponseMetadata{FetchedRecordsCount: int32(len(kvs)), Bookmark: next}, nil
}

func (s *Stub) GetAllStatesCompositeKeyWithPagination(pageSize int32, bookmark string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
	s.count("GetAllStatesCompositeKeyWithPagination")
	if err := s.startPaginated(); err != nil {
		return nil, nil, err
	}
	kvs, next := scan(s.ledger.state, compositeNS, compositeNS+maxRune, bookmark, pageSize)
	return &KVIterator{kvs: kvs}, &peer.QueryResponseMetadata{FetchedRecordsCount: int32(len(kvs)), Bookmark: next}, nil
}

func (s *Stub) CreateCompositeKey(objectType string, attrs []string) (string, error) {
	return shim.CreateCompositeKey(objectType, attrs)
}

func (s *Stub) SplitCompositeKey(key string) (string, []string, error) {
	if !strings.HasPrefix(key, compositeNS) {
		return "", nil, fmt.Errorf("fakestub: %q is not a composite key", key)
	}
	parts := strings.Split(key[1:], compositeNS)
	if len(parts) < 2 || parts[len(parts)-1] != "" {
		return "", nil, fmt.Errorf("fakestub: malformed composite key %q", key)
	}
	parts = parts[:len(parts)-1]
	return parts[0], parts[1:], nil
}

func (s *Stub) GetQueryResult(string) (shim.StateQueryIteratorInterface, error) {
	return nil, errRichQuery
}

func (s *Stub) GetQueryResultWithPagination(string, int32, string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
	return nil, nil, errRichQuery
}

func (s *Stub) GetPrivateDataQueryResult(string, string) (shim.StateQueryIteratorInterface, error) {
	return nil, errRichQuery
}

func (s *Stub) GetHistoryForKey(key string) (shim.HistoryQueryIteratorInterface, error) {
	s.count("GetHistoryForKey")
	mods := slices.Clone(s.ledger.history[key])
	slices.Reverse(mods)
	return &HistoryIterator{mods: mods}, nil
}

func (s *Stub) GetPrivateDataByRange(collection, start, end string) (shim.StateQueryIteratorInterface, error) {
	s.count("GetPrivateDataByRange")
	if start == "" {
		start = "\x01"
	}
	kvs, _ := scan(s.ledger.private[collection], start, end, "", 0)
	return &KVIterator{kvs: kvs}, nil
}

func (s *Stub) GetPrivateDataByPartialCompositeKey(collection, objectType string, attrs []string) (shim.StateQueryIteratorInterface, error) {
	s.count("GetPrivateDataByPartialCompositeKey")
	start, end, err := partialRange(objectType, attrs)
	if err != nil {
		return nil, err
	}
	kvs, _ := scan(s.ledger.private[collection], start, end, "", 0)
	return &KVIterator{kvs: kvs}, nil
}
