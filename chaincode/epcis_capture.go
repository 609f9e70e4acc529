package chaincode

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/epcis"
)

// Capture jobs (EPCIS 2.0 REST binding, POST /capture → /capture/{id}):
// every capture transaction stores its part of the job with the outcome of
// each event, so the job can be read back from any API instance.
//
//	epcisjob [jobID, offset]   CaptureChunk; offset = index of the chunk's first event, 8 digits
const objEPCISJob = "epcisjob"

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
	Outcomes   []EPCISOutcome `json:"outcomes"`
}

// CaptureJob is a whole job as GetCaptureJob returns it.
type CaptureJob struct {
	JobID      string         `json:"jobId"`
	Total      int            `json:"total"`
	Rollback   bool           `json:"rollback,omitempty"`
	RolledBack bool           `json:"rolledBack,omitempty"`
	CreatedAt  string         `json:"createdAt"`
	FinishedAt string         `json:"finishedAt,omitempty"` // set once every event has an outcome
	TxIDs      []string       `json:"txIds"`
	Outcomes   []EPCISOutcome `json:"outcomes"`
}

// pending is an accepted event waiting to be written.
type pending struct {
	key string
	s   StoredEPCIS
	h   string
}

func captureEPCIS(ctx ctxI, eventsJSON, optionsJSON string) (*CaptureChunk, error) {
	caller, err := requireRole(ctx, domain.RoleOperator, domain.RoleAdmin)
	if err != nil {
		return nil, err
	}
	var opt CaptureOptions
	if err := parseJSONArg("options", optionsJSON, &opt); err != nil {
		return nil, err
	}
	var raws []json.RawMessage
	if err := parseJSONArg("events", eventsJSON, &raws); err != nil {
		return nil, err
	}
	switch {
	case len(raws) == 0 || len(raws) > MaxEPCISCapture:
		return nil, domain.Errorf(domain.CodeInvalid, "a capture transaction holds 1-%d events, got %d", MaxEPCISCapture, len(raws))
	case opt.JobID == "" || len(opt.JobID) > 64 || strings.ContainsAny(opt.JobID, "/\x00"):
		return nil, domain.Errorf(domain.CodeInvalid, "a capture needs a job id of 1-64 characters")
	case opt.Offset < 0 || opt.Total < opt.Offset+len(raws) || opt.Total > 99_999_999:
		return nil, domain.Errorf(domain.CodeInvalid, "events %d-%d do not fit a document of %d", opt.Offset, opt.Offset+len(raws), opt.Total)
	case opt.Rollback && (opt.Offset != 0 || opt.Total != len(raws)):
		return nil, domain.Errorf(domain.CodeInvalid, "rollback needs the whole document in one transaction (at most %d events)", MaxEPCISCapture)
	}
	stub := ctx.GetStub()
	jk, err := key(objEPCISJob, opt.JobID, fmt.Sprintf("%08d", opt.Offset))
	if err != nil {
		return nil, err
	}
	if b, err := stub.GetState(jk); err != nil || b != nil {
		if err != nil {
			return nil, fmt.Errorf("get state: %w", err)
		}
		return nil, domain.Errorf(domain.CodeConflict, "capture job %s already has events from %d", opt.JobID, opt.Offset)
	}
	at, ts, err := stamp(stub)
	if err != nil {
		return nil, err
	}
	chunk := &CaptureChunk{JobID: opt.JobID, Owner: caller.MSP, Offset: opt.Offset, Total: opt.Total, Rollback: opt.Rollback,
		At: at, TxID: stub.GetTxID(), Outcomes: make([]EPCISOutcome, len(raws))}
	eo := epcis.Options{IDBase: opt.IDBase}
	seen := map[string]json.RawMessage{}
	var writes []pending
	rejected := false
	for i, raw := range raws {
		out := &chunk.Outcomes[i]
		*out = EPCISOutcome{Index: opt.Offset + i, Status: domain.ResultRecorded}
		rec, derr := eo.NewRecord(raw)
		if derr != nil {
			out.Status, out.Error, rejected = domain.ResultRejected, derr, true
			continue
		}
		out.EventID = rec.EventID
		h := epcisHash(rec.EventID)
		k, err := key(objEPCISEvent, h)
		if err != nil {
			return nil, err
		}
		var old StoredEPCIS
		found, err := getJSON(stub, k, &old)
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[h]; dup {
			found, old = true, StoredEPCIS{Record: epcis.Record{Event: prev}, Owner: caller.MSP}
		}
		switch {
		case found && string(old.Event) == string(rec.Event) && old.Owner == caller.MSP:
			out.Status = domain.ResultUnchanged
			continue
		case found:
			// EPCIS 2.0 §7.4.1: an eventID names one event, globally.
			out.Status, out.Error, rejected = domain.ResultRejected, domain.Errorf(domain.CodeConflict, "eventID %s is already captured with other content (an eventID names one event)", rec.EventID), true
			continue
		}
		seen[h] = rec.Event
		s := StoredEPCIS{Record: rec, RecordTime: at, Owner: caller.MSP, TxID: chunk.TxID}
		if s.Items, s.Parties, err = eventParties(stub, eo, rec, caller.MSP); err != nil {
			return nil, err
		}
		writes = append(writes, pending{k, s, h})
	}
	if opt.Rollback && rejected {
		chunk.RolledBack, writes = true, nil
		for i := range chunk.Outcomes {
			if o := &chunk.Outcomes[i]; o.Status == domain.ResultRecorded {
				o.Status = domain.ResultRejected
				o.Error = domain.Errorf(domain.CodeConflict, "not stored: another event of the document was refused (GS1-Capture-Error-Behaviour: rollback)")
			}
		}
	}
	for _, w := range writes {
		if err := putJSON(stub, w.key, w.s); err != nil {
			return nil, err
		}
		if err := setOwnerPolicy(stub, nil, w.key, caller.MSP); err != nil {
			return nil, err
		}
		if err := indexEPCIS(stub, w.s, ts, w.h); err != nil {
			return nil, err
		}
	}
	if err := putJSON(stub, jk, chunk); err != nil {
		return nil, err
	}
	if err := setOwnerPolicy(stub, nil, jk, caller.MSP); err != nil {
		return nil, err
	}
	if err := emit(ctx, "epcis.captured"); err != nil {
		return nil, err
	}
	return chunk, nil
}

// getCaptureJob assembles a job from its chunks; only the capturing org
// (or a regulator) sees it.
func getCaptureJob(ctx ctxI, jobID string) (*CaptureJob, error) {
	v, err := viewerOf(ctx)
	if err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	job := &CaptureJob{JobID: jobID, TxIDs: []string{}, Outcomes: []EPCISOutcome{}}
	n := 0
	err = scanAll(stub, objEPCISJob, []string{jobID}, func(_ string, b []byte) error {
		var c CaptureChunk
		if err := json.Unmarshal(b, &c); err != nil {
			return fmt.Errorf("capture job %s: %w", jobID, err)
		}
		if c.Owner != v.msp && !v.all {
			return nil
		}
		if n == 0 || domain.CompareTimes(c.At, job.CreatedAt) < 0 {
			job.CreatedAt = c.At
		}
		if domain.CompareTimes(c.At, job.FinishedAt) > 0 {
			job.FinishedAt = c.At
		}
		job.Total, job.Rollback = c.Total, c.Rollback
		job.RolledBack = job.RolledBack || c.RolledBack
		job.TxIDs = append(job.TxIDs, c.TxID)
		job.Outcomes = append(job.Outcomes, c.Outcomes...)
		n++
		return nil
	})
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, domain.Errorf(domain.CodeNotFound, "no capture job %s", jobID)
	}
	if len(job.Outcomes) < job.Total {
		job.FinishedAt = "" // still running: not every event has an outcome
	}
	return job, nil
}
