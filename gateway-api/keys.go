package main

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/idchain/idchain/gateway-api/httpapi"
	"github.com/idchain/idchain/network/profile"
)

// loadKeyHashes reads the key file: {"<hex sha256 of key>": "<user>"}.
func loadKeyHashes(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("API key file: %w (run `idchain-api keys` or scripts/api-up.sh)", err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("API key file %s: %w", path, err)
	}
	return m, nil
}

// KeyVar is the env variable holding a user's API key:
// maker-operator → IDCHAIN_KEY_MAKER_OPERATOR.
func KeyVar(user string) string {
	return "IDCHAIN_KEY_" + strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(user))
}

// runKeys issues a random API key to every user of the profile that has
// none in the env file yet, (re)writes the env file's IDCHAIN_API line and
// writes the hash file the server reads. Keys already issued are kept, so
// it is idempotent. Only hashes are written outside the env file.
func runKeys(args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("keys", flag.ContinueOnError)
	fs.SetOutput(stdout)
	profilePath := fs.String("profile", envOr(getenv, "IDCHAIN_PROFILE", "network/.run/profile.json"), "network profile")
	envPath := fs.String("env", "network/.run/env", "shell env file to hold the keys")
	out := fs.String("out", envOr(getenv, "IDCHAIN_API_KEYS", "network/.run/api/keys.json"), "hash file for the server")
	apiURL := fs.String("api-url", "http://127.0.0.1:8080", "value of IDCHAIN_API")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	p, err := profile.Load(*profilePath)
	if err != nil {
		return err
	}
	lines, err := readLines(*envPath)
	if err != nil {
		return err
	}
	have := map[string]string{}
	var kept []string
	for _, l := range lines {
		name, val, ok := strings.Cut(l, "=")
		switch {
		case ok && name == "IDCHAIN_API":
			continue // rewritten below
		case ok && strings.HasPrefix(name, "IDCHAIN_KEY_"):
			have[name] = val
		}
		kept = append(kept, l)
	}
	kept = append(kept, "IDCHAIN_API="+*apiURL)
	hashes := map[string]string{}
	for _, o := range p.Orgs {
		for _, u := range o.Users {
			v := KeyVar(u.Name)
			key, ok := have[v]
			if !ok {
				var b [24]byte
				if _, err := rand.Read(b[:]); err != nil {
					return err
				}
				key = "idk_" + hex.EncodeToString(b[:])
				kept = append(kept, v+"="+key)
				have[v] = key
			}
			hashes[httpapi.HashKey(key)] = u.Name
		}
	}
	if err := writeFile(*envPath, []byte(strings.Join(kept, "\n")+"\n")); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(hashes, "", "  ")
	if err := writeFile(*out, b); err != nil {
		return err
	}
	names := make([]string, 0, len(hashes))
	for _, n := range hashes {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(stdout, "API keys for %d users in %s (hashes in %s): %s\n", len(names), *envPath, *out, strings.Join(names, " "))
	return nil
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines, sc.Err()
}

// writeFile replaces path atomically, readable by the owner only.
func writeFile(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
