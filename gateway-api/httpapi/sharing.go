package httpapi

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/ledger"
)

func (s *Service) grantConsent(c *gin.Context) {
	var in domain.ConsentInput
	if err := BindJSON(c, &in); err != nil {
		s.Fail(c, err)
		return
	}
	p, _ := Caller(c)
	// Fast refusal with the shared rules; the chaincode judges again at tx time.
	if _, err := in.Normalize(p.MSPID, time.Now()); err != nil {
		s.Fail(c, err)
		return
	}
	done, err := s.submit(c, ledger.Call{Fn: ledger.FnGrantConsent, Args: []string{jsonArg(in)}})
	if err != nil {
		s.Fail(c, err)
		return
	}
	writeRaw(c, http.StatusCreated, done.Result)
}

func (s *Service) revokeConsent(c *gin.Context) {
	done, err := s.submit(c, ledger.Call{Fn: ledger.FnRevokeConsent, Args: []string{c.Param("id")}})
	if err != nil {
		s.Fail(c, err)
		return
	}
	writeRaw(c, http.StatusOK, done.Result)
}

func (s *Service) listConsents(c *gin.Context) {
	dir := c.DefaultQuery("direction", "granted")
	if dir != "granted" && dir != "received" {
		s.Fail(c, domain.Errorf(domain.CodeInvalid, "direction must be granted or received"))
		return
	}
	list, err := s.consents(c, dir)
	if err != nil {
		s.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"records": nonNil(list)})
}

func (s *Service) consents(c *gin.Context, dir string) ([]domain.Consent, error) {
	return evaluateAs[[]domain.Consent](s, c, ledger.FnListConsents, dir)
}

// shared is the consented read: record the access on the ledger, then read
// the detail on the owner's peer presenting that access record.
func (s *Service) shared(c *gin.Context) {
	id, err := ItemID(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	cat := domain.Category(c.Param("category"))
	if !domain.KnownCategory(cat) {
		s.Fail(c, domain.Errorf(domain.CodeInvalid, "unknown category %q", cat))
		return
	}
	it, err := s.item(c, id)
	if err != nil {
		s.Fail(c, err)
		return
	}
	p, _ := Caller(c)
	consentID, purpose := c.Query("consent"), c.Query("purpose")
	if !domain.IsRegulator(p.MSPID, p.Role) {
		k, err := s.findConsent(c, p, it.Owner, cat, id, consentID, purpose)
		if err != nil {
			s.Fail(c, err)
			return
		}
		// An access under consent is for the consent's purpose: absent
		// means that one; another was refused before anything is recorded.
		consentID, purpose = k.ID, k.Purpose
	}
	acc, done, err := submitAs[domain.AccessRecord](s, c, ledger.Call{Fn: ledger.FnRecordAccess,
		Args: []string{id, string(cat), consentID, purpose}})
	if err != nil {
		s.Fail(c, err)
		return
	}
	if acc.ID == "" {
		acc.ID = done.TxID
	}
	b, err := s.deps.Ledger.Evaluate(c, ledger.Call{User: p.Name, Fn: ledger.FnReadShared,
		Args: []string{acc.ID}, Orgs: []string{it.Owner}})
	if err != nil {
		s.Fail(c, err)
		return
	}
	writeRaw(c, http.StatusOK, b)
}

// findConsent returns the consent (the given one, or else any; for the
// given purpose, or else any) of owner to accessor that is in force and
// covers the category of id; without one the read is refused before
// anything is written.
// A consent to the caller's enterprise counts too (the chaincode checks
// that the enterprise is the caller's, hosted by its org and active).
func (s *Service) findConsent(c *gin.Context, p Principal, owner string, cat domain.Category, id, want, purpose string) (domain.Consent, error) {
	accessor := p.MSPID
	list, err := s.consents(c, "received")
	if err != nil {
		return domain.Consent{}, err
	}
	now := time.Now()
	for _, k := range list {
		if (want == "" || k.ID == want) && (purpose == "" || k.Purpose == purpose) &&
			k.Grantor == owner && (k.Allows(accessor, cat, id, now) == nil ||
			p.Enterprise != "" && k.Allows(p.Enterprise, cat, id, now) == nil) {
			return k, nil
		}
	}
	forPurpose := ""
	if purpose != "" {
		forPurpose = fmt.Sprintf(" for the purpose %q", purpose)
	}
	return domain.Consent{}, domain.Errorf(domain.CodeForbidden, "no consent of %s in force gives %s access to %s of %s%s", owner, accessor, cat, id, forPurpose)
}

func (s *Service) audit(c *gin.Context) {
	subject := c.Query("subject")
	if subject != "" {
		norm, _, err := domain.NormalizeSubject(subject)
		if err != nil {
			s.Fail(c, err)
			return
		}
		subject = norm
	}
	size, err := intQuery(c, "pageSize", 100, 1000)
	if err != nil {
		s.Fail(c, err)
		return
	}
	page, err := evaluateAs[domain.Page[domain.AccessRecord]](s, c, ledger.FnListAccess, subject, c.Query("org"),
		c.Query("from"), c.Query("to"), strconv.Itoa(size), c.Query("bookmark"))
	if err != nil {
		s.Fail(c, err)
		return
	}
	page.Records = nonNil(page.Records)
	c.JSON(http.StatusOK, page)
}
