package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/statebased"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/idchain/idchain/chaincode"
	"github.com/idchain/idchain/test/adversary/rogue"
)

// rogueCC answers scripted proposals itself and everything else with the
// honest chaincode.
type rogueCC struct {
	honest shim.Chaincode
}

func newRogue() (*rogueCC, error) {
	cc, err := chaincode.New()
	if err != nil {
		return nil, err
	}
	return &rogueCC{honest: cc}, nil
}

func (r *rogueCC) Init(stub shim.ChaincodeStubInterface) *peer.Response {
	return r.honest.Init(stub)
}

func (r *rogueCC) Invoke(stub shim.ChaincodeStubInterface) *peer.Response {
	tm, err := stub.GetTransient()
	if err != nil {
		return r.honest.Invoke(stub)
	}
	raw, ok := tm[rogue.TransientKey]
	if !ok {
		return r.honest.Invoke(stub)
	}
	var s rogue.Script
	if err := json.Unmarshal(raw, &s); err != nil {
		return shim.Error("rogue: bad script: " + err.Error())
	}
	payload, err := r.execute(stub, s)
	if err != nil {
		return shim.Error("rogue: " + err.Error())
	}
	return shim.Success(payload)
}

func (r *rogueCC) execute(stub shim.ChaincodeStubInterface, s rogue.Script) ([]byte, error) {
	var res rogue.Result
	for i, op := range s.Ops {
		switch op.Op {
		case rogue.OpReturn:
			return op.Value, nil
		case rogue.OpFail:
			return nil, fmt.Errorf("%s", op.Name)
		case rogue.OpInvoke:
			if err := r.invoke(stub, op, &res); err != nil {
				return nil, fmt.Errorf("op %d invoke %v: %w", i, op.Args, err)
			}
		default:
			if err := apply(stub, op, &res); err != nil {
				return nil, fmt.Errorf("op %d %s %q: %w", i, op.Op, op.Key, err)
			}
		}
	}
	return json.Marshal(res)
}

// apply runs one primitive operation on the real stub.
func apply(stub shim.ChaincodeStubInterface, op rogue.Op, res *rogue.Result) error {
	switch op.Op {
	case rogue.OpPut:
		return stub.PutState(op.Key, op.Value)
	case rogue.OpDel:
		return stub.DelState(op.Key)
	case rogue.OpSBE:
		p, err := policyOf(op)
		if err != nil {
			return err
		}
		return stub.SetStateValidationParameter(op.Key, p)
	case rogue.OpPPut:
		return stub.PutPrivateData(op.Collection, op.Key, op.Value)
	case rogue.OpPDel:
		return stub.DelPrivateData(op.Collection, op.Key)
	case rogue.OpPSBE:
		p, err := policyOf(op)
		if err != nil {
			return err
		}
		return stub.SetPrivateDataValidationParameter(op.Collection, op.Key, p)
	case rogue.OpEvent:
		return stub.SetEvent(op.Name, op.Value)
	case rogue.OpGet:
		v, err := stub.GetState(op.Key)
		if err != nil {
			return err
		}
		res.Reads = append(res.Reads, rogue.KV{Key: op.Key, Value: v, Found: v != nil})
		return nil
	case rogue.OpPGet:
		v, err := stub.GetPrivateData(op.Collection, op.Key)
		if err != nil {
			return err
		}
		res.Reads = append(res.Reads, rogue.KV{Key: op.Key, Collection: op.Collection, Value: v, Found: v != nil})
		return nil
	case rogue.OpGetSBE:
		p, err := stub.GetStateValidationParameter(op.Key)
		if err != nil {
			return err
		}
		res.Reads = append(res.Reads, rogue.KV{Key: op.Key, Found: len(p) > 0, Orgs: policyOrgs(p)})
		return nil
	case rogue.OpScan:
		it, err := stub.GetStateByPartialCompositeKey(op.ObjectType, op.Attrs)
		if err != nil {
			return err
		}
		defer it.Close()
		for n := 0; it.HasNext() && n < 1000; n++ {
			kv, err := it.Next()
			if err != nil {
				return err
			}
			res.Reads = append(res.Reads, rogue.KV{Key: kv.Key, Value: kv.Value, Found: true})
		}
		return nil
	}
	return fmt.Errorf("unknown operation")
}

// policyOf is an AND of the named orgs' peers, the raw policy, or nil (no
// policy) when neither is given.
func policyOf(op rogue.Op) ([]byte, error) {
	if len(op.Policy) > 0 || len(op.Orgs) == 0 {
		return op.Policy, nil
	}
	ep, err := statebased.NewStateEP(nil)
	if err != nil {
		return nil, err
	}
	if err := ep.AddOrgs(statebased.RoleTypePeer, op.Orgs...); err != nil {
		return nil, err
	}
	return ep.Policy()
}

// policyOrgs lists the MSP ids a signature policy's principals name, sorted,
// whatever the policy's shape (AND, OutOf, nested).
func policyOrgs(p []byte) []string {
	if len(p) == 0 {
		return nil
	}
	var env common.SignaturePolicyEnvelope
	if err := proto.Unmarshal(p, &env); err != nil {
		return []string{"?unparsable"}
	}
	var orgs []string
	for _, id := range env.GetIdentities() {
		var m string
		switch id.GetPrincipalClassification() {
		case msp.MSPPrincipal_ROLE:
			var role msp.MSPRole
			if proto.Unmarshal(id.GetPrincipal(), &role) == nil {
				m = role.GetMspIdentifier()
			}
		case msp.MSPPrincipal_ORGANIZATION_UNIT:
			var ou msp.OrganizationUnit
			if proto.Unmarshal(id.GetPrincipal(), &ou) == nil {
				m = ou.GetMspIdentifier()
			}
		case msp.MSPPrincipal_IDENTITY:
			var si msp.SerializedIdentity
			if proto.Unmarshal(id.GetPrincipal(), &si) == nil {
				m = si.GetMspid()
			}
		}
		if m != "" && !slices.Contains(orgs, m) {
			orgs = append(orgs, m)
		}
	}
	slices.Sort(orgs)
	return orgs
}

// invoke runs the honest chaincode on a stub that shows it another creator,
// time and arguments and collects its writes, then applies the writes the
// Drop filter keeps.
func (r *rogueCC) invoke(stub shim.ChaincodeStubInterface, op rogue.Op, res *rogue.Result) error {
	if len(op.Args) == 0 {
		return fmt.Errorf("no function")
	}
	fake := &pretender{ChaincodeStubInterface: stub, creator: op.Creator}
	for _, a := range op.Args {
		fake.args = append(fake.args, []byte(a))
	}
	if op.Time != "" {
		t, err := time.Parse(time.RFC3339Nano, op.Time)
		if err != nil {
			return fmt.Errorf("time: %w", err)
		}
		fake.ts = timestamppb.New(t)
	}
	resp := r.honest.Invoke(fake)
	if resp.GetStatus() >= shim.ERRORTHRESHOLD {
		return fmt.Errorf("honest code refused: %s", resp.GetMessage())
	}
	res.Payload = string(resp.GetPayload())
	for _, w := range fake.writes {
		drop, err := dropped(stub, op.Drop, w)
		if err != nil {
			return err
		}
		if drop {
			res.Dropped = append(res.Dropped, w.String())
			continue
		}
		if err := w.apply(stub); err != nil {
			return err
		}
		res.Kept = append(res.Kept, w.String())
	}
	return nil
}

func dropped(stub shim.ChaincodeStubInterface, d rogue.Drop, w write) (bool, error) {
	switch w.kind {
	case rogue.OpSBE, rogue.OpPSBE:
		if d.Policies {
			return true, nil
		}
	case rogue.OpEvent:
		return d.Events, nil
	}
	if w.collection != "" {
		for _, m := range d.CollectionsOf {
			if strings.Contains(w.collection, m) {
				return true, nil
			}
		}
		return false, nil
	}
	if len(d.ProtectedBy) == 0 {
		return false, nil
	}
	p, err := stub.GetStateValidationParameter(w.key)
	if err != nil {
		return false, err
	}
	for _, m := range policyOrgs(p) {
		if slices.Contains(d.ProtectedBy, m) {
			return true, nil
		}
	}
	return false, nil
}
