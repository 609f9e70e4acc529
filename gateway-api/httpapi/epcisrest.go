package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/epcis"
)

// The EPCIS 2.0 REST binding (GS1's EPCIS 2.0 OpenAPI) under /epcis:
// capture with capture jobs, the events query and single events, the
// event-type, EPC, business-step, read-point, business-location and
// disposition resources, OPTIONS discovery, the GS1 version headers and
// application/problem+json errors with epcisException types. Handlers are
// in epcisrest_capture.go, epcisrest_query.go and epcisrest_resources.go.

// Versions this binding speaks.
const (
	EPCISVersion = "2.0.0"
	CBVVersion   = "2.0.0"
)

// mimeProblem is RFC 7807's media type.
const mimeProblem = "application/problem+json"

// epcisPaths are the /epcis resources with the methods each allows.
var epcisPaths = []struct{ path, allow string }{
	{"/capture", "OPTIONS, GET, POST"},
	{"/capture/:id", "OPTIONS, GET"},
	{"/events", "OPTIONS, GET"},
	{"/events/:eventID", "OPTIONS, GET"},
	{"/eventTypes", "OPTIONS, GET"},
	{"/eventTypes/:type/events", "OPTIONS, GET"},
	{"/epcs", "OPTIONS, GET"},
	{"/epcs/:epc/events", "OPTIONS, GET"},
	{"/bizSteps", "OPTIONS, GET"},
	{"/bizSteps/:bizStep/events", "OPTIONS, GET"},
	{"/bizLocations", "OPTIONS, GET"},
	{"/bizLocations/:bizLocation/events", "OPTIONS, GET"},
	{"/readPoints", "OPTIONS, GET"},
	{"/readPoints/:readPoint/events", "OPTIONS, GET"},
	{"/dispositions", "OPTIONS, GET"},
	{"/dispositions/:disposition/events", "OPTIONS, GET"},
	{"/queries", "OPTIONS, GET, POST"},
	{"/queries/:name", "OPTIONS, GET, DELETE"},
	{"/queries/:name/events", "OPTIONS, GET"},
}

// epcisRoutes adds the /epcis group. OPTIONS needs no key (CORS
// preflight and discovery); everything else does.
func (s *Service) epcisRoutes(r *gin.Engine) {
	g := r.Group("/epcis", s.epcisHeaders)
	for _, p := range epcisPaths {
		g.OPTIONS(p.path, s.epcisOptions(p.allow))
	}
	a := g.Group("", s.epcisAuthenticate)
	a.POST("/capture", limitBody(largeBody), s.epcisRole(RoleOperator, RoleAdmin), s.epcisCapture)
	a.GET("/capture", s.epcisCaptureJobs)
	a.GET("/capture/:id", s.epcisCaptureJob)
	a.GET("/events", s.epcisEvents)
	a.GET("/events/:eventID", s.epcisEvent)
	a.GET("/eventTypes", s.epcisEventTypes)
	a.GET("/eventTypes/:type/events", s.epcisEventsWith("eventType", "type"))
	a.GET("/epcs", s.epcisCollection(vocabEPCs))
	a.GET("/epcs/:epc/events", s.epcisEventsWith("MATCH_anyEPC", "epc"))
	a.GET("/bizSteps", s.epcisBizSteps)
	a.GET("/bizSteps/:bizStep/events", s.epcisEventsWith("EQ_bizStep", "bizStep"))
	a.GET("/bizLocations", s.epcisCollection(vocabBizLocations))
	a.GET("/bizLocations/:bizLocation/events", s.epcisEventsWith("EQ_bizLocation", "bizLocation"))
	a.GET("/readPoints", s.epcisCollection(vocabReadPoints))
	a.GET("/readPoints/:readPoint/events", s.epcisEventsWith("EQ_readPoint", "readPoint"))
	a.GET("/dispositions", s.epcisCollection(vocabDispositions))
	a.GET("/dispositions/:disposition/events", s.epcisEventsWith("EQ_disposition", "disposition"))
	a.POST("/queries", limitBody(smallBody), s.epcisCreateQuery)
	a.GET("/queries", s.epcisListQueries)
	a.GET("/queries/:name", s.epcisGetQuery)
	a.DELETE("/queries/:name", s.epcisDeleteQuery)
	a.GET("/queries/:name/events", s.epcisQueryEvents)
}

// epcisHeaders sets the version and CORS headers of every /epcis answer.
func (s *Service) epcisHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("GS1-EPCIS-Version", EPCISVersion)
	h.Set("GS1-CBV-Version", CBVVersion)
	setCORS(h, "GET, POST, DELETE, OPTIONS")
	c.Next()
}

// setCORS allows any origin to call with a key in Authorization (the key,
// not a cookie, authenticates: no credentials mode). The fixed values are
// shared slices (assigned, not copied: public reads are the hottest path).
func setCORS(h http.Header, methods string) {
	h["Access-Control-Allow-Origin"] = corsAnyOrigin
	h.Set("Access-Control-Allow-Methods", methods)
	h["Access-Control-Allow-Headers"] = corsAllowHeaders
	h["Access-Control-Expose-Headers"] = corsExposeHeaders
	h["Access-Control-Max-Age"] = corsMaxAge
}

var (
	corsAnyOrigin     = []string{"*"}
	corsAllowHeaders  = []string{"Authorization, Content-Type, Accept, Accept-Language, GS1-EPCIS-Version, GS1-CBV-Version, GS1-EPCIS-Min, GS1-EPCIS-Max, GS1-CBV-Min, GS1-CBV-Max, GS1-Capture-Error-Behaviour, GS1-Extensions"}
	corsExposeHeaders = []string{"Link, Location, GS1-EPCIS-Version, GS1-CBV-Version, GS1-Extensions, GS1-Next-Page-Token-Expires, Idchain-Collection-Truncated, X-Request-Id, X-Tx-Id"}
	corsMaxAge        = []string{"600"}
)

// epcisOptions answers OPTIONS discovery: 204 with Allow and the versions.
func (s *Service) epcisOptions(allow string) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Allow", allow)
		h.Set("GS1-EPCIS-Min", EPCISVersion)
		h.Set("GS1-EPCIS-Max", EPCISVersion)
		h.Set("GS1-CBV-Min", CBVVersion)
		h.Set("GS1-CBV-Max", CBVVersion)
		h.Set("GS1-EPC-Format", "Always_GS1_Digital_Link")
		h.Set("GS1-Extensions", epcis.NamespacePrefix+"="+epcis.Namespace)
		c.Status(http.StatusNoContent)
	}
}

// epcisAuthenticate requires an API key, refusing with a problem.
func (s *Service) epcisAuthenticate(c *gin.Context) {
	p, given, ok := s.lookupKey(c)
	if !ok {
		msg := "missing API key: send Authorization: Bearer <key>"
		if given {
			msg = "unknown API key"
		}
		s.problem(c, domain.Errorf(domain.CodeUnauthorized, "%s", msg), "")
		return
	}
	c.Set(principalKey, p)
	c.Next()
}

// epcisRole refuses callers without one of roles (SecurityException).
func (s *Service) epcisRole(roles ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if p, _ := Caller(c); !slices.Contains(roles, p.Role) {
			s.problem(c, domain.Errorf(domain.CodeForbidden, "role %q may not do this (needs %s)", p.Role, strings.Join(roles, " or ")), "")
			return
		}
		c.Next()
	}
}

// Problem is an RFC 7807 problem as the EPCIS REST binding answers errors.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	// Errors lists per-event refusals of a capture (idchain extension).
	Errors []EPCISEventError `json:"errors,omitempty"`
}

// EPCISEventError is the refusal of one event.
type EPCISEventError struct {
	Index   int    `json:"index"`
	EventID string `json:"eventID,omitempty"`
	Type    string `json:"type"`
	Detail  string `json:"detail"`
}

// epcisException names the EPCIS exception of an error code; invalid
// requests are a ValidationException unless the caller says otherwise
// (queries: QueryParameterException).
func epcisException(code domain.Code, invalid string) (typ, title string, status int) {
	switch code {
	case domain.CodeInvalid, domain.CodeInvalidIdentifier:
		if invalid == "" {
			invalid = "ValidationException"
		}
		return invalid, "The request is not valid EPCIS", http.StatusBadRequest
	case domain.CodeUnauthorized:
		return "SecurityException", "Authentication required", http.StatusUnauthorized
	case domain.CodeForbidden:
		return "SecurityException", "Not allowed", http.StatusForbidden
	case domain.CodeNotFound:
		return "NoSuchResourceException", "No such resource", http.StatusNotFound
	case domain.CodeConflict:
		return "ValidationException", "Conflicts with captured events", http.StatusConflict
	case CodeTooLarge:
		return "CaptureLimitExceededException", "Capture limit exceeded", http.StatusRequestEntityTooLarge
	case CodeRateLimited:
		return "ImplementationException", "Too many requests", http.StatusTooManyRequests
	case domain.CodeUnavailable:
		return "ImplementationException", "Temporarily unavailable", http.StatusServiceUnavailable
	}
	return "ImplementationException", "Internal error", http.StatusInternalServerError
}

// problem writes err as application/problem+json and aborts.
func (s *Service) problem(c *gin.Context, err error, invalid string, events ...EPCISEventError) {
	e := asAPIError(err)
	typ, title, status := epcisException(e.Code, invalid)
	detail := e.Message
	if status >= 500 {
		s.logger(c).Error("epcis request failed", "code", e.Code, "err", err.Error())
		if e.Code == domain.CodeInternal {
			detail = "internal error (request " + requestID(c) + ")"
		}
	}
	b, _ := json.Marshal(Problem{Type: "epcisException:" + typ, Title: title, Status: status, Detail: detail,
		Instance: c.Request.URL.Path, Errors: events})
	c.Abort()
	c.Data(status, mimeProblem, b)
}
