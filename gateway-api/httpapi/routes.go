package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/ledger"
)

// routes is the one list of the REST API's routes; writes check the
// caller's role with mayCall, from the list the chaincode enforces
// (domain.Writers); the public site adds
// its own (gateway-api/site/routes.go) to the same two groups through
// Deps.Mounts. Public routes (no key, rate limited per IP) go in the pub
// group. Every route is documented in openapi.json (a test checks both
// ways, with the site mounted).
func (s *Service) routes(r *gin.Engine) {
	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	r.GET("/openapi.json", s.openapi)

	pub := newPublicRoutes(r.Group("", publicCORS, s.public))

	small, large := limitBody(smallBody), limitBody(largeBody)
	v1 := r.Group("/v1", s.authenticate)
	v1.POST("/prefixes", small, s.requireOrgRole(domain.AuthorityMSP, RoleAdmin), s.assignPrefix)
	v1.GET("/prefixes", s.listPrefixes)
	v1.POST("/gs1-prefixes", small, s.requireOrgRole(domain.AuthorityMSP, RoleAdmin), s.assignGCP)
	v1.GET("/gs1-prefixes", s.listGCPs)

	v1.POST("/enterprises", small, s.requireRole(RoleAdmin), s.createEnterprise)
	v1.GET("/enterprises", s.listEnterprises)
	v1.GET("/enterprises/:id", s.getEnterprise)
	v1.POST("/enterprises/:id/status", small, s.requireRole(RoleAdmin), s.setEnterpriseStatus)
	v1.POST("/enterprises/:id/users", small, s.requireRole(RoleAdmin), s.createUser)
	v1.GET("/enterprises/:id/users", s.requireRole(RoleAdmin), s.listUsers)
	v1.DELETE("/enterprises/:id/users/:name", s.requireRole(RoleAdmin), s.deleteUser)
	v1.POST("/offline/prepare", large, s.offlinePrepare)
	v1.POST("/offline/endorse", large, s.offlineEndorse)
	v1.POST("/offline/submit", large, s.offlineSubmit)

	v1.POST("/items", large, s.mayCall(ledger.FnRegisterItems), s.registerItems)
	v1.GET("/jobs/:id", s.getJob)
	v1.GET("/items/:prefix/:suffix", s.resolve)
	v1.GET("/items/:prefix/:suffix/provenance", s.provenance)
	v1.GET("/items/:prefix/:suffix/epcis", s.itemEPCIS)
	v1.POST("/items/:prefix/:suffix/release", small, s.mayCall(ledger.FnRelease), s.release)
	v1.POST("/items/:prefix/:suffix/recall", small, s.mayCall(ledger.FnRecall), s.recall)
	v1.GET("/items/:prefix/:suffix/shared/:category", s.shared)

	v1.GET("/trace/forward/:prefix/:suffix", s.traceForward)
	v1.GET("/trace/backward/:prefix/:suffix", s.traceBackward)
	v1.POST("/events", large, s.mayCall(ledger.FnRecordEvents), s.recordEvents)
	v1.POST("/epcis/capture", large, s.mayCall(ledger.FnRecordEvents), s.captureEPCIS)

	v1.PUT("/inspection-plans/:model", small, s.mayCall(ledger.FnPutPlan), s.putPlan)
	v1.GET("/inspection-plans/:model", s.getPlan)
	v1.POST("/inspections", small, s.mayCall(ledger.FnRecordInspect), s.recordInspection)

	v1.POST("/consents", small, s.mayCall(ledger.FnGrantConsent), s.grantConsent)
	v1.GET("/consents", s.listConsents)
	v1.DELETE("/consents/:id", s.mayCall(ledger.FnRevokeConsent), s.revokeConsent)
	v1.GET("/audit", s.audit)

	s.epcisRoutes(r)

	for _, m := range s.deps.Mounts {
		m.Mount(&Kit{s: s, Public: pub, V1: v1})
	}
}
