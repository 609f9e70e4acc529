package main

import (
	"encoding/json"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idchain/idchain/profile"
)

// keysFixture is a run directory with a two-user profile.
type keysFixture struct {
	dir, profile, env string
}

func newKeysFixture(t *testing.T) keysFixture {
	t.Helper()
	dir := t.TempDir()
	f := keysFixture{dir: dir, profile: filepath.Join(dir, "profile.json"), env: filepath.Join(dir, "env")}
	f.writeProfile(t, "qa")
	return f
}

func (f keysFixture) writeProfile(t *testing.T, makerRole string) {
	t.Helper()
	p := profile.Profile{Channel: "idchain", Chaincode: "idchain", Orgs: []profile.Org{
		{MSPID: "MakerMSP", Users: []profile.User{{Name: "maker-operator", Role: "operator"}, {Name: "maker-qa", Role: makerRole}}},
	}}
	b, _ := json.Marshal(p)
	if err := os.WriteFile(f.profile, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// networkUp rewrites the env file as network/network.sh up does.
func (f keysFixture) networkUp(t *testing.T) {
	t.Helper()
	if err := os.WriteFile(f.env, []byte("# written by network up\nIDCHAIN_PROFILE="+f.profile+"\nIDCHAIN_API=http://127.0.0.1:8080\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// keys runs `idchain-api keys` and returns the env file's keys.
func (f keysFixture) keys(t *testing.T) map[string]string {
	t.Helper()
	args := []string{"idchain-api", "keys", "-profile", f.profile, "-env", f.env, "-out", filepath.Join(f.dir, "api", "keys.json")}
	if err := run(t.Context(), args, func(string) string { return "" }, io.Discard); err != nil {
		t.Fatal(err)
	}
	vars, err := profile.ReadEnvFile(f.env)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for k, v := range vars {
		if strings.HasPrefix(k, "IDCHAIN_KEY_") {
			got[k] = v
		}
	}
	return got
}

func TestKeysSurviveNetworkUp(t *testing.T) {
	f := newKeysFixture(t)
	f.networkUp(t)
	first := f.keys(t)
	if len(first) != 2 || first["IDCHAIN_KEY_MAKER_OPERATOR"] == "" || first["IDCHAIN_KEY_MAKER_QA"] == "" {
		t.Fatalf("keys %v, want one per user", first)
	}
	if again := f.keys(t); !maps.Equal(again, first) {
		t.Fatalf("a second run changed the keys: %v → %v", first, again)
	}
	f.networkUp(t) // the env file loses its keys
	if after := f.keys(t); !maps.Equal(after, first) {
		t.Fatalf("keys changed after network up: %v → %v", first, after)
	}
	st, err := os.Stat(filepath.Join(f.dir, "api", "keys.env"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key store: %v, mode %v, want 0600", err, st.Mode())
	}
	// A changed identity gets a new key; the others keep theirs.
	f.writeProfile(t, "admin")
	f.networkUp(t)
	changed := f.keys(t)
	if changed["IDCHAIN_KEY_MAKER_OPERATOR"] != first["IDCHAIN_KEY_MAKER_OPERATOR"] || changed["IDCHAIN_KEY_MAKER_QA"] == first["IDCHAIN_KEY_MAKER_QA"] {
		t.Fatalf("after maker-qa's role changed: %v (before %v)", changed, first)
	}
	hashes, err := loadKeyHashes(filepath.Join(f.dir, "api", "keys.json"))
	if err != nil || len(hashes) != 2 {
		t.Fatalf("hash file: %v %v", hashes, err)
	}
}

func TestKeysAdoptKeysIssuedBeforeTheStore(t *testing.T) {
	f := newKeysFixture(t)
	f.networkUp(t)
	env, _ := os.ReadFile(f.env)
	if err := os.WriteFile(f.env, append(env, "IDCHAIN_KEY_MAKER_QA=idk_old\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := f.keys(t); got["IDCHAIN_KEY_MAKER_QA"] != "idk_old" {
		t.Fatalf("maker-qa's existing key was replaced: %v", got)
	}
}
