// Package rogue is the wire format between the adversary tests and the rogue
// chaincode server (test/adversary/roguecc): a script of state operations
// carried in the transient field "rogue" of a proposal. Test-only.
package rogue

import "encoding/json"

// TransientKey is the transient map field that carries a Script.
const TransientKey = "rogue"

// Operation names.
const (
	OpPut    = "put"    // PutState(Key, Value)
	OpDel    = "del"    // DelState(Key)
	OpSBE    = "sbe"    // SetStateValidationParameter(Key, AND of Orgs' peers, or Policy; none = clear)
	OpGet    = "get"    // GetState(Key) into the result
	OpGetSBE = "getsbe" // GetStateValidationParameter(Key): the orgs it names, into the result
	OpScan   = "scan"   // GetStateByPartialCompositeKey(ObjectType, Attrs), at most 1000 keys, into the result
	OpPPut   = "pput"   // PutPrivateData(Collection, Key, Value)
	OpPDel   = "pdel"   // DelPrivateData(Collection, Key)
	OpPGet   = "pget"   // GetPrivateData(Collection, Key) into the result
	OpPSBE   = "psbe"   // SetPrivateDataValidationParameter(Collection, Key, …)
	OpEvent  = "event"  // SetEvent(Name, Value)
	OpReturn = "return" // answer Value as the payload instead of the Result JSON
	OpFail   = "fail"   // answer an error with message Name
	OpInvoke = "invoke" // run the honest chaincode as Creator at Time with Args, keep writes per Drop
)

// Script is what the rogue server executes, in order. Any failing operation
// fails the proposal.
type Script struct {
	Ops []Op `json:"ops"`
}

// Op is one operation; which fields matter depends on Op.
type Op struct {
	Op         string   `json:"op"`
	Key        string   `json:"key,omitempty"`
	Collection string   `json:"collection,omitempty"`
	Value      []byte   `json:"value,omitempty"`
	Orgs       []string `json:"orgs,omitempty"`
	Policy     []byte   `json:"policy,omitempty"`
	Name       string   `json:"name,omitempty"`
	ObjectType string   `json:"objectType,omitempty"`
	Attrs      []string `json:"attrs,omitempty"`

	// OpInvoke: the honest function and its arguments (Args[0] is the
	// function name), the serialized identity the honest code sees as the
	// creator (nil = the real one) and the transaction time it sees
	// (RFC 3339, "" = the real one).
	Args    []string `json:"args,omitempty"`
	Creator []byte   `json:"creator,omitempty"`
	Time    string   `json:"time,omitempty"`
	Drop    Drop     `json:"drop,omitzero"`
}

// Drop selects writes of an impersonated run that the rogue leaves out: the
// ones that would need an org the coalition does not control.
type Drop struct {
	CollectionsOf []string `json:"collectionsOf,omitempty"` // private writes to any collection whose name contains one of these MSP ids
	ProtectedBy   []string `json:"protectedBy,omitempty"`   // public writes to keys whose current state-based policy names one of these MSP ids
	Policies      bool     `json:"policies,omitempty"`      // every SetStateValidationParameter / SetPrivateDataValidationParameter
	Events        bool     `json:"events,omitempty"`        // the chaincode event
}

// Result is the rogue server's answer when the script has no OpReturn.
type Result struct {
	Reads   []KV     `json:"reads,omitempty"`
	Payload string   `json:"payload,omitempty"` // the honest function's answer (OpInvoke)
	Kept    []string `json:"kept,omitempty"`    // writes of OpInvoke applied: "put <key>", "pput <collection> <key>", …
	Dropped []string `json:"dropped,omitempty"` // writes of OpInvoke left out
}

// KV is one value read; Orgs lists the orgs a state-based policy names.
type KV struct {
	Key        string   `json:"key"`
	Collection string   `json:"collection,omitempty"`
	Value      []byte   `json:"value,omitempty"`
	Found      bool     `json:"found"`
	Orgs       []string `json:"orgs,omitempty"`
}

// Encode marshals a script for the transient map.
func Encode(s Script) ([]byte, error) { return json.Marshal(s) }
