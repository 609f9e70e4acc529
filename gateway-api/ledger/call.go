// Package ledger is the API's access to Fabric through fabric-gateway: one
// gRPC connection per peer, one client.Gateway per enrolled identity, submit
// with commit-status checks and retries, a write coalescer for item
// registration and a checkpointed chaincode-event listener.
package ledger

import (
	"time"

	"github.com/idchain/idchain/domain"
)

// Chaincode function names (docs/chaincode-api.md).
const (
	FnPing            = "system:Ping"
	FnAssignPrefix    = "registry:AssignPrefix"
	FnGetPrefix       = "registry:GetPrefix"
	FnListPrefixes    = "registry:ListPrefixes"
	FnAssignGCP       = "registry:AssignGCP"
	FnListGCPs        = "registry:ListGCPs"
	FnRegisterItems   = "registry:RegisterItems"
	FnGetItem         = "registry:GetItem"
	FnListItems       = "registry:ListItems"
	FnFindByGTIN      = "registry:FindByGTIN"
	FnRecordEvents    = "trace:RecordEvents"
	FnGetHistory      = "trace:GetHistory"
	FnTraceBackward   = "trace:TraceBackward"
	FnTraceForward    = "trace:TraceForward"
	FnGetProvenance   = "trace:GetProvenance"
	FnPutPlan         = "quality:PutPlan"
	FnGetPlan         = "quality:GetPlan"
	FnGetEntPlan      = "quality:GetEnterprisePlan"
	FnRecordInspect   = "quality:RecordInspection"
	FnStoreDetail     = "quality:StoreDetail"
	FnGetInspections  = "quality:GetInspections"
	FnRelease         = "quality:Release"
	FnRecall          = "quality:Recall"
	FnVerify          = "public:Verify"
	FnRecordScans     = "public:RecordFirstScans"
	FnGrantConsent    = "sharing:GrantConsent"
	FnRevokeConsent   = "sharing:RevokeConsent"
	FnListConsents    = "sharing:ListConsents"
	FnRecordAccess    = "sharing:RecordAccess"
	FnReadShared      = "sharing:ReadShared"
	FnListAccess      = "sharing:ListAccess"
	FnPurgeDetail     = "sharing:PurgeDetail"
	FnEPCISCapture    = "epcis:Capture"
	FnEPCISQuery      = "epcis:QueryEvents"
	FnEPCISGetEvent   = "epcis:GetEvent"
	FnEPCISGetJob     = "epcis:GetCaptureJob"
	FnEPCISListJobs   = "epcis:ListCaptureJobs"
	ChaincodeEventTag = domain.EventName // the one chaincode event name
)

// Call is one chaincode invocation on behalf of an API user.
type Call struct {
	User      string            // API user name; its enrolled identity signs
	Fn        string            // "contract:Function"
	Args      []string          // string arguments (complex ones JSON)
	Transient map[string][]byte // private data, never in the proposal args
	// Orgs restricts endorsement (submit) or the evaluating peer (evaluate)
	// to these MSP IDs, e.g. the owner for implicit-collection access.
	Orgs []string
}

// Committed is the outcome of a submitted transaction whose commit status
// was checked and found valid.
type Committed struct {
	Result []byte
	TxID   string
	Block  uint64    // the block it was committed in
	At     time.Time // when the commit status arrived
	// Event is the chaincode event the transaction emitted (its ids are
	// what the write changed, as the event listener sees them); zero when
	// it emitted none.
	Event domain.ChaincodeEvent
}
