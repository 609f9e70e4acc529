package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
)

// Mounter adds another package's routes to the API's engine (the public
// site, gateway-api/site). It gets the API's plumbing as a Kit.
type Mounter interface {
	Mount(k *Kit)
}

// Kit is what a mounted package's handlers use from this package: the two
// route groups with their guards, the one error writer, role and owner
// checks, key lookup and the cached reads as the service identity.
type Kit struct {
	s *Service
	// Public routes need no key; anonymous callers are rate-limited per
	// client IP, callers with a valid key are identified (Caller). GET
	// routes answer HEAD too, every path OPTIONS, all with CORS headers.
	Public *PublicRoutes
	// V1 is /v1: an API key is required.
	V1 *gin.RouterGroup
}

// Fail writes err as the JSON error response (see Service.Fail).
func (k *Kit) Fail(c *gin.Context, err error, extra ...gin.H) { k.s.Fail(c, err, extra...) }

// Logger is the request's logger (with its request id).
func (k *Kit) Logger(c *gin.Context) *slog.Logger { return k.s.logger(c) }

// Read runs a caller-independent read through the cache as the service
// identity (authenticated callers may bypass the cache with
// Cache-Control: no-cache).
func (k *Kit) Read(c *gin.Context, fn string, args ...string) ([]byte, error) {
	return k.s.read(c, fn, args...)
}

// Item reads an item (cached).
func (k *Kit) Item(c *gin.Context, id string) (domain.Item, error) { return k.s.item(c, id) }

// FindGS1 finds the item a GS1 key (GTIN, lot, serial) names (cached).
func (k *Kit) FindGS1(c *gin.Context, d identifier.GS1Data) (domain.GS1Match, error) {
	return k.s.findGS1(c, d)
}

// RequireRole refuses callers whose certificate role is not one of roles.
func (k *Kit) RequireRole(roles ...string) gin.HandlerFunc { return k.s.requireRole(roles...) }

// RequireOwner answers 404 for unknown items and 403 for items of another
// organisation; ok reports that the caller's organisation owns the item.
func (k *Kit) RequireOwner(c *gin.Context, id string) (domain.Item, bool) {
	return k.s.requireOwner(c, id)
}

// SmallBody bounds a request body to the API's limit for single requests.
func (k *Kit) SmallBody() gin.HandlerFunc { return limitBody(smallBody) }

// PrincipalOf resolves a plain API key to its user, as the Authorization
// header would.
func (k *Kit) PrincipalOf(key string) (Principal, bool) {
	name, ok := k.s.deps.Keys[HashKey(key)]
	if !ok {
		return Principal{}, false
	}
	p, ok := k.s.deps.Users[name]
	return p, ok
}

// Decode unmarshals a chaincode result of fn into v.
func Decode(fn string, b []byte, v any) error { return decode(fn, b, v) }

// ParseID validates and normalises an item id given in a body or query.
func ParseID(s string) (string, error) { return parseID(s) }

// AsAPIError is the coded error a client sees for err.
func AsAPIError(err error) *domain.Error { return asAPIError(err) }

// StatusOf is the HTTP status of an error code (500 for unknown codes).
func StatusOf(code domain.Code) int {
	if st, ok := statusOf[code]; ok {
		return st
	}
	return http.StatusInternalServerError
}
