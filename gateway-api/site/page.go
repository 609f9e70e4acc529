package site

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/httpapi"
)

//go:embed web/*.html
var webFS embed.FS

// pages holds every server-rendered template (web/*.html).
var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"pct": pct,
	"dashTable": func(title string, rows []dashRow) any {
		return struct {
			Title string
			Rows  []dashRow
		}{title, rows}
	},
}).ParseFS(webFS, "web/*.html"))

// render writes a named template as an HTML response. Pages are rendered
// to a buffer first so that a template error becomes a clean 500.
func (s *Site) render(c *gin.Context, status int, name string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		s.Logger(c).Error("render page", "page", name, "err", err.Error())
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("内部错误 Internal error"))
		c.Abort()
		return
	}
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
	c.Abort()
}

// errorPage is the data of web/error.html.
type errorPage struct {
	Title, Class, Heading, HeadingEn, Code, Message, MessageEn string
}

// failPage renders err as an HTML page: 404 "possibly counterfeit" for a
// well-formed unknown code, 400 for a malformed one, else a generic page.
func (s *Site) failPage(c *gin.Context, code string, err error) {
	e := httpapi.AsAPIError(err)
	status := httpapi.StatusOf(e.Code)
	p := errorPage{Title: "查询失败 Error", Class: "grey", Code: code}
	switch {
	case e.Code == domain.CodeNotFound:
		p.Title, p.Class = "未找到 Not found", "bad"
		p.Heading, p.HeadingEn = "未找到 — 可能是假冒产品", "Not found — possibly counterfeit"
		p.Message = "此码未在区块链上登记。请勿购买或使用，并向商家或市场监管部门反映。"
		p.MessageEn = "This code is not registered on the ledger. Do not buy or use the product; report it to the seller or the market regulator."
	case status == http.StatusBadRequest:
		p.Heading, p.HeadingEn = "无效的查询码", "Invalid code"
		p.Message = "查询码格式不正确，请检查是否完整扫描。 " + e.Message
		p.MessageEn = "The code is malformed; scan it again."
	case status == http.StatusTooManyRequests:
		p.Heading, p.HeadingEn = "查询过于频繁", "Too many requests"
		p.Message, p.MessageEn = "请稍后再试。", "Please retry in a moment."
	default:
		if status >= 500 {
			s.Logger(c).Error("public page failed", "code", e.Code, "err", err.Error())
		}
		p.Heading, p.HeadingEn = "暂时无法查询", "Verification is unavailable"
		p.Message, p.MessageEn = "请稍后再试。", "Please retry later."
	}
	s.render(c, status, "error", p)
}

// page is the consumer page of an item: GET /v/{prefix}/{suffix}.
func (s *Site) page(c *gin.Context) {
	code := c.Param("prefix") + "/" + c.Param("suffix")
	id, err := httpapi.ItemID(c)
	if err != nil {
		s.failPage(c, code, err)
		return
	}
	v, err := s.publicView(c, id, true)
	if err != nil {
		s.failPage(c, id, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	s.render(c, http.StatusOK, "verify", s.verifyPage(v))
}

// pct renders n/d as a whole percentage ("—" when d is 0).
func pct(n, d int64) string {
	if d == 0 {
		return "—"
	}
	return itoa((n*100+d/2)/d) + "%"
}
