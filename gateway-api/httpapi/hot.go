package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/internal/hotcache"
)

// Variants of an id's answers in the in-process cache (Deps.Hot).
const (
	HotVerify = "verify" // keyed GET /v1/verify and Digital Link JSON (site): the rendered PublicView
	hotItem   = "item"   // GET /v1/items/{id}: the ledger's item JSON
	hotProv   = "prov"   // GET /v1/items/{id}/provenance
	hotGS1    = "gs1"    // a GS1 key's match (level, id), cached under the GS1 key
)

// hot is the in-process cache when it serves this request: configured, and
// not skipped by a keyed caller's Cache-Control: no-cache (which skips
// Redis too).
func (s *Service) hot(c *gin.Context) *hotcache.Cache {
	if s.deps.Hot == nil {
		return nil
	}
	if _, authed := Caller(c); authed && c.GetHeader("Cache-Control") == "no-cache" {
		return nil
	}
	return s.deps.Hot
}

// serveHot answers from the in-process cache's rendered bytes for (id,
// variant), or renders the answer with render, keeps it when it is a 200
// and writes it. Only answers that are the same for every caller who gets
// here may go through it.
func (s *Service) serveHot(c *gin.Context, id, variant string, render func() ([]byte, error)) {
	h := s.hot(c)
	if h != nil {
		if b, ok := h.Get(id, variant); ok {
			s.metrics.hot[variant][0].Inc()
			c.Set(hotHitKey, true)
			writeHot(c, b)
			return
		}
	}
	var tok hotcache.Token
	if h != nil {
		tok = h.Token(id) // before the read: an invalidation meanwhile refuses the fill
	}
	b, err := render()
	if err != nil {
		s.Fail(c, err)
		return
	}
	if h != nil {
		h.Put(id, variant, tok, b)
		s.metrics.hot[variant][1].Inc()
	}
	writeRaw(c, http.StatusOK, b)
}

// ServeHot answers from the in-process cache's rendered bytes for (id,
// variant), or renders the answer (see Service.serveHot). For answers that
// are the same for every caller who reaches it.
func (k *Kit) ServeHot(c *gin.Context, id, variant string, render func() ([]byte, error)) {
	k.s.serveHot(c, id, variant, render)
}

// jsonContentType is the Content-Type of a hot answer, shared (assigned,
// not copied: a hit builds no header value).
var jsonContentType = []string{"application/json; charset=utf-8"}

// writeHot writes a hot answer's ready bytes as a 200 (what writeRaw does,
// without gin's render step).
func writeHot(c *gin.Context, b []byte) {
	c.Writer.Header()["Content-Type"] = jsonContentType
	c.Writer.WriteHeader(http.StatusOK)
	_, _ = c.Writer.Write(b)
}

// Marshal renders v as the JSON answer (what c.JSON would write).
func Marshal(v any) ([]byte, error) { return json.Marshal(v) }
