package ledger

import (
	"crypto/ecdsa"
	"fmt"
	"sync"

	"github.com/idchain/idchain/profile"
)

// dynamicUsers are identities enrolled while the API runs (enterprise users
// created through the API), next to the profile's fixed users.
type dynamicUsers struct {
	mu    sync.RWMutex
	users map[string]*user
}

func (d *dynamicUsers) get(name string) (*user, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	u, ok := d.users[name]
	return u, ok
}

func (d *dynamicUsers) closeAll() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, u := range d.users {
		u.gw.Close()
	}
	d.users = nil
}

// AddUser makes an identity enrolled at runtime available for calls as
// name: it signs with key through mspID's gateway peer. Replacing a name of
// the profile is refused.
func (f *Fabric) AddUser(name, mspID string, certPEM []byte, key *ecdsa.PrivateKey) error {
	if _, fixed := f.users[name]; fixed {
		return fmt.Errorf("ledger: %s is a profile user", name)
	}
	conn := -1
	for i, o := range f.profile.Orgs {
		if o.MSPID == mspID && i < len(f.conns) {
			conn = i
		}
	}
	if conn < 0 {
		return fmt.Errorf("ledger: no peer connection for %s", mspID)
	}
	cert, role, err := ParseCert(certPEM)
	if err != nil {
		return err
	}
	gw, err := profile.ConnectKey(f.conns[conn], mspID, cert, key, f.cfg.Timeouts)
	if err != nil {
		return fmt.Errorf("ledger: gateway of %s: %w", name, err)
	}
	network := gw.GetNetwork(f.profile.Channel)
	u := &user{Identity: Identity{Name: name, MSPID: mspID, Role: role, CN: cert.Subject.CommonName},
		gw: gw, network: network, contract: network.GetContract(f.profile.Chaincode)}
	f.dynamic.mu.Lock()
	defer f.dynamic.mu.Unlock()
	if f.dynamic.users == nil {
		f.dynamic.users = map[string]*user{}
	}
	if old, ok := f.dynamic.users[name]; ok {
		old.gw.Close()
	}
	f.dynamic.users[name] = u
	return nil
}

// RemoveUser drops a runtime identity (a revoked user): later calls as name
// fail before reaching Fabric.
func (f *Fabric) RemoveUser(name string) {
	f.dynamic.mu.Lock()
	defer f.dynamic.mu.Unlock()
	if u, ok := f.dynamic.users[name]; ok {
		u.gw.Close()
		delete(f.dynamic.users, name)
	}
}
