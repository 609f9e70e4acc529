package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/ledger"
)

// GS1 company prefixes (issue 12): the authority assigns them to orgs as it
// assigns 标识 prefixes; an item's GTIN must lie under a GCP its owner holds
// (the chaincode refuses it otherwise, FORBIDDEN per item).

type gcpRequest struct {
	GCP   string `json:"gcp"`
	Owner string `json:"owner"`
	// Enterprise (a USCC): the GCP goes to the enterprise (its hosting org
	// is the owner, and only the enterprise's items may carry its GTINs);
	// give owner or enterprise.
	Enterprise string `json:"enterprise,omitempty"`
}

// assignGCP: POST /v1/gs1-prefixes {"gcp":"6901234","owner":"MakerMSP"} →
// 201; 409 when the GCP (or one it lies under) is already assigned.
func (s *Service) assignGCP(c *gin.Context) {
	var req gcpRequest
	if err := BindJSON(c, &req); err != nil {
		s.Fail(c, err)
		return
	}
	if !domain.ValidGCP(req.GCP) {
		s.Fail(c, domain.Errorf(domain.CodeInvalid, "gcp: a GS1 company prefix is 4-12 digits, got %q", req.GCP))
		return
	}
	call := ledger.Call{Fn: ledger.FnAssignGCP, Args: []string{req.GCP, req.Owner}}
	if req.Enterprise != "" {
		id, ok := s.registeredEnterprise(c, req.Owner, req.Enterprise)
		if !ok {
			return
		}
		call = ledger.Call{Fn: ledger.FnAssignEnterpriseGCP, Args: []string{req.GCP, id}}
	} else if req.Owner == "" {
		s.Fail(c, domain.Errorf(domain.CodeInvalid, "owner (an MSP ID) or enterprise (a USCC) is required"))
		return
	}
	rec, done, err := submitAs[domain.GCP](s, c, call)
	if err != nil {
		s.Fail(c, err)
		return
	}
	if rec.TxID != "" && rec.TxID != done.TxID { // assigned before: taken, whoever owns it
		holder := rec.Owner
		if rec.Enterprise != "" {
			holder += " enterprise " + rec.Enterprise
		}
		s.Fail(c, domain.Errorf(domain.CodeConflict, "GS1 company prefix %s is already assigned to %s", rec.GCP, holder))
		return
	}
	writeRaw(c, http.StatusCreated, done.Result)
}

// listGCPs: GET /v1/gs1-prefixes[?owner=MSP] lists the assignments.
func (s *Service) listGCPs(c *gin.Context) {
	list, err := evaluateAs[[]domain.GCP](s, c, ledger.FnListGCPs, c.Query("owner"))
	if err != nil {
		s.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"records": nonNil(list)})
}
