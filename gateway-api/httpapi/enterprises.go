package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/idchain/idchain/accounts"
	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/fabricca"
	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/identifier"
	"github.com/idchain/idchain/offline"
)

// EnterpriseDeps wires enterprise onboarding (issue 15, docs/enterprises.md).
// With a nil Accounts the user routes answer 503.
type EnterpriseDeps struct {
	Accounts *accounts.Manager
	// Connect makes a new account's identity usable by the Ledger as
	// account.Name (ledger.Fabric.AddUser); Disconnect drops it.
	Connect    func(a accounts.Account, s *fabricca.Signer) error
	Disconnect func(name string)
	// Ensure, when set, connects a live account found by its key before
	// the request uses it (a user created through another replica that
	// shares the account store).
	Ensure func(a accounts.Account) error
	// Authority is the MSP of the registry authority (default PlatformMSP).
	Authority string
	// Offline returns the offline-signing flow through org's peer (nil:
	// the /v1/offline routes answer 503).
	Offline func(org string) *offline.Flow
}

// principalOf returns the principal of an enterprise account.
func principalOf(a accounts.Account) Principal {
	return Principal{Name: a.Name, MSPID: a.Org, Role: a.Role, Enterprise: a.Enterprise}
}

// accountByKey finds a live enterprise account by its key hash.
func (s *Service) accountByKey(hash string) (Principal, bool) {
	if s.deps.Enterprises.Accounts == nil {
		return Principal{}, false
	}
	a, ok := s.deps.Enterprises.Accounts.ByKeyHash(hash)
	if !ok {
		return Principal{}, false
	}
	if s.deps.Enterprises.Ensure != nil {
		if err := s.deps.Enterprises.Ensure(a); err != nil {
			s.deps.Log.Warn("enterprise user not connected", "user", a.Name, "err", err)
			return Principal{}, false
		}
	}
	return principalOf(a), true
}

func (s *Service) authority() string {
	if s.deps.Enterprises.Authority != "" {
		return s.deps.Enterprises.Authority
	}
	return "PlatformMSP"
}

// isAuthorityAdmin: an admin of the authority org acting for the org.
func (s *Service) isAuthorityAdmin(p Principal) bool {
	return p.MSPID == s.authority() && p.Role == RoleAdmin && p.Enterprise == ""
}

// enterpriseParam reads {id} as a normalised USCC (400 INVALID_IDENTIFIER).
func enterpriseParam(c *gin.Context) (string, error) {
	id, err := identifier.NormalizeUSCC(c.Param("id"))
	if err != nil {
		return "", domain.Errorf(domain.CodeInvalidIdentifier, "%q is not a valid 统一社会信用代码: %s", c.Param("id"), err.(*identifier.Error).Message())
	}
	return id, nil
}

func (s *Service) createEnterprise(c *gin.Context) {
	var in domain.EnterpriseInput
	if err := BindJSON(c, &in); err != nil {
		s.Fail(c, err)
		return
	}
	in, err := in.Normalize()
	if err != nil {
		s.Fail(c, err)
		return
	}
	if _, err := s.enterprise(c, in.ID); err == nil {
		s.Fail(c, domain.Errorf(domain.CodeConflict, "enterprise %s exists", in.ID))
		return
	} else if domain.CodeOf(err) != domain.CodeNotFound {
		s.Fail(c, err)
		return
	}
	body, err := jsonString(in)
	if err != nil {
		s.Fail(c, err)
		return
	}
	_, done, err := submitAs[domain.Enterprise](s, c, ledger.Call{Fn: ledger.FnCreateEnterprise, Args: []string{body}})
	if err != nil {
		s.Fail(c, err)
		return
	}
	writeRaw(c, http.StatusCreated, done.Result)
}

// enterprise reads an enterprise as the caller (NOT_FOUND when unknown).
func (s *Service) enterprise(c *gin.Context, id string) (domain.Enterprise, error) {
	return evaluateAs[domain.Enterprise](s, c, ledger.FnGetEnterprise, id)
}

func (s *Service) getEnterprise(c *gin.Context) {
	id, err := enterpriseParam(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	e, err := s.enterprise(c, id)
	if err != nil {
		s.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, e)
}

func (s *Service) listEnterprises(c *gin.Context) {
	org := c.Query("org")
	if org == "" {
		p, _ := Caller(c)
		org = p.MSPID
	}
	page, err := evaluateAs[domain.Page[domain.Enterprise]](s, c, ledger.FnListEnterprises, org, c.Query("pageSize"), c.Query("bookmark"))
	if err != nil {
		s.Fail(c, err)
		return
	}
	page.Records = nonNil(page.Records)
	c.JSON(http.StatusOK, page)
}

type statusRequest struct {
	Status string `json:"status"`
}

func (s *Service) setEnterpriseStatus(c *gin.Context) {
	id, err := enterpriseParam(c)
	if err != nil {
		s.Fail(c, err)
		return
	}
	var req statusRequest
	if err := BindJSON(c, &req); err != nil {
		s.Fail(c, err)
		return
	}
	if _, err := domain.ParseEnterpriseStatus(req.Status); err != nil {
		s.Fail(c, err)
		return
	}
	_, done, err := submitAs[domain.Enterprise](s, c, ledger.Call{Fn: ledger.FnSetEnterpriseStatus, Args: []string{id, req.Status}})
	if err != nil {
		s.Fail(c, err)
		return
	}
	writeRaw(c, http.StatusOK, done.Result)
}

// userAdmin checks that the caller may manage the users of enterprise id
// (the authority's admin, or an admin of that enterprise) and returns it.
func (s *Service) userAdmin(c *gin.Context) (domain.Enterprise, bool) {
	if s.deps.Enterprises.Accounts == nil {
		s.Fail(c, domain.Errorf(domain.CodeUnavailable, "enterprise user management is not configured (no Fabric CA access)"))
		return domain.Enterprise{}, false
	}
	id, err := enterpriseParam(c)
	if err != nil {
		s.Fail(c, err)
		return domain.Enterprise{}, false
	}
	p, _ := Caller(c)
	if !s.isAuthorityAdmin(p) && (p.Enterprise != id || p.Role != RoleAdmin) {
		s.Fail(c, domain.Errorf(domain.CodeForbidden, "only the authority's admin or an admin of %s manages its users", id))
		return domain.Enterprise{}, false
	}
	e, err := s.enterprise(c, id)
	if err != nil {
		s.Fail(c, err)
		return e, false
	}
	return e, true
}

type userRequest struct {
	Name string `json:"name"`
	Role string `json:"role"`
	// CSR (PEM) of a key the user keeps: the user signs offline
	// (/v1/offline/…) and the API never holds its key.
	CSR string `json:"csr,omitempty"`
}

// userResponse is POST /v1/enterprises/{id}/users (apiKey only there).
type userResponse struct {
	User       string `json:"user"`
	Account    string `json:"account"` // the CA enrollment id, <user>@<USCC>
	Role       string `json:"role"`
	Enterprise string `json:"enterprise"`
	Org        string `json:"org"`
	APIKey     string `json:"apiKey,omitempty"`
	// External users sign offline; Certificate is their enrolled
	// certificate (PEM).
	External    bool   `json:"external,omitempty"`
	Certificate string `json:"certificate,omitempty"`
	CreatedAt   string `json:"createdAt"`
	RevokedAt   string `json:"revokedAt,omitempty"`
}

func userView(a accounts.Account) userResponse {
	r := userResponse{User: a.User, Account: a.Name, Role: a.Role, Enterprise: a.Enterprise, Org: a.Org, External: a.External,
		CreatedAt: a.CreatedAt.Format("2006-01-02T15:04:05Z07:00")}
	if a.Revoked() {
		r.RevokedAt = a.RevokedAt.Format("2006-01-02T15:04:05Z07:00")
	}
	return r
}

func (s *Service) createUser(c *gin.Context) {
	e, ok := s.userAdmin(c)
	if !ok {
		return
	}
	var req userRequest
	if err := BindJSON(c, &req); err != nil {
		s.Fail(c, err)
		return
	}
	if e.Status != domain.EnterpriseActive {
		s.Fail(c, domain.Errorf(domain.CodeForbidden, "enterprise %s is %s", e.ID, e.Status))
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), submitTimeout)
	defer cancel()
	if req.CSR != "" {
		a, key, err := s.deps.Enterprises.Accounts.CreateExternal(ctx, e.Org, e.ID, strings.TrimSpace(req.Name), req.Role, []byte(req.CSR))
		if err != nil {
			s.Fail(c, err)
			return
		}
		r := userView(a)
		r.APIKey, r.Certificate = key, a.CertPEM
		c.JSON(http.StatusCreated, r)
		return
	}
	a, key, signer, err := s.deps.Enterprises.Accounts.Create(ctx, e.Org, e.ID, strings.TrimSpace(req.Name), req.Role)
	if err != nil {
		s.Fail(c, err)
		return
	}
	if s.deps.Enterprises.Connect != nil {
		if err := s.deps.Enterprises.Connect(a, signer); err != nil {
			s.Fail(c, err)
			return
		}
	}
	r := userView(a)
	r.APIKey = key
	c.JSON(http.StatusCreated, r)
}

func (s *Service) listUsers(c *gin.Context) {
	e, ok := s.userAdmin(c)
	if !ok {
		return
	}
	out := []userResponse{}
	for _, a := range s.deps.Enterprises.Accounts.List(e.ID) {
		out = append(out, userView(a))
	}
	c.JSON(http.StatusOK, gin.H{"records": out})
}

// deleteUser refuses the user's key at once, revokes the certificate at the
// CA and publishes the CRL so the peers refuse it (accounts.Manager.Revoke).
func (s *Service) deleteUser(c *gin.Context) {
	e, ok := s.userAdmin(c)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), submitTimeout)
	defer cancel()
	a, err := s.deps.Enterprises.Accounts.Revoke(ctx, e.ID, c.Param("name"))
	if a.Name != "" && s.deps.Enterprises.Disconnect != nil {
		s.deps.Enterprises.Disconnect(a.Name)
	}
	if err != nil {
		if domain.CodeOf(err) == domain.CodeNotFound {
			s.Fail(c, err)
			return
		}
		s.Fail(c, domain.Errorf(domain.CodeUnavailable, "%s", err.Error()))
		return
	}
	c.JSON(http.StatusOK, userView(a))
}

// assignEnterprisePrefix is POST /v1/prefixes with "enterprise": the owner
// org follows from the enterprise.
func (s *Service) assignEnterprisePrefix(c *gin.Context, prefix, enterprise string) {
	id, err := identifier.NormalizeUSCC(enterprise)
	if err != nil {
		s.Fail(c, domain.Errorf(domain.CodeInvalidIdentifier, "enterprise %q is not a valid 统一社会信用代码", enterprise))
		return
	}
	if cur, err := evaluateAs[domain.EnterprisePrefix](s, c, ledger.FnGetPrefixEnterprise, prefix); err == nil {
		s.Fail(c, domain.Errorf(domain.CodeConflict, "prefix %s is already assigned to enterprise %s", prefix, cur.Enterprise))
		return
	}
	_, done, err := submitAs[domain.EnterprisePrefix](s, c, ledger.Call{Fn: ledger.FnAssignEnterprisePrefix, Args: []string{prefix, id}})
	if err != nil {
		s.Fail(c, err)
		return
	}
	writeRaw(c, http.StatusCreated, done.Result)
}

// registeredEnterprise checks an enterprise named in a request that could
// also name an owner org (not both) and returns its normalized USCC.
func (s *Service) registeredEnterprise(c *gin.Context, owner, enterprise string) (string, bool) {
	if owner != "" {
		s.Fail(c, domain.Errorf(domain.CodeInvalid, "give owner or enterprise, not both"))
		return "", false
	}
	id, err := identifier.NormalizeUSCC(enterprise)
	if err != nil {
		s.Fail(c, domain.Errorf(domain.CodeInvalidIdentifier, "enterprise %q is not a valid 统一社会信用代码", enterprise))
		return "", false
	}
	if _, err := s.enterprise(c, id); err != nil {
		s.Fail(c, err)
		return "", false
	}
	return id, true
}

// jsonString renders a chaincode argument.
func jsonString(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", domain.Errorf(domain.CodeInternal, "marshal argument: %v", err)
	}
	return string(b), nil
}
