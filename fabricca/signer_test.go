package fabricca

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"math/big"
	"net/http"
	"strings"
	"testing"
)

func TestTokenIsVerifiableAndLowS(t *testing.T) {
	key, err := newKey()
	if err != nil {
		t.Fatal(err)
	}
	s := &Signer{CertPEM: []byte("-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n"), Key: key}
	body := []byte(`{"id":"line-3"}`)
	half := new(big.Int).Rsh(key.Curve.Params().N, 1)
	for range 50 { // about half of raw ECDSA signatures have a high S
		tok, err := s.token(http.MethodPost, "/api/v1/register", body)
		if err != nil {
			t.Fatal(err)
		}
		certPart, sigPart, ok := strings.Cut(tok, ".")
		if !ok || certPart != base64.StdEncoding.EncodeToString(s.CertPEM) {
			t.Fatalf("token %q does not start with the certificate", tok)
		}
		sig, err := base64.StdEncoding.DecodeString(sigPart)
		if err != nil {
			t.Fatal(err)
		}
		payload := "POST." + base64.StdEncoding.EncodeToString([]byte("/api/v1/register")) + "." +
			base64.StdEncoding.EncodeToString(body) + "." + certPart
		digest := sha256.Sum256([]byte(payload))
		if !ecdsa.VerifyASN1(&key.PublicKey, digest[:], sig) {
			t.Fatal("token signature does not verify over method.uri.body.cert")
		}
		var rs struct{ R, S *big.Int }
		if _, err := asn1.Unmarshal(sig, &rs); err != nil {
			t.Fatal(err)
		}
		if rs.S.Cmp(half) > 0 {
			t.Fatal("signature has a high S")
		}
	}
}

func TestErrorSentinels(t *testing.T) {
	dup := &Error{Status: 409, Code: 74, Message: "Identity 'x' is already registered"}
	if !errors.Is(dup, ErrExists) || errors.Is(dup, ErrUnknownIdentity) {
		t.Fatal("a duplicate registration must match ErrExists only")
	}
	missing := &Error{Status: 404, Code: 10, Message: "Identity 'x' was not found"}
	if !errors.Is(missing, ErrUnknownIdentity) || errors.Is(missing, ErrExists) {
		t.Fatal("an unknown identity must match ErrUnknownIdentity only")
	}
	if errors.Is(&Error{Status: 401, Code: 20, Message: "Authentication failure"}, ErrExists) {
		t.Fatal("an authentication failure is not ErrExists")
	}
}

func TestParseKeyRoundTrip(t *testing.T) {
	key, err := newKey()
	if err != nil {
		t.Fatal(err)
	}
	pemKey, err := (&Signer{Key: key}).KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseKey(pemKey)
	if err != nil || !back.Equal(key) {
		t.Fatalf("ParseKey = %v", err)
	}
	if _, err := ParseKey([]byte("not pem")); err == nil {
		t.Fatal("garbage parsed as a key")
	}
}
