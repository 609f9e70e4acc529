package site

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/httpapi"
	"github.com/idchain/idchain/identifier"
	"github.com/idchain/idchain/resolver"
)

// ProductView is the product-level answer for a GTIN without lot or serial,
// and the walked-up answer for a lot or serial its maker never registered.
type ProductView struct {
	Level    string          `json:"level"` // "product"
	GTIN     string          `json:"gtin"`
	Maker    string          `json:"maker"`
	Model    string          `json:"model,omitempty"`
	Industry domain.Industry `json:"industry"`
	// Unregistered is set when the request named a lot or serial the maker
	// did not register: the answer walked up to the product, and says so.
	Unregistered *Unregistered `json:"unregistered,omitempty"`
}

// Unregistered is the counterfeit warning of a walked-up answer.
type Unregistered struct {
	Lot     string `json:"lot,omitempty"`
	Serial  string `json:"serial,omitempty"`
	Message string `json:"message"`
}

// answer kinds of the resolver.
const (
	formatHTML    = "html"
	formatJSON    = "json"
	formatLinkset = "linkset"
)

// requestFormat negotiates the answer: a linkset for Accept
// application/linkset+json, JSON for application/json, else HTML.
func requestFormat(c *gin.Context) string {
	switch c.NegotiateFormat(gin.MIMEHTML, resolver.MediaLinkset, gin.MIMEJSON) {
	case resolver.MediaLinkset:
		return formatLinkset
	case gin.MIMEJSON:
		return formatJSON
	}
	return formatHTML
}

// digitalLink resolves GET /01/{gtin}[/22/…][/10/{lot}][/21/{serial}] as a
// GS1-Conformant Resolver:
//   - every URI the GS1 Digital Link syntax rejects is a 400 with the reason;
//   - ?linkType=linkset (or all) and Accept: application/linkset+json
//     answer the RFC 9264 linkset of the identifier;
//   - ?linkType=gs1:… redirects (307) to that link, 404 when the item has
//     none of that type;
//   - otherwise browsers are redirected to the default link (the /v/ verify
//     page of the unit or lot), clients asking for JSON get the verify JSON,
//     and a GTIN alone gets the product page; every answer carries a Link
//     header to the linkset;
//   - an unknown lot or serial of a known GTIN walks up to the product,
//     saying plainly that the maker did not register it.
func (s *Site) digitalLink(c *gin.Context) {
	c.Header("Vary", "Accept")
	format := requestFormat(c)
	fail := func(err error) {
		if format == formatHTML {
			s.failPage(c, c.Request.URL.Path, err)
			return
		}
		s.Fail(c, err, gin.H{"genuine": false})
	}
	raw := c.Request.URL.EscapedPath()
	if c.Request.URL.RawQuery != "" {
		raw += "?" + c.Request.URL.RawQuery
	}
	dl, err := identifier.ParseDigitalLinkURI(raw)
	if err != nil {
		fail(domain.Errorf(domain.CodeInvalidIdentifier, "%s", err.(*identifier.Error).Message()))
		return
	}
	m, unreg, err := s.walkUp(c, dl.GS1Data)
	if err != nil {
		fail(err)
		return
	}
	base := s.baseURL()
	set, err := s.linkSet(c, base, dl.GS1Data, m, unreg != nil)
	if err != nil {
		fail(err)
		return
	}
	c.Header("Link", resolver.LinkHeader(set.Anchor+"?linkType=linkset"))
	if s.linkTypeAnswer(c, format, dl, set, m, fail) {
		return
	}
	if m.Level == domain.GS1LevelProduct || unreg != nil {
		s.productAnswer(c, format, dl.GS1Data, m, unreg)
		return
	}
	if format == formatHTML {
		d, _ := set.Default()
		c.Redirect(http.StatusTemporaryRedirect, withQuery(d.Href, c.Request.URL.Query()))
		return
	}
	s.itemJSON(c, dl, m, fail)
}

// linkTypeAnswer answers a request for the linkset (RFC 9264 body) or for
// one link type other than the default (307 to it, NOT_FOUND when the
// identifier has none) and reports whether it did.
func (s *Site) linkTypeAnswer(c *gin.Context, format string, dl identifier.DigitalLink, set resolver.Set, m domain.GS1Match, fail func(error)) bool {
	switch {
	case resolver.WantsLinkset(dl.LinkType) || format == formatLinkset && dl.LinkType == "":
		// The item is read only for a linkset body: other answers need no
		// description, and a hot JSON answer no ledger read at all.
		if it, err := s.Item(c, m.ID); err == nil {
			set.Description = strings.TrimSpace(it.Model + " · " + s.orgName(it.Owner))
		}
		b, err := json.Marshal(set.Linkset())
		if err != nil {
			fail(err)
			return true
		}
		c.Data(http.StatusOK, resolver.MediaLinkset, b)
		return true
	case dl.LinkType != "" && resolver.Compact(dl.LinkType) != resolver.DefaultLink:
		l, ok := set.Select(dl.LinkType)
		if !ok {
			fail(domain.Errorf(domain.CodeNotFound, "this identifier has no link of type %s (available: ?linkType=linkset)", dl.LinkType))
			return true
		}
		if l.Href != set.Anchor {
			c.Redirect(http.StatusTemporaryRedirect, withQuery(l.Href, c.Request.URL.Query()))
			return true
		}
	}
	return false
}

// itemJSON is the verify JSON of the unit or lot a Digital Link names: for
// a keyed caller the keyed verify's answer (in-process cache, no scan
// counted), for anyone else a public view that counts a serial's scan.
func (s *Site) itemJSON(c *gin.Context, dl identifier.DigitalLink, m domain.GS1Match, fail func(error)) {
	c.Header("Cache-Control", "no-store")
	if _, authed := httpapi.Caller(c); authed {
		s.ServeHot(c, m.ID, httpapi.HotVerify, func() ([]byte, error) {
			v, err := s.publicView(c, m.ID, true)
			if err != nil {
				return nil, httpapi.FailWith(err, gin.H{"genuine": false})
			}
			return httpapi.Marshal(v)
		})
		return
	}
	v, err := s.publicView(c, m.ID, dl.Serial != "")
	if err != nil {
		fail(err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// walkUp finds what a GS1 key names; an unknown serial or lot of a known
// GTIN walks up to the lot and then the GTIN, returning the warning. A
// GTIN nobody registered is NOT_FOUND.
func (s *Site) walkUp(c *gin.Context, d identifier.GS1Data) (domain.GS1Match, *Unregistered, error) {
	m, err := s.FindGS1(c, d)
	if err == nil || domain.CodeOf(err) != domain.CodeNotFound || d.Lot == "" && d.Serial == "" {
		return m, nil, err
	}
	u := &Unregistered{Lot: d.Lot, Serial: d.Serial}
	switch {
	case d.Serial != "":
		u.Message = "序列号 " + d.Serial + " 未经生产企业登记，可能是假冒产品 / Serial " + d.Serial + " is not registered by its maker: possibly counterfeit"
	default:
		u.Message = "批号 " + d.Lot + " 未经生产企业登记，可能是假冒产品 / Lot " + d.Lot + " is not registered by its maker: possibly counterfeit"
	}
	if d.Serial != "" && d.Lot != "" {
		if m, err := s.FindGS1(c, identifier.GS1Data{GTIN: d.GTIN, Lot: d.Lot}); err == nil {
			return m, u, nil
		}
	}
	m, err = s.FindGS1(c, identifier.GS1Data{GTIN: d.GTIN})
	if err != nil {
		return m, nil, err
	}
	return m, u, nil
}

// productAnswer is the product page or JSON, with the walk-up warning.
func (s *Site) productAnswer(c *gin.Context, format string, d identifier.GS1Data, m domain.GS1Match, unreg *Unregistered) {
	it, err := s.Item(c, m.ID)
	if err != nil {
		if format == formatHTML {
			s.failPage(c, c.Request.URL.Path, err)
		} else {
			s.Fail(c, err, gin.H{"genuine": false})
		}
		return
	}
	pv := ProductView{Level: "product", GTIN: d.GTIN, Maker: s.orgName(it.Owner), Model: it.Model, Industry: it.Industry, Unregistered: unreg}
	if format != formatHTML {
		if unreg != nil {
			c.Header("Cache-Control", "no-store")
			c.JSON(http.StatusOK, struct {
				ProductView
				Genuine bool `json:"genuine"`
			}{pv, false})
			return
		}
		c.JSON(http.StatusOK, pv)
		return
	}
	s.render(c, http.StatusOK, "product", struct {
		ProductView
		Title, IndustryLabel string
	}{pv, "产品 Product · " + pv.GTIN, label(industryLabels, pv.Industry)})
}

// linkSet is the identifier's links: for a unit or lot the verify page
// (default), the product page, its EPCIS events and its recall status; for
// a GTIN alone (or a walked-up request) the product page.
func (s *Site) linkSet(c *gin.Context, base string, d identifier.GS1Data, m domain.GS1Match, walked bool) (resolver.Set, error) {
	key := identifier.GS1Data{GTIN: d.GTIN, CPV: d.CPV, Lot: d.Lot, Serial: d.Serial}
	p, err := key.DigitalLinkPath()
	if err != nil {
		return resolver.Set{}, err
	}
	product := base + "/01/" + d.GTIN
	set := resolver.Set{Anchor: base + p, Description: "GTIN " + d.GTIN}
	pip := resolver.Link{Type: resolver.PIP, Href: product, Title: "产品信息 Product information", Media: "text/html", Hreflang: []string{"zh"}}
	if m.Level == domain.GS1LevelProduct || walked {
		set.Links = []resolver.Link{pip}
		return set, nil
	}
	prefix, suffix, _ := strings.Cut(m.ID, "/")
	canonical := identifier.DefaultResolver + p
	match := "MATCH_epc"
	if m.Level == domain.GS1LevelLot {
		match = "MATCH_epcClass"
	}
	set.Links = []resolver.Link{
		{Type: resolver.VerificationService, Href: base + pagePath(m.ID), Title: "验真 Verify this product", Media: "text/html", Hreflang: []string{"zh"}},
		pip,
		{Type: resolver.Traceability, Href: base + "/epcis/events?" + match + "=" + url.QueryEscape(canonical), Title: "EPCIS 追溯事件 EPCIS events", Media: "application/ld+json"},
		{Type: resolver.RecallStatus, Href: base + "/v1/verify/" + prefix + "/" + url.PathEscape(suffix), Title: "召回状态 Recall status", Media: "application/json"},
	}
	return set, nil
}

// withQuery passes the request's query on to a redirect target, without
// the resolver's own linkType (GS1: key=value pairs are passed on).
func withQuery(target string, q url.Values) string {
	q.Del("linkType")
	if len(q) == 0 {
		return target
	}
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	return target + sep + q.Encode()
}

// wellKnown answers GET /.well-known/gs1resolver, the resolver
// description file.
func (s *Site) wellKnown(c *gin.Context) {
	c.JSON(http.StatusOK, resolver.NewDescription(s.baseURL(), "idchain GS1 Digital Link resolver 标识解析", "idchain"))
}
