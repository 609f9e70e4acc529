package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/epcis"
	"github.com/idchain/idchain/gateway-api/ledger"
)

// Capture behaviours (GS1-Capture-Error-Behaviour).
const (
	captureRollback = "rollback" // the standard's default: all or nothing
	captureProceed  = "proceed"  // store what is valid, report the rest
)

// maxCaptureEvents bounds one capture document.
const maxCaptureEvents = 10000

// CaptureJobDoc is a capture job as GET /epcis/capture/{id} answers it.
type CaptureJobDoc struct {
	CaptureID             string               `json:"captureID"`
	CreatedAt             string               `json:"createdAt"`
	FinishedAt            string               `json:"finishedAt,omitempty"`
	Running               bool                 `json:"running"`
	Success               bool                 `json:"success"`
	CaptureErrorBehaviour string               `json:"captureErrorBehaviour"`
	Errors                []EPCISEventError    `json:"errors"`
	Outcomes              []epcis.EventOutcome `json:"idchain:outcomes"`
	TxIDs                 []string             `json:"idchain:txIds"`
}

// epcisCapture answers POST /epcis/capture: the document is checked, its
// events recorded by epcis:Capture in transactions of at most
// epcis.MaxCapture events under one capture job, and the answer
// is 202 with Location: /epcis/capture/{id}. With the default rollback
// behaviour a document with any invalid event is refused whole (400) and
// must fit one transaction; with proceed the valid events are stored and
// the job lists the refusals.
func (s *Service) epcisCapture(c *gin.Context) {
	behaviour := c.GetHeader("GS1-Capture-Error-Behaviour")
	switch behaviour {
	case "":
		behaviour = captureRollback
	case captureRollback, captureProceed:
	default:
		s.problem(c, domain.Errorf(domain.CodeInvalid, "GS1-Capture-Error-Behaviour must be rollback or proceed, got %q", behaviour), "")
		return
	}
	data, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = domain.Errorf(CodeTooLarge, "the capture document is larger than %d bytes", mbe.Limit)
		}
		s.problem(c, err, "")
		return
	}
	opt := s.deps.EPCIS
	opt.MaxEvents = maxCaptureEvents
	parsed, err := epcis.ParseEPCISDocument(data, opt)
	if err != nil {
		if isTooMany(err) {
			err = domain.Errorf(CodeTooLarge, "%s", asAPIError(err).Message)
		}
		s.problem(c, err, "")
		return
	}
	if len(parsed) == 0 {
		s.problem(c, domain.Errorf(domain.CodeInvalid, "the document holds no events"), "")
		return
	}
	if behaviour == captureRollback {
		if bad := refusals(parsed); len(bad) > 0 {
			s.problem(c, domain.Errorf(domain.CodeInvalid, "%d of %d events are not valid EPCIS; nothing was captured (GS1-Capture-Error-Behaviour: rollback)", len(bad), len(parsed)), "", bad...)
			return
		}
		if len(parsed) > epcis.MaxCapture {
			s.problem(c, domain.Errorf(CodeTooLarge, "a rollback capture holds at most %d events; send GS1-Capture-Error-Behaviour: proceed for larger documents", epcis.MaxCapture), "")
			return
		}
	}
	events := documentEvents(parsed)
	jobID := newJobID()
	for off := 0; off < len(events); off += epcis.MaxCapture {
		end := min(off+epcis.MaxCapture, len(events))
		o := epcis.CaptureOptions{IDBase: opt.IDBase, JobID: jobID, Offset: off, Total: len(events), Rollback: behaviour == captureRollback}
		if _, err := s.submit(c, ledger.Call{Fn: ledger.FnEPCISCapture, Args: []string{jsonArg(events[off:end]), jsonArg(o)}}); err != nil {
			if off > 0 {
				c.Header("Location", "/epcis/capture/"+jobID)
			}
			s.problem(c, err, "")
			return
		}
	}
	c.Header("Location", "/epcis/capture/"+jobID)
	job, err := s.captureJob(c, jobID)
	if err != nil {
		c.Status(http.StatusAccepted)
		return
	}
	c.JSON(http.StatusAccepted, job)
}

// isTooMany reports a document with more events than allowed.
func isTooMany(err error) bool {
	return strings.Contains(asAPIError(err).Message, "events, at most")
}

// refusals lists the events epcis.NewRecord refused.
func refusals(parsed []epcis.Outcome) []EPCISEventError {
	var out []EPCISEventError
	for _, o := range parsed {
		if o.Error != nil {
			out = append(out, eventError(o.Index, o.EventID, o.Error))
		}
	}
	return out
}

func eventError(i int, eventID string, e *domain.Error) EPCISEventError {
	typ, _, _ := epcisException(e.Code, "")
	return EPCISEventError{Index: i, EventID: eventID, Type: "epcisException:" + typ, Detail: e.Message}
}

// documentEvents are the event objects to send to the chaincode: as
// written, so that it checks them itself (refused ones included, for the
// job's outcomes).
func documentEvents(parsed []epcis.Outcome) []json.RawMessage {
	out := make([]json.RawMessage, len(parsed))
	for i, o := range parsed {
		if o.Record != nil {
			out[i] = o.Record.Event
		} else {
			out[i] = json.RawMessage(`{}`)
		}
	}
	return out
}

func newJobID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// epcisCaptureJob answers GET /epcis/capture/{id}.
func (s *Service) epcisCaptureJob(c *gin.Context) {
	job, err := s.captureJob(c, c.Param("id"))
	if err != nil {
		s.problem(c, err, "")
		return
	}
	c.JSON(http.StatusOK, job)
}

// captureJob reads a job as the caller (only its org's jobs exist for it).
func (s *Service) captureJob(c *gin.Context, id string) (*CaptureJobDoc, error) {
	b, err := s.evaluate(c, ledger.FnEPCISGetJob, id)
	if err != nil {
		return nil, err
	}
	var j epcis.CaptureJob
	if err := decode(ledger.FnEPCISGetJob, b, &j); err != nil {
		return nil, err
	}
	return jobDoc(j), nil
}

// jobDoc is a capture job as the REST binding shows it.
func jobDoc(j epcis.CaptureJob) *CaptureJobDoc {
	doc := &CaptureJobDoc{CaptureID: j.JobID, CreatedAt: j.CreatedAt, FinishedAt: j.FinishedAt, Running: j.FinishedAt == "",
		Success: !j.RolledBack, CaptureErrorBehaviour: captureProceed, Errors: []EPCISEventError{}, Outcomes: j.Outcomes, TxIDs: j.TxIDs}
	if j.Rollback {
		doc.CaptureErrorBehaviour = captureRollback
	}
	for _, o := range j.Outcomes {
		if o.Error != nil {
			doc.Success = false
			doc.Errors = append(doc.Errors, eventError(o.Index, o.EventID, o.Error))
		}
	}
	return doc
}
