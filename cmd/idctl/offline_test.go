package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeygenAndSign(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "maker.pem")
	var out, errOut bytes.Buffer
	e := &env{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: &out, stderr: &errOut}
	if code := run(context.Background(), []string{"keygen", "-key", keyFile, "-name", "line-1@91350100M000100Y43"}, e); code != exitOK {
		t.Fatalf("keygen exit %d: %s", code, errOut.String())
	}
	blk, _ := pem.Decode(out.Bytes())
	if blk == nil || blk.Type != "CERTIFICATE REQUEST" {
		t.Fatalf("keygen printed %q", out.String())
	}
	csr, err := x509.ParseCertificateRequest(blk.Bytes)
	if err != nil || csr.Subject.CommonName != "line-1@91350100M000100Y43" || csr.CheckSignature() != nil {
		t.Fatalf("CSR %v %v", csr, err)
	}
	if st, err := os.Stat(keyFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file %v %v", st, err)
	}
	if code := run(context.Background(), []string{"keygen", "-key", keyFile, "-name", "x@y"}, e); code == exitOK {
		t.Fatal("keygen overwrote an existing key file")
	}
	digest := sha256.Sum256([]byte("proposal"))
	out.Reset()
	if code := run(context.Background(), []string{"sign", "-key", keyFile, base64.StdEncoding.EncodeToString(digest[:])}, e); code != exitOK {
		t.Fatalf("sign exit %d: %s", code, errOut.String())
	}
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(out.String()))
	if err != nil {
		t.Fatal(err)
	}
	if !ecdsa.VerifyASN1(csr.PublicKey.(*ecdsa.PublicKey), digest[:], sig) {
		t.Fatal("the signature does not verify with the CSR's key")
	}
	if code := run(context.Background(), []string{"sign", "-key", keyFile, "not base64!"}, e); code != exitInvalid {
		t.Fatalf("a bad digest: exit %d", code)
	}
}
