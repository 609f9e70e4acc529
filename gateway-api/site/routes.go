package site

import (
	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/gateway-api/httpapi"
)

// Mount adds the site's routes to the API's groups (httpapi.Mounter).
// Every route is documented in the API's openapi.json.
func (s *Site) Mount(k *httpapi.Kit) {
	s.Kit = k
	pub, v1 := k.Public, k.V1
	pub.GET("/v1/verify/:prefix/:suffix", s.verify)
	pub.GET("/v/:prefix/:suffix", s.page)
	pub.GET("/api/handles/:prefix/:suffix", s.handle)
	pub.GET("/01/*dl", s.digitalLink) // every Digital Link, so that the syntax rules answer 400
	pub.GET("/.well-known/gs1resolver", s.wellKnown)
	pub.GET("/dashboard", s.dashboard)
	pub.GET("/dashboard/login", s.dashboardLoginForm)
	pub.POST("/dashboard/login", s.dashboardLogin)
	pub.POST("/dashboard/logout", s.dashboardLogout)

	owners := k.RequireRole(domain.RoleOperator, domain.RoleAdmin)
	v1.GET("/items/:prefix/:suffix/qr.png", owners, s.qr("png"))
	v1.GET("/items/:prefix/:suffix/qr.svg", owners, s.qr("svg"))
	v1.POST("/labels", k.SmallBody(), owners, s.labels)
	v1.GET("/alerts", s.alerts)
}
