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
	"github.com/idchain/idchain/profile"
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

// runKeys gives every user of the profile an API key, (re)writes the env
// file's IDCHAIN_API and IDCHAIN_KEY_* lines and writes the hash file the
// server reads. Plain keys are also kept in a store beside the hash file
// (keys.env, 0600), since network up rewrites the env file: a user keeps
// its key while its identity (MSP ID and role) is unchanged, so keys held
// by users survive a restart. Only hashes are written outside those files.
func runKeys(args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("keys", flag.ContinueOnError)
	fs.SetOutput(stdout)
	profilePath := fs.String("profile", envOr(getenv, "IDCHAIN_PROFILE", "network/.run/profile.json"), "network profile")
	envPath := fs.String("env", "network/.run/env", "shell env file to hold the keys")
	out := fs.String("out", envOr(getenv, "IDCHAIN_API_KEYS", "network/.run/api/keys.json"), "hash file for the server")
	store := fs.String("store", "", "plain key store kept across network restarts (default keys.env beside -out)")
	apiURL := fs.String("api-url", "http://127.0.0.1:8080", "value of IDCHAIN_API")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *store == "" {
		*store = filepath.Join(filepath.Dir(*out), "keys.env")
	}
	p, err := profile.Load(*profilePath)
	if err != nil {
		return err
	}
	lines, err := readLines(*envPath)
	if err != nil {
		return err
	}
	stored, err := readLines(*store)
	if err != nil {
		return err
	}
	kept, inEnv := splitKeyLines(lines)
	_, inStore := splitKeyLines(stored)
	kept = append(kept, "IDCHAIN_API="+*apiURL)
	storeLines := []string{"# Plain API keys issued by `idchain-api keys`; kept while a user's identity (" + identVar("USER") + ") is unchanged."}
	hashes := map[string]string{}
	issued := 0
	for _, o := range p.Orgs {
		for _, u := range o.Users {
			v, iv, ident := profile.KeyVar(u.Name), identVar(u.Name), o.MSPID+"/"+u.Role
			key := ""
			switch {
			case inStore[v] != "" && inStore[iv] == ident:
				key = inStore[v]
			case inEnv[v] != "" && inStore[iv] == "":
				key = inEnv[v] // issued before the store existed
			}
			if key == "" {
				var b [24]byte
				if _, err := rand.Read(b[:]); err != nil {
					return err
				}
				key = "idk_" + hex.EncodeToString(b[:])
				issued++
			}
			kept = append(kept, v+"="+key)
			storeLines = append(storeLines, v+"="+key, iv+"="+ident)
			hashes[httpapi.HashKey(key)] = u.Name
		}
	}
	if err := writeFile(*store, []byte(strings.Join(storeLines, "\n")+"\n")); err != nil {
		return err
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
	fmt.Fprintf(stdout, "API keys for %d users (%d new) in %s (hashes in %s): %s\n", len(names), issued, *envPath, *out, strings.Join(names, " "))
	return nil
}

// identVar names the store line holding a user's identity (MSP/role).
func identVar(user string) string {
	return "IDCHAIN_KEYID_" + strings.TrimPrefix(profile.KeyVar(user), "IDCHAIN_KEY_")
}

// splitKeyLines separates KEY=value lines of keys and identities
// (IDCHAIN_KEY_*, IDCHAIN_KEYID_*) and IDCHAIN_API from the other lines.
func splitKeyLines(lines []string) (other []string, vals map[string]string) {
	vals = map[string]string{}
	for _, l := range lines {
		name, val, ok := strings.Cut(l, "=")
		if ok && (name == "IDCHAIN_API" || strings.HasPrefix(name, "IDCHAIN_KEY")) {
			vals[name] = val
			continue
		}
		other = append(other, l)
	}
	return other, vals
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
