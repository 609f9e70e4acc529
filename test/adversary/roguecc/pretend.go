package main

import (
	"fmt"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/idchain/idchain/test/adversary/rogue"
)

// pretender is the stub the honest chaincode sees during an impersonated
// run: another creator, time and argument list, and writes collected
// instead of sent to the peer (Fabric shows a transaction none of its own
// writes either, so collecting them changes nothing the code can observe).
type pretender struct {
	shim.ChaincodeStubInterface
	creator []byte
	ts      *timestamppb.Timestamp
	args    [][]byte
	writes  []write
}

type write struct {
	kind       string // rogue.OpPut, OpDel, OpSBE, OpPPut, OpPDel, OpPSBE, OpEvent; "purge"
	collection string
	key        string
	value      []byte
}

func (w write) String() string {
	if w.collection != "" {
		return fmt.Sprintf("%s %s %q", w.kind, w.collection, w.key)
	}
	return fmt.Sprintf("%s %q", w.kind, w.key)
}

func (w write) apply(stub shim.ChaincodeStubInterface) error {
	switch w.kind {
	case rogue.OpPut:
		return stub.PutState(w.key, w.value)
	case rogue.OpDel:
		return stub.DelState(w.key)
	case rogue.OpSBE:
		return stub.SetStateValidationParameter(w.key, w.value)
	case rogue.OpPPut:
		return stub.PutPrivateData(w.collection, w.key, w.value)
	case rogue.OpPDel:
		return stub.DelPrivateData(w.collection, w.key)
	case "purge":
		return stub.PurgePrivateData(w.collection, w.key)
	case rogue.OpPSBE:
		return stub.SetPrivateDataValidationParameter(w.collection, w.key, w.value)
	case rogue.OpEvent:
		return stub.SetEvent(w.key, w.value)
	}
	return fmt.Errorf("unknown write %s", w.kind)
}

func (p *pretender) GetCreator() ([]byte, error) {
	if p.creator != nil {
		return p.creator, nil
	}
	return p.ChaincodeStubInterface.GetCreator()
}

func (p *pretender) GetTxTimestamp() (*timestamppb.Timestamp, error) {
	if p.ts != nil {
		return p.ts, nil
	}
	return p.ChaincodeStubInterface.GetTxTimestamp()
}

func (p *pretender) GetArgs() [][]byte { return p.args }

func (p *pretender) GetStringArgs() []string {
	out := make([]string, len(p.args))
	for i, a := range p.args {
		out[i] = string(a)
	}
	return out
}

func (p *pretender) GetFunctionAndParameters() (string, []string) {
	a := p.GetStringArgs()
	if len(a) == 0 {
		return "", nil
	}
	return a[0], a[1:]
}

func (p *pretender) add(w write) error { p.writes = append(p.writes, w); return nil }

func (p *pretender) PutState(key string, value []byte) error {
	return p.add(write{kind: rogue.OpPut, key: key, value: value})
}
func (p *pretender) DelState(key string) error { return p.add(write{kind: rogue.OpDel, key: key}) }
func (p *pretender) SetStateValidationParameter(key string, ep []byte) error {
	return p.add(write{kind: rogue.OpSBE, key: key, value: ep})
}
func (p *pretender) PutPrivateData(collection, key string, value []byte) error {
	return p.add(write{kind: rogue.OpPPut, collection: collection, key: key, value: value})
}
func (p *pretender) DelPrivateData(collection, key string) error {
	return p.add(write{kind: rogue.OpPDel, collection: collection, key: key})
}
func (p *pretender) PurgePrivateData(collection, key string) error {
	return p.add(write{kind: "purge", collection: collection, key: key})
}
func (p *pretender) SetPrivateDataValidationParameter(collection, key string, ep []byte) error {
	return p.add(write{kind: rogue.OpPSBE, collection: collection, key: key, value: ep})
}
func (p *pretender) SetEvent(name string, payload []byte) error {
	return p.add(write{kind: rogue.OpEvent, key: name, value: payload})
}
func (p *pretender) StartWriteBatch()        {}
func (p *pretender) FinishWriteBatch() error { return nil }
