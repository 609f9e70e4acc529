package accounts

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/fabricca"
)

// fakeCA records what the manager asked of it; it issues a self-made key.
type fakeCA struct {
	registered []fabricca.User
	revoked    []string
	revokeErr  error
}

func (f *fakeCA) RegisterAndEnroll(_ context.Context, u fabricca.User) (*fabricca.Signer, error) {
	for _, r := range f.registered {
		if r.Name == u.Name {
			return nil, &fabricca.Error{Status: 409, Code: 74, Message: "already registered"}
		}
	}
	f.registered = append(f.registered, u)
	return testSigner(u.Name)
}

func (f *fakeCA) RegisterAndEnrollCSR(ctx context.Context, u fabricca.User, _ []byte) ([]byte, error) {
	s, err := f.RegisterAndEnroll(ctx, u)
	if err != nil {
		return nil, err
	}
	return s.CertPEM, nil
}

func (f *fakeCA) Revoke(_ context.Context, name, _ string) (*fabricca.Revocation, error) {
	if f.revokeErr != nil {
		return nil, f.revokeErr
	}
	f.revoked = append(f.revoked, name)
	return &fabricca.Revocation{CRL: []byte("crl of " + name)}, nil
}

// testSigner makes a self-signed identity for name.
func testSigner(name string) (*fabricca.Signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	return &fabricca.Signer{CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), Key: key}, nil
}

const ent = "91350100M000100Y43"

func open(t *testing.T, dir string, ca *fakeCA, published *[]string) *Manager {
	t.Helper()
	m, err := Open(dir, map[string]CA{"PlatformMSP": ca}, func(_ context.Context, msp string, crl []byte) error {
		*published = append(*published, msp+":"+string(crl))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCreateLookupRevoke(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ca := &fakeCA{}
	var published []string
	m := open(t, dir, ca, &published)

	a, key, signer, err := m.Create(ctx, "PlatformMSP", ent, "line-3", domain.RoleOperator)
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "line-3@"+ent || a.Role != domain.RoleOperator || a.Enterprise != ent || signer == nil || key == "" {
		t.Fatalf("account %+v", a)
	}
	if len(ca.registered) != 1 || ca.registered[0] != (fabricca.User{Name: a.Name, Role: domain.RoleOperator, Enterprise: ent}) {
		t.Fatalf("registered at the CA: %+v", ca.registered)
	}
	if got, ok := m.ByKeyHash(HashKey(key)); !ok || got.Name != a.Name {
		t.Fatal("the issued key does not find its account")
	}
	// Only the hash is stored; the enrollment key is 0600.
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if strings.Contains(string(b), key) {
			t.Fatalf("%s holds the plain API key", f)
		}
		if st, _ := os.Stat(f); st.Mode().Perm() != 0o600 {
			t.Fatalf("%s has mode %v", f, st.Mode().Perm())
		}
	}

	_, _, _, err = m.Create(ctx, "PlatformMSP", ent, "line-3", domain.RoleQA)
	if !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("second create: %v, want CONFLICT", err)
	}
	for _, bad := range []struct{ user, role string }{{"Line 3", domain.RoleOperator}, {"line-4", domain.RoleRegulator}, {"", domain.RoleQA}} {
		if _, _, _, err := m.Create(ctx, "PlatformMSP", ent, bad.user, bad.role); !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("create %+v: %v, want INVALID", bad, err)
		}
	}
	if _, _, _, err := m.Create(ctx, "NoCAMSP", ent, "x", domain.RoleQA); !errors.Is(err, &domain.Error{Code: domain.CodeUnavailable}) {
		t.Fatalf("org without CA: %v", err)
	}

	// Reopening the store finds the account and its key.
	m2 := open(t, dir, ca, &published)
	if got, ok := m2.ByKeyHash(HashKey(key)); !ok || got.CertPEM != a.CertPEM {
		t.Fatal("a reopened store lost the account")
	}
	if _, err := m2.Signer(a); err != nil {
		t.Fatal(err)
	}

	if _, err := m2.Revoke(ctx, ent, "line-3"); err != nil {
		t.Fatal(err)
	}
	if _, ok := m2.ByKeyHash(HashKey(key)); ok {
		t.Fatal("a revoked key still authenticates")
	}
	if len(ca.revoked) != 1 || ca.revoked[0] != a.Name || len(published) != 1 || published[0] != "PlatformMSP:crl of "+a.Name {
		t.Fatalf("CA revoked %v, published %v", ca.revoked, published)
	}
	if got, ok := m2.Get(ent, "line-3"); !ok || !got.Revoked() {
		t.Fatal("the revoked account is not kept as revoked")
	}
	if m3 := open(t, dir, ca, &published); len(m3.Live()) != 0 {
		t.Fatal("a revoked account is live after reopening")
	}
	if _, err := m2.Revoke(ctx, ent, "nobody"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("revoke unknown: %v", err)
	}
}

func TestRevokeRefusesKeyEvenWhenCAFails(t *testing.T) {
	ctx := context.Background()
	ca := &fakeCA{}
	var published []string
	m := open(t, t.TempDir(), ca, &published)
	_, key, _, err := m.Create(ctx, "PlatformMSP", ent, "qa-1", domain.RoleQA)
	if err != nil {
		t.Fatal(err)
	}
	ca.revokeErr = errors.New("CA down")
	if _, err := m.Revoke(ctx, ent, "qa-1"); err == nil {
		t.Fatal("a failed CA revocation was reported as done")
	}
	if _, ok := m.ByKeyHash(HashKey(key)); ok {
		t.Fatal("the key still authenticates after a revocation whose CA step failed")
	}
	if len(published) != 0 {
		t.Fatal("a CRL was published without a CA revocation")
	}
	ca.revokeErr = nil
	if _, err := m.Revoke(ctx, ent, "qa-1"); err != nil || len(ca.revoked) != 1 || len(published) != 1 {
		t.Fatalf("retrying the revocation: %v (revoked %v published %v)", err, ca.revoked, published)
	}
}
