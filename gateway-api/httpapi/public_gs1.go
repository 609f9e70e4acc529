package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/identifier"
)

// ProductView is the product-level answer for a GTIN without lot or serial.
type ProductView struct {
	Level    string          `json:"level"` // "product"
	GTIN     string          `json:"gtin"`
	Maker    string          `json:"maker"`
	Model    string          `json:"model,omitempty"`
	Industry domain.Industry `json:"industry"`
}

// digitalLink resolves GET /01/{gtin}[/10/{lot}][/21/{serial}]. Browsers
// are redirected to the /v/ page of the unit (with a serial) or of the lot
// (GTIN+lot) and shown a product page for a GTIN alone; a client asking
// for application/json gets the verify JSON (or the product JSON).
func (s *Service) digitalLink(c *gin.Context) {
	c.Header("Vary", "Accept")
	wantJSON := c.NegotiateFormat(gin.MIMEHTML, gin.MIMEJSON) == gin.MIMEJSON
	fail := func(err error) {
		if wantJSON {
			s.Fail(c, err, gin.H{"genuine": false})
			return
		}
		s.failPage(c, c.Request.URL.Path, err)
	}
	d, err := identifier.ParseDigitalLink(c.Request.URL.EscapedPath())
	if err != nil {
		fail(domain.Errorf(domain.CodeInvalidIdentifier, "%s", err.(*identifier.Error).Message()))
		return
	}
	m, err := s.findGS1(c, d)
	if err != nil {
		fail(err)
		return
	}
	if m.Level == domain.GS1LevelProduct {
		it, err := s.item(c, m.ID)
		if err != nil {
			fail(err)
			return
		}
		pv := ProductView{Level: "product", GTIN: d.GTIN, Maker: s.orgName(it.Owner), Model: it.Model, Industry: it.Industry}
		if wantJSON {
			c.JSON(http.StatusOK, pv)
			return
		}
		s.render(c, http.StatusOK, "product", struct {
			ProductView
			Title, IndustryLabel string
		}{pv, "产品 Product · " + pv.GTIN, label(industryLabels, pv.Industry)})
		return
	}
	if !wantJSON {
		target := pagePath(m.ID)
		if q := c.Request.URL.RawQuery; q != "" {
			target += "?" + q
		}
		c.Redirect(http.StatusTemporaryRedirect, target)
		return
	}
	v, err := s.publicView(c, m.ID, d.Serial != "")
	if err != nil {
		fail(err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, v)
}

// findGS1 asks registry:FindByGTIN (the chaincode's GS1 index, one key
// read) for the 标识 a GS1 key names: the serialized item with that serial
// (level item), the lot-level item of that lot (lot), or for a GTIN alone
// one item carrying it (product). NOT_FOUND when the ledger knows no such
// key.
func (s *Service) findGS1(c *gin.Context, d identifier.GS1Data) (domain.GS1Match, error) {
	var m domain.GS1Match
	call := ledger.Call{User: s.deps.ServiceUser, Fn: ledger.FnFindByGTIN, Args: []string{d.GTIN, d.Lot, d.Serial}}
	b, err := s.deps.Reads.Evaluate(c.Request.Context(), call)
	if err == nil {
		err = decode(ledger.FnFindByGTIN, b, &m)
	}
	return m, err
}
