package ledger

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"
)

func mustCert(t *testing.T, attrs string) []byte { return mustCertF(t, attrs) }

// mustCertF makes a self-signed PEM certificate, with the Fabric CA
// attribute extension attrs when not "".
func mustCertF(t testing.TB, attrs string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "maker-qa"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	if attrs != "" {
		tmpl.ExtraExtensions = []pkix.Extension{{Id: attrsOID, Value: []byte(attrs)}}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestParseCertReadsTheRoleAttribute(t *testing.T) {
	tests := []struct {
		name, attrs, want string
		wantErr           bool
	}{
		{"role present", `{"attrs":{"hf.EnrollmentID":"maker-qa","idchain.role":"qa"}}`, "qa", false},
		{"no attribute extension", "", "", false},
		{"other attributes only", `{"attrs":{"hf.Type":"client"}}`, "", false},
		{"garbled extension", `{"attrs":`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cert, role, err := ParseCert(mustCert(t, tt.attrs))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && (role != tt.want || cert.Subject.CommonName != "maker-qa") {
				t.Fatalf("role %q, want %q", role, tt.want)
			}
		})
	}
	if _, _, err := ParseCert([]byte("not pem")); err == nil {
		t.Fatal("non-PEM input accepted")
	}
}
