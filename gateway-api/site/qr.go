package site

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/skip2/go-qrcode"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/httpapi"
	"github.com/idchain/idchain/identifier"
)

// QR label sizes: PNG in pixels (600 px ≈ 50 mm at 300 dpi), SVG in
// millimetres.
const (
	qrDefaultPx = 600
	qrMinPx     = 128
	qrMaxPx     = 2048
	qrDefaultMM = 30
	qrMinMM     = 8
	qrMaxMM     = 200
)

// baseURL is the public origin for links printed on labels and in Handle
// records: configured, never taken from a request's Host header (which a
// client chooses).
func (s *Site) baseURL() string { return strings.TrimRight(s.cfg.BaseURL, "/") }

// pagePath is the /v/ path of an id, suffix escaped.
func pagePath(id string) string {
	prefix, suffix, _ := strings.Cut(id, "/")
	return "/v/" + prefix + "/" + url.PathEscape(suffix)
}

// itemLink is what a label encodes: the GS1 Digital Link on this resolver
// when the item has a GTIN and a serial (with its lot, if any), else the
// item's /v/ page.
func (s *Site) itemLink(c *gin.Context, it domain.Item) string {
	base := s.baseURL()
	// a packed unit's GS1 key names its lot (its serial is unique in the lot)
	if _, _, packed := domain.SplitPackedUnit(it.ID); it.GTIN != "" && it.Serial != "" && (!packed || it.Lot != "") {
		d := identifier.GS1Data{GTIN: it.GTIN, Lot: it.Lot, Serial: it.Serial}
		if link, err := d.DigitalLink(base); err == nil {
			return link
		}
	}
	return base + pagePath(it.ID)
}

// qrImage renders a label of link as PNG (size in pixels) or SVG (size in
// millimetres), with the id printed under the SVG code.
func qrImage(format, link, caption string, size int) ([]byte, string, error) {
	q, err := qrcode.New(link, qrcode.Medium)
	if err != nil {
		return nil, "", domain.Errorf(domain.CodeInvalid, "link cannot be encoded as a QR code: %v", err)
	}
	if format == "svg" {
		return qrSVG(q.Bitmap(), caption, size), "image/svg+xml", nil
	}
	b, err := q.PNG(size)
	return b, "image/png", err
}

// qrSVG draws the module bitmap (quiet zone included) as one path of
// horizontal runs, sizeMM wide, with an optional caption below.
func qrSVG(bm [][]bool, caption string, sizeMM int) []byte {
	n := len(bm)
	textH := 0
	if caption != "" {
		textH = 4
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%dmm" height="%.2fmm" viewBox="0 0 %d %d" shape-rendering="crispEdges">`,
		sizeMM, float64(sizeMM)*float64(n+textH)/float64(n), n, n+textH)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n+textH)
	for y, row := range bm {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", start, y, x-start, x-start)
		}
	}
	b.WriteString(`"/>`)
	if caption != "" {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-family="monospace" font-size="2.2" text-anchor="middle">%s</text>`,
			n/2, n+2, html.EscapeString(caption))
	}
	b.WriteString("</svg>\n")
	return []byte(b.String())
}

// labelSize reads ?size= (pixels) or ?mm= (SVG millimetres).
func labelSize(c *gin.Context, format string) (int, error) {
	name, def, lo, hi := "size", qrDefaultPx, qrMinPx, qrMaxPx
	if format == "svg" {
		name, def, lo, hi = "mm", qrDefaultMM, qrMinMM, qrMaxMM
	}
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, domain.Errorf(domain.CodeInvalid, "%s must be %d-%d", name, lo, hi)
	}
	return n, nil
}

// qr serves the label of one item to its owner's operators:
// GET /v1/items/{prefix}/{suffix}/qr.png and qr.svg.
func (s *Site) qr(format string) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := httpapi.ItemID(c)
		if err != nil {
			s.Fail(c, err)
			return
		}
		size, err := labelSize(c, format)
		if err != nil {
			s.Fail(c, err)
			return
		}
		it, ok := s.RequireOwner(c, id)
		if !ok {
			return
		}
		link := s.itemLink(c, it)
		img, ctype, err := qrImage(format, link, it.ID, size)
		if err != nil {
			s.Fail(c, err)
			return
		}
		c.Header("X-Label-Link", link)
		c.Header("Content-Disposition", `inline; filename="`+labelName(it.ID)+"."+format+`"`)
		c.Data(http.StatusOK, ctype, img)
	}
}

// labelName makes a file name of an id: anything but [A-Za-z0-9.-] becomes _.
func labelName(id string) string {
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '-' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
			return r
		}
		return '_'
	}, id)
}
