package site

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/httpapi"
)

// dashCookie carries a regulator's or platform operator's API key for the
// browser dashboard (HttpOnly, SameSite=Strict, path /dashboard).
const dashCookie = "idchain_key"

const notAllowedMsg = "此密钥无权查看 — 需要监管或平台密钥 · Needs a regulator or platform key"

// dashboardUser finds the caller of a dashboard request: bearer key,
// cookie, or ?key= (which is moved into the cookie by a redirect).
func (s *Site) dashboardUser(c *gin.Context) (httpapi.Principal, bool) {
	if p, ok := httpapi.Caller(c); ok {
		return p, true
	}
	key, _ := c.Cookie(dashCookie)
	if key == "" {
		return httpapi.Principal{}, false
	}
	return s.PrincipalOf(key)
}

// dashboardAllowed: the regulator (RegulatorMSP with role regulator) and the
// platform operator's users.
func (s *Site) dashboardAllowed(p httpapi.Principal) bool {
	return domain.IsRegulator(p.MSPID, p.Role) || p.MSPID != "" && slices.Contains(s.cfg.DashboardMSPs, p.MSPID)
}

func (s *Site) setDashCookie(c *gin.Context, key string) {
	c.SetSameSite(http.SameSiteStrictMode)
	c.SetCookie(dashCookie, key, 8*3600, "/dashboard", "", c.Request.TLS != nil, true)
}

// dashboard is GET /dashboard: the regulator and cluster "data display
// centre", server-rendered with inline SVG charts.
func (s *Site) dashboard(c *gin.Context) {
	if key := c.Query("key"); key != "" {
		q := c.Request.URL.Query()
		q.Del("key")
		target := "/dashboard"
		if enc := q.Encode(); enc != "" {
			target += "?" + enc
		}
		s.acceptKey(c, key, target)
		return
	}
	p, ok := s.dashboardUser(c)
	if !s.admit(c, p, ok, "") {
		return
	}
	days := 14
	if c.Query("days") == "30" {
		days = 30
	}
	data, err := s.dashboardData(c, days)
	if err != nil {
		s.Logger(c).Warn("dashboard data unavailable", "err", err.Error())
		s.failPage(c, "", domain.Errorf(domain.CodeUnavailable, "dashboard data unavailable"))
		return
	}
	data.User = p.Name + " · " + s.orgName(p.MSPID)
	c.Header("Cache-Control", "no-store")
	s.render(c, http.StatusOK, "dashboard", data)
}

type loginData struct {
	Title, Message string
}

func (s *Site) loginPage(c *gin.Context, status int, msg string) {
	s.render(c, status, "login", loginData{Title: "登录 Sign in · 数据展示中心", Message: msg})
}

// dashboardLogin is POST /dashboard/login (form field "key").
func (s *Site) dashboardLogin(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, 4096)
	s.acceptKey(c, c.PostForm("key"), "/dashboard")
}

// admit shows the login form (401, with unknownMsg) when there is no
// known key and refuses (403) keys that are neither regulator nor platform.
func (s *Site) admit(c *gin.Context, p httpapi.Principal, known bool, unknownMsg string) bool {
	switch {
	case !known:
		s.loginPage(c, http.StatusUnauthorized, unknownMsg)
	case !s.dashboardAllowed(p):
		s.loginPage(c, http.StatusForbidden, notAllowedMsg)
	default:
		return true
	}
	return false
}

// acceptKey checks a dashboard key, stores it in the cookie and redirects
// to target; a wrong key gets the login form again.
func (s *Site) acceptKey(c *gin.Context, key, target string) {
	p, ok := s.PrincipalOf(key)
	if !s.admit(c, p, ok, "密钥无效 Unknown key") {
		return
	}
	s.setDashCookie(c, key)
	c.Redirect(http.StatusSeeOther, target)
}

// dashboardLogout is POST /dashboard/logout.
func (s *Site) dashboardLogout(c *gin.Context) {
	c.SetSameSite(http.SameSiteStrictMode)
	c.SetCookie(dashCookie, "", -1, "/dashboard", "", c.Request.TLS != nil, true)
	c.Redirect(http.StatusSeeOther, "/dashboard/login")
}

// dashboardLoginForm is GET /dashboard/login.
func (s *Site) dashboardLoginForm(c *gin.Context) { s.loginPage(c, http.StatusOK, "") }
