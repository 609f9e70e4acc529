package fabricca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
)

// Signer is an enrolled identity: its certificate and ECDSA key.
type Signer struct {
	CertPEM []byte
	Key     *ecdsa.PrivateKey
}

// LoadMSP reads an MSP folder's signcerts/*.pem and keystore/* (the layout
// fabric-ca-client enroll writes).
func LoadMSP(dir string) (*Signer, error) {
	certs, err := filepath.Glob(filepath.Join(dir, "signcerts", "*.pem"))
	if err != nil || len(certs) == 0 {
		return nil, fmt.Errorf("fabricca: no certificate in %s/signcerts", dir)
	}
	keys, err := filepath.Glob(filepath.Join(dir, "keystore", "*"))
	if err != nil || len(keys) == 0 {
		return nil, fmt.Errorf("fabricca: no key in %s/keystore", dir)
	}
	return LoadFiles(certs[0], keys[0])
}

// LoadFiles reads a PEM certificate and a PEM (PKCS#8 or SEC 1) ECDSA key.
func LoadFiles(certPath, keyPath string) (*Signer, error) {
	cert, err := os.ReadFile(certPath)
	if err != nil {
		return nil, fmt.Errorf("fabricca: %w", err)
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, fmt.Errorf("fabricca: %w", err)
	}
	key, err := ParseKey(keyPEM)
	if err != nil {
		return nil, err
	}
	return &Signer{CertPEM: cert, Key: key}, nil
}

// ParseKey decodes a PEM ECDSA private key.
func ParseKey(keyPEM []byte) (*ecdsa.PrivateKey, error) {
	blk, _ := pem.Decode(keyPEM)
	if blk == nil {
		return nil, errors.New("fabricca: key is not PEM")
	}
	if k, err := x509.ParsePKCS8PrivateKey(blk.Bytes); err == nil {
		if ek, ok := k.(*ecdsa.PrivateKey); ok {
			return ek, nil
		}
		return nil, errors.New("fabricca: key is not ECDSA")
	}
	k, err := x509.ParseECPrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("fabricca: key: %w", err)
	}
	return k, nil
}

// KeyPEM encodes the key as PKCS#8 PEM.
func (s *Signer) KeyPEM() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(s.Key)
	if err != nil {
		return nil, fmt.Errorf("fabricca: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// Certificate parses the signer's certificate.
func (s *Signer) Certificate() (*x509.Certificate, error) {
	blk, _ := pem.Decode(s.CertPEM)
	if blk == nil {
		return nil, errors.New("fabricca: certificate is not PEM")
	}
	return x509.ParseCertificate(blk.Bytes)
}

// token builds Fabric CA's authorization token for a request.
func (s *Signer) token(method, uri string, body []byte) (string, error) {
	cert := b64(s.CertPEM)
	payload := method + "." + b64([]byte(uri)) + "." + b64(body) + "." + cert
	sig, err := SignLowS(s.Key, []byte(payload))
	if err != nil {
		return "", err
	}
	return cert + "." + b64(sig), nil
}

// SignLowS signs SHA-256(msg) and returns the ASN.1 signature with S in the
// lower half of the curve order, the form Fabric and Fabric CA accept.
func SignLowS(key *ecdsa.PrivateKey, msg []byte) ([]byte, error) {
	digest := sha256.Sum256(msg)
	r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
	if err != nil {
		return nil, fmt.Errorf("fabricca: sign: %w", err)
	}
	n := key.Curve.Params().N
	if s.Cmp(new(big.Int).Rsh(n, 1)) > 0 {
		s = new(big.Int).Sub(n, s)
	}
	return asn1.Marshal(struct{ R, S *big.Int }{r, s})
}

// newKey makes a P-256 key for a new enrollment.
func newKey() (*ecdsa.PrivateKey, error) {
	return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
}
