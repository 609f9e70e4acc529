// Package accounts keeps the API users of enterprises: it enrolls each at
// the hosting org's Fabric CA (fabricca) with idchain.role and
// idchain.enterprise in the certificate, issues the user's API key and
// keeps only the key's SHA-256; revocation refuses the key at once, revokes
// the certificate at the CA and publishes the CA's CRL to the channel so the
// peers refuse the certificate too (chanconfig).
//
// Custodial users' enrollment keys are held by the API, which signs their
// transactions; external users (CreateExternal) keep their key and sign
// offline. The records live in a Store: a directory for one API process
// (DirStore) or Redis shared by every replica (RedisStore, keys sealed).
package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/fabricca"
)

// CA is what accounts needs of an org's Fabric CA (*fabricca.Client).
type CA interface {
	RegisterAndEnroll(ctx context.Context, u fabricca.User) (*fabricca.Signer, error)
	RegisterAndEnrollCSR(ctx context.Context, u fabricca.User, csrPEM []byte) ([]byte, error)
	Revoke(ctx context.Context, name, reason string) (*fabricca.Revocation, error)
}

// CRLPublisher makes an org's CRL known to the channel (a config update of
// the org's MSP, see chanconfig.AddCRL) and returns when the peers have it.
type CRLPublisher func(ctx context.Context, mspID string, crlPEM []byte) error

// Account is one enterprise user.
type Account struct {
	Name       string    `json:"name"` // API user and CA enrollment id: <user>@<USCC>
	User       string    `json:"user"` // the name inside the enterprise, e.g. line-3
	Org        string    `json:"org"`
	Enterprise string    `json:"enterprise"`
	Role       string    `json:"role"`
	KeyHash    string    `json:"keyHash"` // hex SHA-256 of the API key
	CertPEM    string    `json:"cert"`
	CreatedAt  time.Time `json:"createdAt"`
	RevokedAt  time.Time `json:"revokedAt,omitzero"`
	// External: the holder keeps the key (enrolled from its own CSR) and
	// signs offline; the API holds no key and cannot sign for it.
	External bool `json:"external,omitempty"`
}

// Revoked reports whether the account was revoked.
func (a Account) Revoked() bool { return !a.RevokedAt.IsZero() }

// Errors callers tell apart (domain codes, so the API maps them).
var (
	ErrExists   = domain.Errorf(domain.CodeConflict, "user exists")
	ErrNotFound = domain.Errorf(domain.CodeNotFound, "user not found")
)

// Manager issues, looks up and revokes accounts. Safe for concurrent use.
type Manager struct {
	store   Store
	cas     map[string]CA // by org MSP ID
	publish CRLPublisher
	now     func() time.Time
	// OnError, when set, hears of store failures of the lookups, which
	// answer "not found" then (fail closed).
	OnError func(op string, err error)
}

// storeTimeout bounds one lookup in the store.
const storeTimeout = 2 * time.Second

// Open loads the accounts kept in dir (created 0700 if missing): one API
// process per directory (OpenDir).
func Open(dir string, cas map[string]CA, publish CRLPublisher) (*Manager, error) {
	st, err := OpenDir(dir)
	if err != nil {
		return nil, err
	}
	return New(st, cas, publish), nil
}

// New returns a manager over store.
func New(store Store, cas map[string]CA, publish CRLPublisher) *Manager {
	return &Manager{store: store, cas: cas, publish: publish, now: time.Now}
}

func (m *Manager) failed(op string, err error) {
	if err != nil && m.OnError != nil {
		m.OnError(op, err)
	}
}

var userName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,47}$`)

// Roles an enterprise user may have (regulators are never an enterprise's).
var enterpriseRoles = []string{domain.RoleAdmin, domain.RoleOperator, domain.RoleInspector, domain.RoleQA}

// AccountName is the API user and CA enrollment id of user of enterprise.
func AccountName(user, enterprise string) string { return user + "@" + enterprise }

// Create enrolls a new user of enterprise (hosted by org) with role and
// returns the account, its API key (shown once, never stored) and its
// signing identity.
func (m *Manager) Create(ctx context.Context, org, enterprise, user, role string) (Account, string, *fabricca.Signer, error) {
	return m.create(ctx, org, enterprise, user, role, nil)
}

// CreateExternal enrolls a new user of enterprise from the holder's
// certificate request: the API keeps the certificate and the key hash, never
// a private key; the user signs offline (package offline).
func (m *Manager) CreateExternal(ctx context.Context, org, enterprise, user, role string, csrPEM []byte) (Account, string, error) {
	if len(csrPEM) == 0 {
		return Account{}, "", domain.Errorf(domain.CodeInvalid, "csr is required")
	}
	a, key, _, err := m.create(ctx, org, enterprise, user, role, csrPEM)
	return a, key, err
}

func (m *Manager) create(ctx context.Context, org, enterprise, user, role string, csrPEM []byte) (Account, string, *fabricca.Signer, error) {
	if !userName.MatchString(user) {
		return Account{}, "", nil, domain.Errorf(domain.CodeInvalid, "user name must be 1-48 of a-z 0-9 . _ - starting with a letter or digit")
	}
	if !slices.Contains(enterpriseRoles, role) {
		return Account{}, "", nil, domain.Errorf(domain.CodeInvalid, "role must be one of %s", strings.Join(enterpriseRoles, ", "))
	}
	ca, ok := m.cas[org]
	if !ok {
		return Account{}, "", nil, domain.Errorf(domain.CodeUnavailable, "no Fabric CA configured for %s", org)
	}
	name := AccountName(user, enterprise)
	_, exists, err := m.store.ByName(ctx, name)
	if err != nil {
		return Account{}, "", nil, fmt.Errorf("accounts: %w", err)
	}
	if exists {
		return Account{}, "", nil, domain.Errorf(domain.CodeConflict, "user %s of %s exists", user, enterprise)
	}
	u := fabricca.User{Name: name, Role: role, Enterprise: enterprise}
	var signer *fabricca.Signer
	if csrPEM != nil {
		var cert []byte
		if cert, err = ca.RegisterAndEnrollCSR(ctx, u, csrPEM); err == nil {
			signer = &fabricca.Signer{CertPEM: cert}
		}
	} else {
		signer, err = ca.RegisterAndEnroll(ctx, u)
	}
	if errors.Is(err, fabricca.ErrExists) {
		return Account{}, "", nil, domain.Errorf(domain.CodeConflict, "user %s of %s is registered at the CA", user, enterprise)
	}
	if err != nil {
		return Account{}, "", nil, fmt.Errorf("accounts: enroll %s: %w", name, err)
	}
	key, err := newAPIKey()
	if err != nil {
		return Account{}, "", nil, err
	}
	a := Account{Name: name, User: user, Org: org, Enterprise: enterprise, Role: role, KeyHash: HashKey(key),
		CertPEM: string(signer.CertPEM), CreatedAt: m.now().UTC(), External: csrPEM != nil}
	var keyPEM []byte
	if !a.External {
		if keyPEM, err = signer.KeyPEM(); err != nil {
			return Account{}, "", nil, err
		}
	}
	if err := m.store.Add(ctx, a, keyPEM); err != nil {
		return Account{}, "", nil, err
	}
	return a, key, signer, nil
}

// Revoke refuses the user's API key at once, then revokes its certificate at
// the CA and publishes the CA's CRL to the channel. The key stays refused
// even when a later step fails (the error says which).
func (m *Manager) Revoke(ctx context.Context, enterprise, user string) (Account, error) {
	name := AccountName(user, enterprise)
	acc, first, err := m.store.Revoke(ctx, name, m.now().UTC())
	if domain.CodeOf(err) == domain.CodeNotFound {
		return Account{}, domain.Errorf(domain.CodeNotFound, "user %s of %s does not exist", user, enterprise)
	}
	if err != nil {
		return acc, err
	}
	ca, ok := m.cas[acc.Org]
	if !ok {
		return acc, domain.Errorf(domain.CodeUnavailable, "no Fabric CA configured for %s", acc.Org)
	}
	rev, err := ca.Revoke(ctx, name, "cessationofoperation")
	if err != nil {
		if !first && errors.Is(err, fabricca.ErrUnknownIdentity) {
			return acc, nil
		}
		return acc, fmt.Errorf("accounts: the API key is refused, but revoking the certificate at the CA failed: %w", err)
	}
	if m.publish != nil {
		if err := m.publish(ctx, acc.Org, rev.CRL); err != nil {
			return acc, fmt.Errorf("accounts: the API key and the CA refuse the user, but publishing the CRL to the channel failed: %w", err)
		}
	}
	// nothing signs for it any more
	return acc, m.store.DropKey(ctx, name)
}

// ByKeyHash returns the live account of a key hash (asked of the store
// each time, so a revocation through any replica sharing it counts at once).
func (m *Manager) ByKeyHash(hash string) (Account, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	a, ok, err := m.store.ByKeyHash(ctx, hash)
	m.failed("by key", err)
	return a, ok && err == nil && !a.Revoked()
}

// ByName returns an account by its account name (<user>@<USCC>).
func (m *Manager) ByName(name string) (Account, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	a, ok, err := m.store.ByName(ctx, name)
	m.failed("by name", err)
	return a, ok && err == nil
}

// Get returns an account by user and enterprise.
func (m *Manager) Get(enterprise, user string) (Account, bool) {
	return m.ByName(AccountName(user, enterprise))
}

// List returns the accounts of an enterprise by name.
func (m *Manager) List(enterprise string) []Account {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	out, err := m.store.List(ctx, enterprise)
	m.failed("list", err)
	return byAccountName(out)
}

// Live returns every account that is not revoked, by name.
func (m *Manager) Live() []Account {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	out, err := m.store.Live(ctx)
	m.failed("live", err)
	return byAccountName(out)
}

// Signer loads the enrollment key of a live custodial account.
func (m *Manager) Signer(a Account) (*fabricca.Signer, error) {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	b, err := m.store.Key(ctx, a.Name)
	if err != nil {
		return nil, err
	}
	key, err := fabricca.ParseKey(b)
	if err != nil {
		return nil, err
	}
	return &fabricca.Signer{CertPEM: []byte(a.CertPEM), Key: key}, nil
}

// HashKey is how API keys are kept: hex SHA-256 (as the API's key file).
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// newAPIKey returns 32 random bytes, base64url.
func newAPIKey() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("accounts: key: %w", err)
	}
	return "idk_" + base64.RawURLEncoding.EncodeToString(b), nil
}
