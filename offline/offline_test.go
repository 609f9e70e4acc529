package offline

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"math/big"
	"testing"
)

func TestSignDigest(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte("proposal bytes"))
	half := new(big.Int).Rsh(key.Curve.Params().N, 1)
	for range 40 {
		sig, err := SignDigest(key, digest[:])
		if err != nil {
			t.Fatal(err)
		}
		if !ecdsa.VerifyASN1(&key.PublicKey, digest[:], sig) {
			t.Fatal("signature does not verify over the digest as given (it must not be hashed again)")
		}
		var rs struct{ R, S *big.Int }
		if _, err := asn1.Unmarshal(sig, &rs); err != nil || rs.S.Cmp(half) > 0 {
			t.Fatalf("high S or bad ASN.1: %v", err)
		}
	}
	if _, err := SignDigest(key, []byte("short")); err == nil {
		t.Fatal("a digest of the wrong length was signed")
	}
}
