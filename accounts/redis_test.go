package accounts

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The enrollment key kept in Redis opens only with the replicas' KEK and
// only as the account it was sealed for.
func TestSealedEnrollmentKey(t *testing.T) {
	kek := bytes.Repeat([]byte{7}, 32)
	s, err := NewRedisStore(nil, kek)
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte("-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n")
	sealed, err := s.seal("line-1@X", plain)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("secret")) || bytes.Contains(sealed, []byte("PRIVATE KEY")) {
		t.Fatal("the sealed key shows the plain key")
	}
	if got, err := s.open("line-1@X", sealed); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := s.open("line-2@X", sealed); err == nil {
		t.Fatal("a key sealed for one account opened as another")
	}
	other, _ := NewRedisStore(nil, bytes.Repeat([]byte{8}, 32))
	if _, err := other.open("line-1@X", sealed); err == nil {
		t.Fatal("a key opened with another KEK")
	}
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	if _, err := s.open("line-1@X", tampered); err == nil {
		t.Fatal("a tampered sealed key opened")
	}
	if _, err := NewRedisStore(nil, kek[:16]); err == nil {
		t.Fatal("a 16-byte KEK was accepted")
	}
}

func TestReadKEK(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "kek")
	hexKey := strings.Repeat("ab", 32)
	if err := os.WriteFile(good, []byte(hexKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if k, err := ReadKEK(good); err != nil || len(k) != 32 || k[0] != 0xab {
		t.Fatalf("ReadKEK: %x %v", k, err)
	}
	open := filepath.Join(dir, "kek-open")
	if err := os.WriteFile(open, []byte(hexKey), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadKEK(open); err == nil {
		t.Fatal("a KEK readable by others was accepted")
	}
	short := filepath.Join(dir, "kek-short")
	if err := os.WriteFile(short, []byte("abcd"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadKEK(short); err == nil {
		t.Fatal("a short KEK was accepted")
	}
}
