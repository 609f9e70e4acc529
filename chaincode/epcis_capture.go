package chaincode

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/epcis"
)

// Capture jobs (EPCIS 2.0 REST binding, POST /capture → /capture/{id}):
// every capture transaction stores its part of the job with the outcome of
// each event, so the job can be read back from any API instance.
//
//	epcisjob [jobID, ownerMSP, offset]   CaptureChunk; offset = index of the chunk's first event, 8 digits
//
// A job is the capturing org's: the owner is part of the key, so another
// org that learns a running job's id (it is public state once the first
// chunk commits) cannot take the key of the job's next chunk.
const objEPCISJob = "epcisjob"

// CaptureJobKey is the key of the chunk of owner's capture job jobID that
// starts at event offset.
func CaptureJobKey(owner, jobID string, offset int) (string, error) {
	return key(objEPCISJob, jobID, owner, fmt.Sprintf("%08d", offset))
}

// pending is an accepted event waiting to be written.
type pending struct {
	key string
	s   epcis.Stored
	h   string
}

func captureEPCIS(ctx ctxI, eventsJSON, optionsJSON string) (*epcis.CaptureChunk, error) {
	caller, err := requireRole(ctx, domain.Writers("epcis:Capture")...)
	if err != nil {
		return nil, err
	}
	var opt epcis.CaptureOptions
	if err := parseJSONArg("options", optionsJSON, &opt); err != nil {
		return nil, err
	}
	var raws []json.RawMessage
	if err := parseJSONArg("events", eventsJSON, &raws); err != nil {
		return nil, err
	}
	switch {
	case len(raws) == 0 || len(raws) > epcis.MaxCapture:
		return nil, domain.Errorf(domain.CodeInvalid, "a capture transaction holds 1-%d events, got %d", epcis.MaxCapture, len(raws))
	case opt.JobID == "" || len(opt.JobID) > 64 || strings.ContainsAny(opt.JobID, "/\x00"):
		return nil, domain.Errorf(domain.CodeInvalid, "a capture needs a job id of 1-64 characters")
	case opt.Offset < 0 || opt.Total < opt.Offset+len(raws) || opt.Total > 99_999_999:
		return nil, domain.Errorf(domain.CodeInvalid, "events %d-%d do not fit a document of %d", opt.Offset, opt.Offset+len(raws), opt.Total)
	case opt.Rollback && (opt.Offset != 0 || opt.Total != len(raws)):
		return nil, domain.Errorf(domain.CodeInvalid, "rollback needs the whole document in one transaction (at most %d events)", epcis.MaxCapture)
	}
	stub := ctx.GetStub()
	jk, err := CaptureJobKey(caller.MSP, opt.JobID, opt.Offset)
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
	chunk := &epcis.CaptureChunk{JobID: opt.JobID, Owner: caller.MSP, Offset: opt.Offset, Total: opt.Total, Rollback: opt.Rollback,
		At: at, TxID: stub.GetTxID(), Outcomes: make([]epcis.EventOutcome, len(raws))}
	eo := epcis.Options{IDBase: opt.IDBase}
	seen := map[string]json.RawMessage{}
	var writes []pending
	rejected := false
	for i, raw := range raws {
		out := &chunk.Outcomes[i]
		*out = epcis.EventOutcome{Index: opt.Offset + i, Status: domain.ResultRecorded}
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
		var old epcis.Stored
		found, err := getAnchored(stub, k, &old, true, func() string { return old.Owner })
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[h]; dup {
			found, old = true, epcis.Stored{Record: epcis.Record{Event: prev}, Owner: caller.MSP}
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
		s := epcis.Stored{Record: rec, RecordTime: at, Owner: caller.MSP, TxID: chunk.TxID}
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
	// Events and job records are append-only (every org endorses a change)
	// and anchored by the capturing org, so no coalition can invent a
	// capture in its name; index keys are append-only too.
	pc := policyCache{}
	for _, w := range writes {
		if err := putRecord(stub, pc, w.key, w.s, classAppend, caller.MSP, caller.MSP); err != nil {
			return nil, err
		}
		if err := indexEPCIS(stub, pc, w.s, ts, w.h); err != nil {
			return nil, err
		}
	}
	if err := putRecord(stub, pc, jk, chunk, classAppend, caller.MSP, caller.MSP); err != nil {
		return nil, err
	}
	if err := emit(ctx, "epcis.captured"); err != nil {
		return nil, err
	}
	return chunk, nil
}

// getCaptureJob assembles a job from its chunks: the caller's org's job of
// that id; for a regulator, the job of the org that started it (the owner
// of the earliest chunk, then key order), which another org's later chunks
// under the same id cannot replace.
func getCaptureJob(ctx ctxI, jobID string) (*epcis.CaptureJob, error) {
	v, err := viewerOf(ctx)
	if err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	attrs := []string{jobID, v.msp}
	if v.all {
		attrs = attrs[:1]
	}
	var chunks []epcis.CaptureChunk
	owner, first := "", ""
	err = scanAll(stub, objEPCISJob, attrs, func(k string, b []byte) error {
		c, ok, err := genuineChunk(stub, k, b)
		if err != nil || !ok {
			return err
		}
		if owner == "" || domain.CompareTimes(c.At, first) < 0 {
			owner, first = c.Owner, c.At
		}
		chunks = append(chunks, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	job := &epcis.CaptureJob{JobID: jobID, TxIDs: []string{}, Outcomes: []epcis.EventOutcome{}}
	for _, c := range chunks {
		if c.Owner == owner {
			addChunk(job, c)
		}
	}
	if len(job.TxIDs) == 0 { // addChunk adds one per chunk
		return nil, domain.Errorf(domain.CodeNotFound, "no capture job %s", jobID)
	}
	finishJob(job) // still running while not every event has an outcome
	return job, nil
}

// genuineChunk decodes the capture-job chunk b stored under k; ok is false
// for a chunk its org never wrote (no content anchor) or one under a key
// that is not its own (another org's, another job's or offset).
func genuineChunk(stub shim.ChaincodeStubInterface, k string, b []byte) (epcis.CaptureChunk, bool, error) {
	var c epcis.CaptureChunk
	if err := json.Unmarshal(b, &c); err != nil {
		return c, false, fmt.Errorf("capture job chunk %q: %w", k, err)
	}
	if want, err := CaptureJobKey(c.Owner, c.JobID, c.Offset); err != nil || want != k {
		return c, false, err
	}
	ok, err := anchoredValue(stub, c.Owner, k, b)
	return c, ok, err
}
