package ledger

import (
	"testing"
)

// FuzzParseCert: whatever bytes a profile points at, ParseCert returns a
// certificate or an error, never a panic; a role comes only with a
// certificate.
func FuzzParseCert(f *testing.F) {
	f.Add(mustCertF(f, `{"attrs":{"idchain.role":"qa"}}`))
	f.Add(mustCertF(f, `{"attrs":`))
	f.Add(mustCertF(f, ""))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("not pem"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cert, role, err := ParseCert(b)
		if err != nil {
			if cert != nil || role != "" {
				t.Fatalf("error %v with a certificate or role %q", err, role)
			}
			return
		}
		if cert == nil {
			t.Fatal("no error and no certificate")
		}
	})
}
