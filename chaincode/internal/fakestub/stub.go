package fakestub

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Op is the kind of a recorded write.
type Op string

const (
	OpPut   Op = "put"
	OpDel   Op = "del"
	OpPurge Op = "purge"
	OpMeta  Op = "meta" // validation parameter
)

// Write is one entry of a transaction's write set, in call order.
type Write struct {
	Op         Op
	Collection string // "" for public state
	Key        string
	Value      []byte
}

// Event is one SetEvent call.
type Event struct {
	Name    string
	Payload []byte
}

// Stub is one transaction's view of a Ledger. It implements
// shim.ChaincodeStubInterface.
type Stub struct {
	ledger    *Ledger
	txID      string
	timestamp *timestamppb.Timestamp
	creator   []byte
	transient map[string][]byte
	args      [][]byte
	writes    []Write
	committed bool
	paginated bool // a paginated query ran: Fabric then refuses writes

	// Events records every SetEvent call (Fabric keeps only the last).
	Events []Event
	// Calls counts calls by method name ("GetState", "PutState", …);
	// GetMultipleStates also adds one "GetState" per key, the round trips it
	// costs on peers without multi-key support.
	Calls map[string]int
}

var _ shim.ChaincodeStubInterface = (*Stub)(nil)

// SetArgs sets the function name and arguments (for Invoke through a chaincode).
func (s *Stub) SetArgs(fn string, args ...string) *Stub {
	s.args = [][]byte{[]byte(fn)}
	for _, a := range args {
		s.args = append(s.args, []byte(a))
	}
	return s
}

// SetTransient sets one transient field.
func (s *Stub) SetTransient(key string, value []byte) *Stub {
	s.transient[key] = slices.Clone(value)
	return s
}

// Writes returns the write set in call order.
func (s *Stub) Writes() []Write { return slices.Clone(s.writes) }

// LastEvent returns the event Fabric would deliver (the last SetEvent), or nil.
func (s *Stub) LastEvent() *Event {
	if len(s.Events) == 0 {
		return nil
	}
	return &s.Events[len(s.Events)-1]
}

// Commit applies the write set to the ledger. A stub commits once.
func (s *Stub) Commit() error {
	if s.committed {
		return errors.New("fakestub: transaction already committed")
	}
	s.committed = true
	s.ledger.commit(s)
	return nil
}

// Ledger returns the ledger this transaction runs on.
func (s *Stub) Ledger() *Ledger { return s.ledger }

func (s *Stub) count(name string) { s.Calls[name]++ }

// errPaginatedWrite mirrors the peer: a transaction that ran a paginated
// query may not write, and one that wrote may not run a paginated query.
var errPaginatedWrite = errors.New("fakestub: transaction has already performed a paginated query. Writes are not allowed")

func (s *Stub) record(w Write) error {
	if s.paginated {
		return errPaginatedWrite
	}
	w.Value = slices.Clone(w.Value)
	s.writes = append(s.writes, w)
	return nil
}

// --- identity, arguments, transaction data

func (s *Stub) GetArgs() [][]byte { return s.args }

func (s *Stub) GetStringArgs() []string {
	out := make([]string, len(s.args))
	for i, a := range s.args {
		out[i] = string(a)
	}
	return out
}

func (s *Stub) GetFunctionAndParameters() (string, []string) {
	a := s.GetStringArgs()
	if len(a) == 0 {
		return "", nil
	}
	return a[0], a[1:]
}

func (s *Stub) GetArgsSlice() ([]byte, error) { return slices.Concat(s.args...), nil }
func (s *Stub) GetTxID() string               { return s.txID }
func (s *Stub) GetChannelID() string          { return Channel }
func (s *Stub) GetCreator() ([]byte, error)   { return s.creator, nil }
func (s *Stub) GetBinding() ([]byte, error)   { return nil, nil }
func (s *Stub) GetDecorations() map[string][]byte {
	return nil
}

func (s *Stub) GetTransient() (map[string][]byte, error) { return s.transient, nil }

func (s *Stub) GetSignedProposal() (*peer.SignedProposal, error) {
	return nil, errors.New("fakestub: no signed proposal")
}

func (s *Stub) GetTxTimestamp() (*timestamppb.Timestamp, error) { return s.timestamp, nil }

func (s *Stub) InvokeChaincode(name string, _ [][]byte, _ string) *peer.Response {
	return shim.Error("fakestub: chaincode-to-chaincode calls not supported: " + name)
}

func (s *Stub) SetEvent(name string, payload []byte) error {
	s.count("SetEvent")
	if name == "" {
		return errors.New("event name can not be empty string")
	}
	s.Events = append(s.Events, Event{Name: name, Payload: slices.Clone(payload)})
	return nil
}

// --- public state

func (s *Stub) GetState(key string) ([]byte, error) {
	s.count("GetState")
	return slices.Clone(s.ledger.state[key]), nil
}

func (s *Stub) GetMultipleStates(keys ...string) ([][]byte, error) {
	s.count("GetMultipleStates")
	s.Calls["GetState"] += len(keys)
	out := make([][]byte, len(keys))
	for i, k := range keys {
		out[i] = slices.Clone(s.ledger.state[k])
	}
	return out, nil
}

func (s *Stub) PutState(key string, value []byte) error {
	s.count("PutState")
	if key == "" {
		return errors.New("key must not be an empty string")
	}
	if len(value) == 0 {
		// Fabric treats an empty value as a delete; chaincode should not rely on it.
		return fmt.Errorf("fakestub: empty value for key %q", key)
	}
	return s.record(Write{Op: OpPut, Key: key, Value: value})
}

func (s *Stub) DelState(key string) error {
	s.count("DelState")
	return s.record(Write{Op: OpDel, Key: key})
}

func (s *Stub) SetStateValidationParameter(key string, ep []byte) error {
	s.count("SetStateValidationParameter")
	return s.record(Write{Op: OpMeta, Key: key, Value: ep})
}

func (s *Stub) GetStateValidationParameter(key string) ([]byte, error) {
	s.count("GetStateValidationParameter")
	return slices.Clone(s.ledger.meta[key]), nil
}

func (s *Stub) StartWriteBatch()        { s.count("StartWriteBatch") }
func (s *Stub) FinishWriteBatch() error { s.count("FinishWriteBatch"); return nil }

// --- private data

func (s *Stub) GetPrivateData(collection, key string) ([]byte, error) {
	s.count("GetPrivateData")
	if collection == "" {
		return nil, errors.New("collection must not be an empty string")
	}
	return slices.Clone(s.ledger.private[collection][key]), nil
}

func (s *Stub) GetMultiplePrivateData(collection string, keys ...string) ([][]byte, error) {
	s.count("GetMultiplePrivateData")
	out := make([][]byte, len(keys))
	for i, k := range keys {
		out[i] = slices.Clone(s.ledger.private[collection][k])
	}
	return out, nil
}

func (s *Stub) GetPrivateDataHash(collection, key string) ([]byte, error) {
	s.count("GetPrivateDataHash")
	v, ok := s.ledger.private[collection][key]
	if !ok {
		return nil, nil
	}
	h := sha256.Sum256(v)
	return h[:], nil
}

func (s *Stub) PutPrivateData(collection, key string, value []byte) error {
	s.count("PutPrivateData")
	if collection == "" {
		return errors.New("collection must not be an empty string")
	}
	if len(value) == 0 {
		return fmt.Errorf("fakestub: empty private value for key %q", key)
	}
	return s.record(Write{Op: OpPut, Collection: collection, Key: key, Value: value})
}

func (s *Stub) DelPrivateData(collection, key string) error {
	s.count("DelPrivateData")
	return s.record(Write{Op: OpDel, Collection: collection, Key: key})
}

func (s *Stub) PurgePrivateData(collection, key string) error {
	s.count("PurgePrivateData")
	return s.record(Write{Op: OpPurge, Collection: collection, Key: key})
}

func (s *Stub) SetPrivateDataValidationParameter(collection, key string, ep []byte) error {
	s.count("SetPrivateDataValidationParameter")
	return s.record(Write{Op: OpMeta, Collection: collection, Key: key, Value: ep})
}

func (s *Stub) GetPrivateDataValidationParameter(collection, key string) ([]byte, error) {
	s.count("GetPrivateDataValidationParameter")
	return slices.Clone(s.ledger.pmeta[collection][key]), nil
}
