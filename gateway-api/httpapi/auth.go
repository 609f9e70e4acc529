package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/domain"
)

// Principal is the authenticated API user and the Fabric identity that
// signs for it.
type Principal struct {
	Name  string // API user = enrolled identity name
	MSPID string
	Role  string // from the certificate attribute idchain.role
	// Enterprise is the USCC of an enterprise's user (certificate
	// attribute idchain.enterprise), "" for an org's own users.
	Enterprise string
}

// Roles (certificate attribute idchain.role), defined once in domain.
const (
	RoleAdmin     = domain.RoleAdmin
	RoleOperator  = domain.RoleOperator
	RoleInspector = domain.RoleInspector
	RoleQA        = domain.RoleQA
	RoleRegulator = domain.RoleRegulator
)

const principalKey = "idchain.principal"

// HashKey is how API keys are stored: hex SHA-256.
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// lookupKey resolves the bearer key of the request, if any.
func (s *Service) lookupKey(c *gin.Context) (Principal, bool, bool) {
	h := c.GetHeader("Authorization")
	if h == "" {
		return Principal{}, false, false
	}
	key, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || key == "" {
		return Principal{}, true, false
	}
	name, ok := s.deps.Keys[HashKey(key)]
	if !ok {
		p, ok := s.accountByKey(HashKey(key)) // enterprise users (enterprises.go)
		return p, true, ok
	}
	p, ok := s.deps.Users[name]
	return p, true, ok
}

// authenticate requires a valid API key.
func (s *Service) authenticate(c *gin.Context) {
	p, given, ok := s.lookupKey(c)
	if !ok {
		msg := "missing API key: send Authorization: Bearer <key>"
		if given {
			msg = "unknown API key"
		}
		s.Fail(c, domain.Errorf(domain.CodeUnauthorized, "%s", msg))
		return
	}
	c.Set(principalKey, p)
	c.Next()
}

// Caller returns the authenticated principal of the request.
func Caller(c *gin.Context) (Principal, bool) {
	v, ok := c.Get(principalKey)
	if !ok {
		return Principal{}, false
	}
	p, ok := v.(Principal)
	return p, ok
}

// requireRole refuses callers whose certificate role is not one of roles
// before anything reaches the ledger (the chaincode checks again).
func (s *Service) requireRole(roles ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, _ := Caller(c)
		if !slices.Contains(roles, p.Role) {
			role := p.Role
			if role == "" {
				role = "none"
			}
			s.Fail(c, domain.Errorf(domain.CodeForbidden, "role %s may not do this (needs %s)", role, strings.Join(roles, " or ")))
			return
		}
		c.Next()
	}
}

// mayCall refuses callers whose role may not call the chaincode write fn
// (domain.Writers, the list the chaincode enforces too).
func (s *Service) mayCall(fn string) gin.HandlerFunc {
	roles := domain.Writers(fn)
	if len(roles) == 0 {
		panic("httpapi: no writer roles for " + fn)
	}
	return s.requireRole(roles...)
}

// requireOrgRole is requireRole bound to an org: the caller's organisation
// must be msp (roles are bound to orgs, docs/threat-model.md).
func (s *Service) requireOrgRole(msp string, roles ...string) gin.HandlerFunc {
	byRole := s.requireRole(roles...)
	return func(c *gin.Context) {
		if p, _ := Caller(c); p.MSPID != msp {
			s.Fail(c, domain.Errorf(domain.CodeForbidden, "only %s may do this, not %s", msp, p.MSPID))
			return
		}
		byRole(c)
	}
}

// requireOwner refuses a caller whose organisation does not own the item
// (read from the cached item), after a 404 for unknown items.
func (s *Service) requireOwner(c *gin.Context, id string) (domain.Item, bool) {
	it, err := s.item(c, id)
	if err != nil {
		s.Fail(c, err)
		return it, false
	}
	p, _ := Caller(c)
	if it.Owner != p.MSPID {
		s.Fail(c, domain.Errorf(domain.CodeForbidden, "%s is owned by %s, not %s", id, it.Owner, p.MSPID))
		return it, false
	}
	return it, true
}
