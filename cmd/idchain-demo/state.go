package main

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/idchain/idchain/identifier"
)

// demoState remembers the anti-counterfeiting serials the demo issued, so a
// re-run reuses them instead of registering new units. It lives in the
// runtime folder and goes away with `make down`, like the ledger.
type demoState struct {
	Serials map[string][]string `json:"serials"`
	// Keys are the API keys of the enterprise users the demo created
	// (shown once by POST /v1/enterprises/{id}/users), by client user name.
	Keys map[string]string `json:"keys,omitempty"`
}

func loadDemoState(path string) (*demoState, error) {
	st := &demoState{Serials: map[string][]string{}, Keys: map[string]string{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, st); err != nil {
		return nil, err
	}
	if st.Serials == nil {
		st.Serials = map[string][]string{}
	}
	if st.Keys == nil {
		st.Keys = map[string]string{}
	}
	return st, nil
}

// serials returns n serials for line, issuing (unguessable, with a check
// character) the ones not issued yet.
func (s *demoState) serials(line string, n int) []string {
	for len(s.Serials[line]) < n {
		s.Serials[line] = append(s.Serials[line], identifier.NewSerial())
	}
	return s.Serials[line][:n]
}

func (s *demoState) save(path string) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	// 0600: the file holds the enterprise users' API keys.
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
