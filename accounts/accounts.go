// Package accounts keeps the API users of enterprises: it enrolls each at
// the hosting org's Fabric CA (fabricca) with idchain.role and
// idchain.enterprise in the certificate, issues the user's API key and
// keeps only the key's SHA-256; revocation refuses the key at once, revokes
// the certificate at the CA and publishes the CA's CRL to the channel so the
// peers refuse the certificate too (chanconfig).
//
// These users are custodial: the API holds their enrollment key (a 0600
// file in the store directory) and signs their transactions. Users whose key
// never leaves the maker sign offline instead and have no account here.
package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
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
	dir     string
	cas     map[string]CA // by org MSP ID
	publish CRLPublisher
	now     func() time.Time

	mu     sync.RWMutex
	byName map[string]*Account
	byHash map[string]*Account
}

// Open loads the accounts kept in dir (created 0700 if missing).
func Open(dir string, cas map[string]CA, publish CRLPublisher) (*Manager, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	m := &Manager{dir: dir, cas: cas, publish: publish, now: time.Now, byName: map[string]*Account{}, byHash: map[string]*Account{}}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("accounts: %w", err)
		}
		var a Account
		if err := json.Unmarshal(b, &a); err != nil {
			return nil, fmt.Errorf("accounts: %s: %w", f, err)
		}
		m.index(&a)
	}
	return m, nil
}

func (m *Manager) index(a *Account) {
	m.byName[a.Name] = a
	if !a.Revoked() {
		m.byHash[a.KeyHash] = a
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
	m.mu.RLock()
	_, exists := m.byName[name]
	m.mu.RUnlock()
	if exists {
		return Account{}, "", nil, domain.Errorf(domain.CodeConflict, "user %s of %s exists", user, enterprise)
	}
	u := fabricca.User{Name: name, Role: role, Enterprise: enterprise}
	var signer *fabricca.Signer
	var err error
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
	if !a.External {
		keyPEM, err := signer.KeyPEM()
		if err != nil {
			return Account{}, "", nil, err
		}
		if err := writeFile(filepath.Join(m.dir, fileName(name)+".key"), keyPEM); err != nil {
			return Account{}, "", nil, err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.save(&a); err != nil {
		return Account{}, "", nil, err
	}
	m.index(&a)
	return a, key, signer, nil
}

// Revoke refuses the user's API key at once, then revokes its certificate at
// the CA and publishes the CA's CRL to the channel. The key stays refused
// even when a later step fails (the error says which).
func (m *Manager) Revoke(ctx context.Context, enterprise, user string) (Account, error) {
	name := AccountName(user, enterprise)
	m.mu.Lock()
	a, ok := m.byName[name]
	if !ok {
		m.mu.Unlock()
		return Account{}, domain.Errorf(domain.CodeNotFound, "user %s of %s does not exist", user, enterprise)
	}
	first := !a.Revoked()
	if first {
		delete(m.byHash, a.KeyHash)
		a.RevokedAt = m.now().UTC()
		if err := m.save(a); err != nil {
			m.mu.Unlock()
			return *a, err
		}
	}
	acc := *a
	m.mu.Unlock()
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
	_ = os.Remove(filepath.Join(m.dir, fileName(name)+".key")) // nothing signs for it any more
	return acc, nil
}

// ByKeyHash returns the live account of a key hash.
func (m *Manager) ByKeyHash(hash string) (Account, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	a, ok := m.byHash[hash]
	if !ok {
		return Account{}, false
	}
	return *a, true
}

// ByName returns an account by its account name (<user>@<USCC>).
func (m *Manager) ByName(name string) (Account, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	a, ok := m.byName[name]
	if !ok {
		return Account{}, false
	}
	return *a, true
}

// Get returns an account by user and enterprise.
func (m *Manager) Get(enterprise, user string) (Account, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	a, ok := m.byName[AccountName(user, enterprise)]
	if !ok {
		return Account{}, false
	}
	return *a, true
}

// List returns the accounts of an enterprise by name.
func (m *Manager) List(enterprise string) []Account {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []Account
	for _, a := range m.byName {
		if a.Enterprise == enterprise {
			out = append(out, *a)
		}
	}
	slices.SortFunc(out, func(x, y Account) int { return strings.Compare(x.Name, y.Name) })
	return out
}

// Live returns every account that is not revoked, by name (to connect their
// identities at start-up).
func (m *Manager) Live() []Account {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]Account, 0, len(m.byHash))
	for _, a := range m.byHash {
		out = append(out, *a)
	}
	slices.SortFunc(out, func(x, y Account) int { return strings.Compare(x.Name, y.Name) })
	return out
}

// Signer loads the enrollment key of a live account.
func (m *Manager) Signer(a Account) (*fabricca.Signer, error) {
	b, err := os.ReadFile(filepath.Join(m.dir, fileName(a.Name)+".key"))
	if err != nil {
		return nil, fmt.Errorf("accounts: key of %s: %w", a.Name, err)
	}
	key, err := fabricca.ParseKey(b)
	if err != nil {
		return nil, err
	}
	return &fabricca.Signer{CertPEM: []byte(a.CertPEM), Key: key}, nil
}

// save writes an account record; the caller holds m.mu.
func (m *Manager) save(a *Account) error {
	b, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	return writeFile(filepath.Join(m.dir, fileName(a.Name)+".json"), b)
}

// fileName maps an account name to a file name (the USCC and user name
// hold only [A-Za-z0-9._-] and '@').
func fileName(name string) string { return strings.ReplaceAll(name, "@", "_at_") }

// writeFile writes atomically with mode 0600.
func writeFile(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	return nil
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
