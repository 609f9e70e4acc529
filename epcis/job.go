package epcis

import "github.com/idchain/idchain/domain"

// Capture transactions and jobs, shared by the chaincode (epcis:Capture,
// epcis:GetCaptureJob, epcis:QueryEvents) and the gateway's REST binding.

// MaxCapture is the most events one capture transaction records.
const MaxCapture = 500

// CaptureOptions are the options of one capture transaction.
type CaptureOptions struct {
	IDBase string `json:"idBase,omitempty"` // idchain URI base of the canonical ids
	JobID  string `json:"jobId"`            // the capture job this chunk belongs to
	Offset int    `json:"offset"`           // index of the first event in the document
	Total  int    `json:"total"`            // events in the whole document
	// Rollback (GS1-Capture-Error-Behaviour: rollback): when any event is
	// refused, nothing but the job record is written.
	Rollback bool `json:"rollback,omitempty"`
}

// EventOutcome is the result of one event of a capture.
type EventOutcome struct {
	Index   int           `json:"index"`
	EventID string        `json:"eventID,omitempty"`
	Status  string        `json:"status"` // recorded | unchanged | rejected
	Error   *domain.Error `json:"error,omitempty"`
}

// CaptureChunk is one transaction's part of a capture job.
type CaptureChunk struct {
	JobID      string         `json:"jobId"`
	Owner      string         `json:"owner"`
	Offset     int            `json:"offset"`
	Total      int            `json:"total"`
	Rollback   bool           `json:"rollback,omitempty"`
	RolledBack bool           `json:"rolledBack,omitempty"`
	At         string         `json:"at"`
	TxID       string         `json:"txId"`
	Outcomes   []EventOutcome `json:"outcomes"`
}

// CaptureJob is a whole job as epcis:GetCaptureJob returns it.
type CaptureJob struct {
	JobID      string         `json:"jobId"`
	Total      int            `json:"total"`
	Rollback   bool           `json:"rollback,omitempty"`
	RolledBack bool           `json:"rolledBack,omitempty"`
	CreatedAt  string         `json:"createdAt"`
	FinishedAt string         `json:"finishedAt,omitempty"` // set once every event has an outcome
	TxIDs      []string       `json:"txIds"`
	Outcomes   []EventOutcome `json:"outcomes"`
}

// Stored is one captured EPCIS event on the ledger.
type Stored struct {
	Record
	RecordTime string `json:"recordTime"` // tx time of the capture
	Owner      string `json:"owner"`      // MSP of the capturing org
	TxID       string `json:"txId"`
	// Items are the idchain items the event names (idchain URIs, or GS1
	// keys found in the GS1 index), Parties the capturing org and the
	// items' owners: the orgs that see the event.
	Items   []string `json:"items,omitempty"`
	Parties []string `json:"parties"`
}

// Page is one page of epcis:QueryEvents.
type Page struct {
	Events   []Stored `json:"events"`
	Bookmark string   `json:"bookmark,omitempty"`
}

// JobPage is one page of epcis:ListCaptureJobs.
type JobPage struct {
	Jobs     []CaptureJob `json:"jobs"`
	Bookmark string       `json:"bookmark,omitempty"`
}
