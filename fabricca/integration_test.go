//go:build integration

package fabricca_test

import (
	"context"
	"crypto/rand"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-gateway/pkg/identity"

	"github.com/idchain/idchain/chanconfig"
	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/fabricca"
	"github.com/idchain/idchain/profile"
)

// attrOID is the extension where Fabric CA puts ecert attributes.
var attrOID = asn1.ObjectIdentifier{1, 2, 3, 4, 5, 6, 7, 8, 1}

func loadProfile(t *testing.T) *profile.Profile {
	t.Helper()
	path, err := profile.Path(os.Getenv)
	if err != nil {
		t.Fatalf("no running network: %v", err)
	}
	p, err := profile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// caClient connects to org's CA as its bootstrap registrar, whose MSP the
// network scripts keep next to the CA home (crypto/<org>/registrar/msp).
func caClient(t *testing.T, org profile.Org) *fabricca.Client {
	t.Helper()
	reg, err := fabricca.LoadMSP(filepath.Join(filepath.Dir(filepath.Dir(org.CA.TLSCACert)), "registrar", "msp"))
	if err != nil {
		t.Fatal(err)
	}
	tlsCA, err := os.ReadFile(org.CA.TLSCACert)
	if err != nil {
		t.Fatal(err)
	}
	c, err := fabricca.New(fabricca.Config{URL: org.CA.URL, TLSCACert: tlsCA, Registrar: reg})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// gateway connects signer of mspID to peer.
func gateway(t *testing.T, peer profile.Peer, mspID string, s *fabricca.Signer) *client.Gateway {
	t.Helper()
	conn, err := profile.Dial(peer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	cert, err := identity.CertificateFromPEM(s.CertPEM)
	if err != nil {
		t.Fatal(err)
	}
	gw, err := profile.ConnectKey(conn, mspID, cert, s.Key, profile.DefaultTimeouts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Close() })
	return gw
}

func orgNamed(t *testing.T, p *profile.Profile, msp string) profile.Org {
	t.Helper()
	for _, o := range p.Orgs {
		if o.MSPID == msp {
			return o
		}
	}
	t.Fatalf("no org %s", msp)
	return profile.Org{}
}

func userNamed(t *testing.T, o profile.Org, name string) profile.User {
	t.Helper()
	for _, u := range o.Users {
		if u.Name == name {
			return u
		}
	}
	t.Fatalf("no user %s in %s", name, o.MSPID)
	return profile.User{}
}

// TestEnterpriseUserLifecycle registers and enrolls an enterprise user at
// the maker's real Fabric CA, shows the peers accept it, revokes it, puts
// the CA's CRL into MakerMSP through a channel config update and shows the
// peers then refuse the certificate while other users keep working.
func TestEnterpriseUserLifecycle(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p := loadProfile(t)
	maker := orgNamed(t, p, "MakerMSP")
	ca := caClient(t, maker)

	buf := make([]byte, 4)
	if _, err := rand.Read(buf); err != nil {
		t.Fatal(err)
	}
	name := "ent-line-" + hex.EncodeToString(buf)
	const uscc = "91350100M000100Y43"
	user, err := ca.RegisterAndEnroll(ctx, fabricca.User{Name: name, Role: domain.RoleOperator, Enterprise: uscc})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ca.Register(ctx, fabricca.User{Name: name, Role: domain.RoleOperator}); !errors.Is(err, fabricca.ErrExists) {
		t.Fatalf("second registration: %v, want ErrExists", err)
	}
	cert, err := user.Certificate()
	if err != nil {
		t.Fatal(err)
	}
	var attrs struct {
		Attrs map[string]string `json:"attrs"`
	}
	for _, ext := range cert.Extensions {
		if ext.Id.Equal(attrOID) {
			if err := json.Unmarshal(ext.Value, &attrs); err != nil {
				t.Fatal(err)
			}
		}
	}
	if attrs.Attrs[domain.RoleAttr] != domain.RoleOperator || attrs.Attrs[domain.EnterpriseAttr] != uscc || cert.Subject.CommonName != name {
		t.Fatalf("certificate of %s: CN %q attrs %v", name, cert.Subject.CommonName, attrs.Attrs)
	}

	// The peers accept the new user: a submitted write commits.
	contract := gateway(t, maker.Peer, maker.MSPID, user).GetNetwork(p.Channel).GetContract(p.Chaincode)
	if _, err := contract.SubmitTransaction("system:Touch", "enterprise-user-"+name, "before revocation"); err != nil {
		t.Fatalf("write by the new user: %v", err)
	}

	rev, err := ca.Revoke(ctx, name, "cessationofoperation")
	if err != nil {
		t.Fatal(err)
	}
	if len(rev.Revoked) != 1 || rev.Revoked[0].Serial != fabricca.SerialHex(cert) {
		t.Fatalf("revoked %+v, want serial %s", rev.Revoked, fabricca.SerialHex(cert))
	}
	crl, err := chanconfig.ParseCRL(rev.CRL)
	if err != nil {
		t.Fatal(err)
	}
	listed := false
	for _, rc := range crl.RevokedCertificateEntries {
		listed = listed || rc.SerialNumber.Cmp(cert.SerialNumber) == 0
	}
	if !listed {
		t.Fatal("the CA's CRL does not list the revoked certificate")
	}
	if _, err := ca.Enroll(ctx, name, "any"); err == nil {
		t.Fatal("a revoked identity enrolled again")
	}

	// The org admin puts the CRL into MakerMSP on the channel.
	admin, err := fabricca.LoadFiles(userNamed(t, maker, "maker-admin").Cert, userNamed(t, maker, "maker-admin").Key)
	if err != nil {
		t.Fatal(err)
	}
	adminNet := gateway(t, maker.Peer, maker.MSPID, admin).GetNetwork(p.Channel)
	fetch := func(context.Context) ([]byte, error) {
		return adminNet.GetContract("cscc").EvaluateTransaction("GetConfigBlock", p.Channel)
	}
	o := p.Orderers[0]
	oconn, err := profile.Dial(profile.Peer{Name: o.Name, Address: o.Address, TLSCACert: o.TLSCACert})
	if err != nil {
		t.Fatal(err)
	}
	defer oconn.Close()
	start := time.Now()
	err = chanconfig.AddCRL(ctx, fetch, oconn, chanconfig.Admin{MSPID: maker.MSPID, CertPEM: admin.CertPEM,
		Sign: func(m []byte) ([]byte, error) { return fabricca.SignLowS(admin.Key, m) }}, maker.MSPID, rev.CRL)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("CRL in the channel config after %v", time.Since(start).Round(time.Millisecond))

	// Every peer now refuses the certificate: through the maker's own peer
	// and through another org's peer, for reads and writes.
	for _, peer := range []profile.Peer{maker.Peer, orgNamed(t, p, "PartnerMSP").Peer} {
		c := gateway(t, peer, maker.MSPID, user).GetNetwork(p.Channel).GetContract(p.Chaincode)
		deadline := time.Now().Add(20 * time.Second)
		for {
			_, err = c.EvaluateTransaction("system:Ping")
			if err != nil || time.Now().After(deadline) {
				break
			}
			time.Sleep(300 * time.Millisecond) // this peer may not have committed the config block yet
		}
		if err == nil {
			t.Fatalf("%s still accepts the revoked certificate", peer.Name)
		}
		if _, err := c.SubmitTransaction("system:Touch", "enterprise-user-"+name, "after revocation"); err == nil {
			t.Fatalf("%s endorsed a write by the revoked certificate", peer.Name)
		}
		t.Logf("%s refuses the revoked certificate: %v", peer.Name, firstLine(err))
	}
	// Another maker user is unaffected.
	op := userNamed(t, maker, "maker-operator")
	opSigner, err := fabricca.LoadFiles(op.Cert, op.Key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gateway(t, maker.Peer, maker.MSPID, opSigner).GetNetwork(p.Channel).GetContract(p.Chaincode).EvaluateTransaction("system:Ping"); err != nil {
		t.Fatalf("maker-operator after the CRL update: %v", err)
	}
}

func firstLine(err error) string {
	if err == nil {
		return ""
	}
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
