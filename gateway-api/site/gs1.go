package site

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
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
func (s *Site) digitalLink(c *gin.Context) {
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
	m, err := s.FindGS1(c, d)
	if err != nil {
		fail(err)
		return
	}
	if m.Level == domain.GS1LevelProduct {
		it, err := s.Item(c, m.ID)
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
