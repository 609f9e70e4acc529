package httpapi

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
)

// PublicRoutes registers the public routes (no key needed): every GET
// route answers HEAD too (net/http sends no body for HEAD), and every path
// answers OPTIONS with its Allow list; all public answers carry CORS
// headers (the GS1-Conformant Resolver standard asks for GET, HEAD,
// OPTIONS and CORS on the resolver; idchain gives them to every public
// route).
type PublicRoutes struct {
	g     *gin.RouterGroup
	allow map[string][]string // path → methods
}

func newPublicRoutes(g *gin.RouterGroup) *PublicRoutes {
	return &PublicRoutes{g: g, allow: map[string][]string{}}
}

// GET registers a GET (and HEAD) route.
func (p *PublicRoutes) GET(path string, h ...gin.HandlerFunc) {
	p.g.GET(path, h...)
	p.g.HEAD(path, h...)
	p.add(path, http.MethodGet, http.MethodHead)
}

// POST registers a POST route.
func (p *PublicRoutes) POST(path string, h ...gin.HandlerFunc) {
	p.g.POST(path, h...)
	p.add(path, http.MethodPost)
}

func (p *PublicRoutes) add(path string, methods ...string) {
	if _, ok := p.allow[path]; !ok {
		p.allow[path] = []string{http.MethodOptions}
		p.g.OPTIONS(path, func(c *gin.Context) {
			allow := strings.Join(p.allow[path], ", ")
			c.Header("Allow", allow)
			c.Header("Access-Control-Allow-Methods", allow)
			c.Status(http.StatusNoContent)
		})
	}
	for _, m := range methods {
		if !slices.Contains(p.allow[path], m) {
			p.allow[path] = append(p.allow[path], m)
		}
	}
}

// publicCORS sets the CORS headers of a public answer.
func publicCORS(c *gin.Context) {
	setCORS(c.Writer.Header(), "GET, HEAD, OPTIONS")
	c.Next()
}
