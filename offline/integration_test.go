//go:build integration

package offline_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/fabricca"
	"github.com/idchain/idchain/offline"
	"github.com/idchain/idchain/profile"
)

// TestOfflineSignedWrite enrolls a maker user whose key is made here (the
// "maker's side") from a CSR at the platform org's real CA, then writes
// through the offline flow: the server side never holds the key. A
// signature by the platform's own admin key in its place is refused by the
// peers.
func TestOfflineSignedWrite(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	path, err := profile.Path(os.Getenv)
	if err != nil {
		t.Fatalf("no running network: %v", err)
	}
	p, err := profile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	org, admin, err := p.User("platform-admin")
	if err != nil {
		t.Fatal(err)
	}
	reg, err := fabricca.LoadMSP(filepath.Join(filepath.Dir(filepath.Dir(org.CA.TLSCACert)), "registrar", "msp"))
	if err != nil {
		t.Fatal(err)
	}
	tlsCA, err := os.ReadFile(org.CA.TLSCACert)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := fabricca.New(fabricca.Config{URL: org.CA.URL, TLSCACert: tlsCA, Registrar: reg})
	if err != nil {
		t.Fatal(err)
	}

	// The maker's side: its own key, only the CSR goes to the platform.
	makerKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	rand.Read(buf)
	name := "hsm-" + hex.EncodeToString(buf) + "@91350100M000100Y43"
	secret, err := ca.Register(ctx, fabricca.User{Name: name, Role: domain.RoleOperator, Enterprise: "91350100M000100Y43"})
	if err != nil {
		t.Fatal(err)
	}
	csr, err := fabricca.NewCSR(name, makerKey)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, err := ca.EnrollCSR(ctx, name, secret, csr)
	if err != nil {
		t.Fatal(err)
	}

	sess, err := p.Open(admin.Name, profile.DefaultTimeouts)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Conn.Close()
	flow := &offline.Flow{Conn: sess.Conn, Channel: p.Channel, Chaincode: p.Chaincode, Status: sess.Gateway.GetNetwork(p.Channel)}

	prep, err := flow.Prepare(org.MSPID, certPEM, "system:Touch", []string{"offline-" + name, "signed by the maker"}, nil)
	if err != nil {
		t.Fatal(err)
	}

	// The platform tries to act in the maker's name with its own key.
	adminSigner, err := fabricca.LoadFiles(admin.Cert, admin.Key)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := offline.SignDigest(adminSigner.Key, prep.Digest)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := flow.Endorse(ctx, org.MSPID, certPEM, prep.Proposal, forged); err == nil {
		t.Fatal("the peers endorsed a proposal in the maker's name signed by the platform's key")
	}

	sig, err := offline.SignDigest(makerKey, prep.Digest)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	end, err := flow.Endorse(ctx, org.MSPID, certPEM, prep.Proposal, sig)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		TxID string `json:"txId"`
	}
	if err := json.Unmarshal(end.Result, &res); err != nil || res.TxID != prep.TxID || end.TxID != prep.TxID {
		t.Fatalf("endorsed result %s (tx %s), want tx %s", end.Result, end.TxID, prep.TxID)
	}
	// A transaction signed by someone else is refused by the orderer.
	forgedTx, err := offline.SignDigest(adminSigner.Key, end.Digest)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := flow.Submit(ctx, org.MSPID, certPEM, end.Transaction, forgedTx); err == nil && c.Valid {
		t.Fatal("a transaction envelope signed by the platform's key committed as valid")
	}
	txSig, err := offline.SignDigest(makerKey, end.Digest)
	if err != nil {
		t.Fatal(err)
	}
	c, err := flow.Submit(ctx, org.MSPID, certPEM, end.Transaction, txSig)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Valid || c.TxID != prep.TxID {
		t.Fatalf("commit %+v", c)
	}
	t.Logf("offline-signed write committed (%s) %v after the first signature", c.Code, time.Since(start).Round(time.Millisecond))
}
