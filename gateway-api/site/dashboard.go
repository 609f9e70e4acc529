package site

import (
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/httpapi"
)

// dashCookie carries a dashboard session token (scans.Scans sessions),
// never the API key: HttpOnly, SameSite=Strict, path /dashboard, 8 h.
const (
	dashCookie  = "idchain_session"
	dashSession = 8 * time.Hour
)

const notAllowedMsg = "此密钥无权查看 — 需要监管或平台密钥 · Needs a regulator or platform key"

// dashboardUser finds the caller of a dashboard request: bearer key or
// session cookie (whose key must still be valid).
func (s *Site) dashboardUser(c *gin.Context) (httpapi.Principal, bool) {
	if p, ok := httpapi.Caller(c); ok {
		return p, true
	}
	token, _ := c.Cookie(dashCookie)
	if token == "" || s.cfg.Sessions == nil {
		return httpapi.Principal{}, false
	}
	hash, ok, err := s.cfg.Sessions.Session(c.Request.Context(), token)
	if err != nil {
		s.Logger(c).Warn("dashboard session store unavailable", "err", err.Error())
	}
	if !ok {
		return httpapi.Principal{}, false
	}
	return s.KeyHolder(hash)
}

// dashboardAllowed: the regulator (RegulatorMSP with role regulator) and the
// platform operator's users.
func (s *Site) dashboardAllowed(p httpapi.Principal) bool {
	return domain.IsRegulator(p.MSPID, p.Role) || p.MSPID != "" && slices.Contains(s.cfg.DashboardMSPs, p.MSPID)
}

func (s *Site) setDashCookie(c *gin.Context, token string, maxAge int) {
	c.SetSameSite(http.SameSiteStrictMode)
	c.SetCookie(dashCookie, token, maxAge, "/dashboard", "", c.Request.TLS != nil, true)
}

// dashboard is GET /dashboard: the regulator and cluster "data display
// centre", server-rendered with inline SVG charts.
func (s *Site) dashboard(c *gin.Context) {
	if c.Query("key") != "" {
		// A key in a URL ends up in histories, logs and Referer headers.
		s.loginPage(c, http.StatusBadRequest, "链接中的密钥不被接受，请在此登录 · Keys in links are not accepted: sign in here")
		return
	}
	p, ok := s.dashboardUser(c)
	if !s.admit(c, p, ok, "") {
		return
	}
	data, err := s.dashboardData(c, dashDays(c))
	if err != nil {
		s.Logger(c).Warn("dashboard data unavailable", "err", err.Error())
		s.failPage(c, "", domain.Errorf(domain.CodeUnavailable, "dashboard data unavailable"))
		return
	}
	data.User = p.Name + " · " + s.orgName(p.MSPID)
	c.Header("Cache-Control", "no-store")
	s.render(c, http.StatusOK, "dashboard", data)
}

// dashboardJSON is GET /dashboard/data: the dashboard's figures as JSON
// (total, per organisation, per industry), for the same callers.
func (s *Site) dashboardJSON(c *gin.Context) {
	p, ok := s.dashboardUser(c)
	switch {
	case !ok:
		s.Fail(c, domain.Errorf(domain.CodeUnauthorized, "sign in or send a regulator or platform key"))
		return
	case !s.dashboardAllowed(p):
		s.Fail(c, domain.Errorf(domain.CodeForbidden, "needs a regulator or platform key"))
		return
	}
	data, err := s.dashboardData(c, dashDays(c))
	if err != nil {
		s.Logger(c).Warn("dashboard data unavailable", "err", err.Error())
		s.Fail(c, domain.Errorf(domain.CodeUnavailable, "dashboard data unavailable"))
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, data)
}

// dashDays is the window asked for: 14 days, or 30 with ?days=30.
func dashDays(c *gin.Context) int {
	if c.Query("days") == "30" {
		return 30
	}
	return 14
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

// acceptKey checks a dashboard key, starts a session and redirects to
// target; a wrong key gets the login form again.
func (s *Site) acceptKey(c *gin.Context, key, target string) {
	p, ok := s.PrincipalOf(key)
	if !s.admit(c, p, ok, "密钥无效 Unknown key") {
		return
	}
	if s.cfg.Sessions == nil {
		s.failPage(c, "", domain.Errorf(domain.CodeUnavailable, "dashboard sessions are not configured"))
		return
	}
	token, err := s.cfg.Sessions.NewSession(c.Request.Context(), httpapi.HashKey(key), dashSession)
	if err != nil {
		s.Logger(c).Warn("dashboard session not started", "err", err.Error())
		s.failPage(c, "", domain.Errorf(domain.CodeUnavailable, "sign-in unavailable; retry later"))
		return
	}
	s.setDashCookie(c, token, int(dashSession/time.Second))
	c.Redirect(http.StatusSeeOther, target)
}

// dashboardLogout is POST /dashboard/logout: it ends the session.
func (s *Site) dashboardLogout(c *gin.Context) {
	if token, _ := c.Cookie(dashCookie); token != "" && s.cfg.Sessions != nil {
		if err := s.cfg.Sessions.EndSession(c.Request.Context(), token); err != nil {
			s.Logger(c).Warn("dashboard session not ended", "err", err.Error())
		}
	}
	s.setDashCookie(c, "", -1)
	c.Redirect(http.StatusSeeOther, "/dashboard/login")
}

// dashboardLoginForm is GET /dashboard/login.
func (s *Site) dashboardLoginForm(c *gin.Context) { s.loginPage(c, http.StatusOK, "") }
