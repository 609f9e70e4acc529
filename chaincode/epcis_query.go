package chaincode

import (
	"fmt"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/epcis"
)

// Queries of the EPCIS store that epcis_store.go and epcis_capture.go do
// not answer: the list of capture jobs (GET /epcis/capture).

// maxJobScan bounds the job records (chunks) one ListCaptureJobs call reads.
const maxJobScan = 2000

// ListCaptureJobs returns the capture jobs the caller sees (its org's; a
// regulator's: all), in job id order, at most perPage from bookmark on.
func (c *EPCISContract) ListCaptureJobs(ctx ctxI, bookmark string, perPage int) (string, error) {
	return out(listCaptureJobs(ctx, bookmark, perPage))
}

// addChunk adds one anchored chunk to the job assembled from its chunks.
func addChunk(job *epcis.CaptureJob, c epcis.CaptureChunk) {
	if len(job.TxIDs) == 0 || domain.CompareTimes(c.At, job.CreatedAt) < 0 {
		job.CreatedAt = c.At
	}
	if domain.CompareTimes(c.At, job.FinishedAt) > 0 {
		job.FinishedAt = c.At
	}
	job.Total, job.Rollback = c.Total, c.Rollback
	job.RolledBack = job.RolledBack || c.RolledBack
	job.TxIDs = append(job.TxIDs, c.TxID)
	job.Outcomes = append(job.Outcomes, c.Outcomes...)
}

// finishJob clears FinishedAt while not every event has an outcome.
func finishJob(job *epcis.CaptureJob) {
	if len(job.Outcomes) < job.Total {
		job.FinishedAt = ""
	}
}

// listCaptureJobs scans the job records (epcisjob [jobID, owner, offset]:
// the chunks of a job are adjacent; a job is one owner's, so two orgs'
// jobs under one id are two jobs) reading at most maxJobScan of them. A page
// never splits a job: when the scan stops inside one, the page ends before
// it and the bookmark is its first chunk.
func listCaptureJobs(ctx ctxI, bookmark string, perPage int) (epcis.JobPage, error) {
	v, err := viewerOf(ctx)
	if err != nil {
		return epcis.JobPage{}, err
	}
	if perPage <= 0 || perPage > maxEPCISPage {
		perPage = epcis.DefaultPerPage
	}
	stub := ctx.GetStub()
	if bookmark != "" {
		prefix, err := stub.CreateCompositeKey(objEPCISJob, nil)
		if err != nil || len(bookmark) <= len(prefix) || bookmark[:len(prefix)] != prefix {
			return epcis.JobPage{}, domain.Errorf(domain.CodeInvalid, "the page token does not belong to the capture jobs")
		}
	}
	page := epcis.JobPage{Jobs: []epcis.CaptureJob{}}
	var cur *epcis.CaptureJob // the job being assembled (nil: not the caller's)
	curID, curFirst := "", ""
	flush := func() {
		if cur != nil && len(cur.TxIDs) > 0 {
			finishJob(cur)
			page.Jobs = append(page.Jobs, *cur)
		}
		cur = nil
	}
	next, err := eachKV(stub, objEPCISJob, nil, maxJobScan, bookmark, func(k string, b []byte) error {
		_, attrs, err := stub.SplitCompositeKey(k)
		if err != nil {
			return fmt.Errorf("split key %q: %v", k, err)
		}
		if len(attrs) != 3 {
			return nil // not a chunk key (none the chaincode writes): lists nothing
		}
		if id := attrs[0] + "\x00" + attrs[1]; id != curID {
			flush()
			if len(page.Jobs) >= perPage {
				page.Bookmark = k // start the next page at this job
				return errPageFull
			}
			curID, curFirst = id, k
			cur = &epcis.CaptureJob{JobID: attrs[0], TxIDs: []string{}, Outcomes: []epcis.EventOutcome{}}
		}
		if cur == nil || attrs[1] != v.msp && !v.all {
			return nil // not the caller's
		}
		c, ok, err := genuineChunk(stub, k, b)
		if err != nil || !ok {
			return err
		}
		addChunk(cur, c)
		return nil
	})
	switch {
	case err == errPageFull:
		return page, nil
	case err != nil:
		return epcis.JobPage{}, err
	case next != "" && curFirst != bookmark:
		// The scan limit stopped inside (or at the end of) the last job:
		// read it whole on the next page.
		cur, page.Bookmark = nil, curFirst
	default:
		page.Bookmark = next
	}
	flush()
	return page, nil
}
