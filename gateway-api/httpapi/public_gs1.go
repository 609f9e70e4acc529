package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
)

// How long the GTIN index remembers a match and a miss.
const (
	gs1HitTTL  = 24 * time.Hour
	gs1MissTTL = time.Minute
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
	it, err := s.findGS1(c, d)
	if err != nil {
		fail(err)
		return
	}
	if d.Lot == "" && d.Serial == "" {
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
		target := pagePath(it.ID)
		if q := c.Request.URL.RawQuery; q != "" {
			target += "?" + q
		}
		c.Redirect(http.StatusTemporaryRedirect, target)
		return
	}
	v, err := s.publicView(c, it.ID, d.Serial != "")
	if err != nil {
		fail(err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, v)
}

// findGS1 finds the item a GS1 key names: the unit with that serial, the
// lot (or the lot of a unit) with that lot number, or any item with the
// GTIN. Matches and misses are remembered in the GTIN index.
func (s *Service) findGS1(c *gin.Context, d identifier.GS1Data) (domain.Item, error) {
	key := d.GTIN + "|" + d.Lot + "|" + d.Serial
	notFound := domain.Errorf(domain.CodeNotFound, "no item carries GTIN %s%s%s", d.GTIN, optional(" lot ", d.Lot), optional(" serial ", d.Serial))
	idx := s.deps.Public.GTINs
	if idx != nil {
		id, found, err := idx.LookupGTIN(c.Request.Context(), key)
		if err == nil && found {
			if id == "" {
				return domain.Item{}, notFound
			}
			if it, err := s.item(c, id); err == nil {
				return it, nil
			}
		}
	}
	it, err := s.searchGS1(c, d)
	if err != nil && domain.CodeOf(err) != domain.CodeNotFound {
		return it, err
	}
	if idx != nil {
		id, ttl := it.ID, gs1HitTTL
		if err != nil {
			id, ttl = "", gs1MissTTL
		}
		if serr := idx.StoreGTIN(c.Request.Context(), key, id, ttl); serr != nil {
			s.logger(c).Warn("gtin index unavailable", "err", serr.Error())
		}
	}
	if err != nil {
		return it, notFound
	}
	return it, nil
}

func optional(label, v string) string {
	if v == "" {
		return ""
	}
	return label + v
}
