package accounts

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/idchain/idchain/domain"
)

// Store keeps the account records, the key-hash index and the enrollment
// keys of custodial users. DirStore is one process's directory; RedisStore
// is shared by every API replica.
type Store interface {
	// Add stores a new account and, for a custodial user, its enrollment
	// key (PEM); CONFLICT when the name is taken.
	Add(ctx context.Context, a Account, keyPEM []byte) error
	// Revoke marks the account revoked at at and drops its key hash from
	// the index in one step; first reports whether this call revoked it.
	// NOT_FOUND for an unknown name.
	Revoke(ctx context.Context, name string, at time.Time) (a Account, first bool, err error)
	// ByKeyHash returns the live account of a key hash.
	ByKeyHash(ctx context.Context, hash string) (Account, bool, error)
	ByName(ctx context.Context, name string) (Account, bool, error)
	// List returns the accounts of an enterprise; Live every account not
	// revoked (both in any order).
	List(ctx context.Context, enterprise string) ([]Account, error)
	Live(ctx context.Context) ([]Account, error)
	// Key returns the enrollment key (PEM) of a custodial account;
	// DropKey deletes it.
	Key(ctx context.Context, name string) ([]byte, error)
	DropKey(ctx context.Context, name string) error
}

// DirStore keeps accounts in one directory (0700): a JSON record per
// account and its enrollment key as a 0600 PEM file, indexed in memory at
// open. Only the process that opened it sees later changes: one API
// process per directory.
type DirStore struct {
	dir    string
	mu     sync.RWMutex
	byName map[string]*Account
	byHash map[string]*Account
}

// OpenDir loads the accounts kept in dir (created 0700 if missing).
func OpenDir(dir string) (*DirStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	s := &DirStore{dir: dir, byName: map[string]*Account{}, byHash: map[string]*Account{}}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("accounts: %w", err)
		}
		var a Account
		if err := json.Unmarshal(b, &a); err != nil {
			return nil, fmt.Errorf("accounts: %s: %w", f, err)
		}
		s.index(&a)
	}
	return s, nil
}

func (s *DirStore) index(a *Account) {
	s.byName[a.Name] = a
	if !a.Revoked() {
		s.byHash[a.KeyHash] = a
	}
}

func (s *DirStore) Add(_ context.Context, a Account, keyPEM []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byName[a.Name]; ok {
		return domain.Errorf(domain.CodeConflict, "user %s exists", a.Name)
	}
	if keyPEM != nil {
		if err := writeFile(s.path(a.Name, ".key"), keyPEM); err != nil {
			return err
		}
	}
	if err := s.save(&a); err != nil {
		return err
	}
	s.index(&a)
	return nil
}

func (s *DirStore) Revoke(_ context.Context, name string, at time.Time) (Account, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.byName[name]
	if !ok {
		return Account{}, false, domain.Errorf(domain.CodeNotFound, "user %s does not exist", name)
	}
	if a.Revoked() {
		return *a, false, nil
	}
	delete(s.byHash, a.KeyHash)
	a.RevokedAt = at
	return *a, true, s.save(a)
}

func (s *DirStore) ByKeyHash(_ context.Context, hash string) (Account, bool, error) {
	return s.lookup(s.byHash, hash)
}

func (s *DirStore) ByName(_ context.Context, name string) (Account, bool, error) {
	return s.lookup(s.byName, name)
}

// lookup reads a copy of index[k] under the read lock.
func (s *DirStore) lookup(index map[string]*Account, k string) (Account, bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := index[k]
	if !ok {
		return Account{}, false, nil
	}
	return *a, true, nil
}

func (s *DirStore) List(_ context.Context, enterprise string) ([]Account, error) {
	return s.collect(func(a *Account) bool { return a.Enterprise == enterprise }), nil
}

func (s *DirStore) Live(context.Context) ([]Account, error) {
	return s.collect(func(a *Account) bool { return !a.Revoked() }), nil
}

func (s *DirStore) collect(keep func(*Account) bool) []Account {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Account
	for _, a := range s.byName {
		if keep(a) {
			out = append(out, *a)
		}
	}
	return out
}

func (s *DirStore) Key(_ context.Context, name string) ([]byte, error) {
	b, err := os.ReadFile(s.path(name, ".key"))
	if err != nil {
		return nil, fmt.Errorf("accounts: key of %s: %w", name, err)
	}
	return b, nil
}

func (s *DirStore) DropKey(_ context.Context, name string) error {
	if err := os.Remove(s.path(name, ".key")); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("accounts: %w", err)
	}
	return nil
}

// save writes an account record; the caller holds s.mu.
func (s *DirStore) save(a *Account) error {
	b, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	return writeFile(s.path(a.Name, ".json"), b)
}

// path maps an account name to its file (the USCC and user name hold only
// [A-Za-z0-9._-] and '@').
func (s *DirStore) path(name, ext string) string {
	return filepath.Join(s.dir, strings.ReplaceAll(name, "@", "_at_")+ext)
}

// writeFile writes atomically with mode 0600.
func writeFile(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	return nil
}

// byAccountName sorts accounts by name.
func byAccountName(out []Account) []Account {
	slices.SortFunc(out, func(x, y Account) int { return strings.Compare(x.Name, y.Name) })
	return out
}
