package domain

// Limits and names that the chaincode and the API must agree on, defined
// once here and read by both (chaincode/register.go, chaincode/events.go,
// gateway-api/httpapi, gateway-api/ledger, cmd/idchain-api).
const (
	// MaxTxBatch is the most items, events or first scans one transaction
	// accepts; the chaincode refuses more.
	MaxTxBatch = 5000
	// MaxRequestBatch is the most items or events one REST request may
	// carry; the API splits it into transactions of at most MaxTxBatch.
	MaxRequestBatch = 10000
	// DefaultTxBatch is how many items the API's coalescer puts into one
	// registration transaction, and how many queued first scans it records
	// at once, unless configured (at most MaxTxBatch).
	DefaultTxBatch = 500
	// EventName is the name of the one chaincode event every transaction
	// sets (its payload is a ChaincodeEvent).
	EventName = "idchain"
)
