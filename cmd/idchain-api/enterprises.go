package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/redis/go-redis/v9"

	"google.golang.org/grpc"

	"github.com/idchain/idchain/accounts"
	"github.com/idchain/idchain/chanconfig"
	"github.com/idchain/idchain/fabricca"
	"github.com/idchain/idchain/gateway-api/httpapi"
	"github.com/idchain/idchain/gateway-api/ledger"
	"github.com/idchain/idchain/offline"
	"github.com/idchain/idchain/profile"
)

// newEnterprises wires enterprise user management (issue 15): a Fabric CA
// client per org whose registrar the network scripts keep beside the CA
// (crypto/<org>/registrar/msp), the account store (accountStore), CRL
// publication through the org admin's channel config update, and the
// accounts' identities connected to fab when first used (Ensure), so a
// user created through another replica sharing the store works here too.
// Orgs without registrar material get no user management.
func newEnterprises(prof *profile.Profile, fab *ledger.Fabric, store accounts.Store, serviceUser string, log *slog.Logger) (httpapi.EnterpriseDeps, func(), error) {
	cas := map[string]accounts.CA{}
	admins := map[string]profile.User{}
	for _, org := range prof.Orgs {
		for _, u := range org.Users {
			if u.Type == "admin" {
				admins[org.MSPID] = u
				break
			}
		}
		reg, err := fabricca.LoadMSP(filepath.Join(filepath.Dir(filepath.Dir(org.CA.TLSCACert)), "registrar", "msp"))
		if err != nil {
			log.Warn("no CA registrar: enterprise users of this org cannot be managed", "org", org.MSPID, "err", err)
			continue
		}
		tlsCA, err := os.ReadFile(org.CA.TLSCACert)
		if err != nil {
			return httpapi.EnterpriseDeps{}, nil, fmt.Errorf("CA of %s: %w", org.MSPID, err)
		}
		c, err := fabricca.New(fabricca.Config{URL: org.CA.URL, TLSCACert: tlsCA, Registrar: reg})
		if err != nil {
			return httpapi.EnterpriseDeps{}, nil, fmt.Errorf("CA of %s: %w", org.MSPID, err)
		}
		cas[org.MSPID] = c
	}
	if len(prof.Orderers) == 0 {
		return httpapi.EnterpriseDeps{}, nil, fmt.Errorf("profile has no orderer")
	}
	o := prof.Orderers[0]
	oconn, err := profile.Dial(profile.Peer{Name: o.Name, Address: o.Address, TLSCACert: o.TLSCACert})
	if err != nil {
		return httpapi.EnterpriseDeps{}, nil, err
	}
	publish := func(ctx context.Context, mspID string, crl []byte) error {
		return publishCRL(ctx, prof, fab, oconn, admins[mspID], mspID, crl)
	}
	mgr := accounts.New(store, cas, publish)
	mgr.OnError = func(op string, err error) { log.Warn("account store", "op", op, "err", err) }
	conn := connector{fab: fab, mgr: mgr, connected: map[string]bool{}}
	// Offline signing: a flow per org through the org's gateway peer; commits
	// are awaited with the service identity.
	status, err := fab.Network(serviceUser)
	if err != nil {
		oconn.Close()
		return httpapi.EnterpriseDeps{}, nil, err
	}
	conns := []*grpc.ClientConn{oconn}
	flows := map[string]*offline.Flow{}
	for _, org := range prof.Orgs {
		c, err := profile.Dial(org.Peer)
		if err != nil {
			log.Warn("no offline signing for this org", "org", org.MSPID, "err", err)
			continue
		}
		conns = append(conns, c)
		flows[org.MSPID] = &offline.Flow{Conn: c, Channel: prof.Channel, Chaincode: prof.Chaincode, Status: status}
	}
	deps := httpapi.EnterpriseDeps{Accounts: mgr, Connect: conn.connect, Disconnect: conn.disconnect, Ensure: conn.ensure,
		Offline: func(org string) *offline.Flow { return flows[org] }}
	return deps, func() {
		for _, c := range conns {
			c.Close()
		}
	}, nil
}

// publishCRL puts an org's CRL into its MSP on the channel, signed by the
// org's admin, and waits until the admin's peer has the new config.
func publishCRL(ctx context.Context, prof *profile.Profile, fab *ledger.Fabric, oconn grpc.ClientConnInterface, admin profile.User, mspID string, crl []byte) error {
	if admin.Name == "" {
		return fmt.Errorf("no admin of %s in the profile to sign the config update", mspID)
	}
	signer, err := fabricca.LoadFiles(admin.Cert, admin.Key)
	if err != nil {
		return err
	}
	network, err := fab.Network(admin.Name)
	if err != nil {
		return err
	}
	fetch := func(ctx context.Context) ([]byte, error) {
		return network.GetContract("cscc").EvaluateTransaction("GetConfigBlock", prof.Channel)
	}
	return chanconfig.AddCRL(ctx, fetch, oconn, chanconfig.Admin{MSPID: mspID, CertPEM: signer.CertPEM,
		Sign: func(m []byte) ([]byte, error) { return fabricca.SignLowS(signer.Key, m) }}, mspID, crl)
}

// connector keeps which custodial accounts' identities this process has
// connected to the Ledger.
type connector struct {
	fab       *ledger.Fabric
	mgr       *accounts.Manager
	mu        sync.Mutex
	connected map[string]bool
}

func (c *connector) connect(a accounts.Account, s *fabricca.Signer) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.addLocked(a, s)
}

func (c *connector) addLocked(a accounts.Account, s *fabricca.Signer) error {
	if err := c.fab.AddUser(a.Name, a.Org, s.CertPEM, s.Key); err != nil {
		return err
	}
	c.connected[a.Name] = true
	return nil
}

// ensure connects a live custodial account on its first use in this
// process (its enrollment key from the store). The check and the connect
// hold one lock: two first requests of one account at once would otherwise
// both connect it, and the second connect closes the first's gateway while
// it is in use.
func (c *connector) ensure(a accounts.Account) error {
	if a.External {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.connected[a.Name] {
		return nil
	}
	s, err := c.mgr.Signer(a)
	if err != nil {
		return err
	}
	return c.addLocked(a, s)
}

func (c *connector) disconnect(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fab.RemoveUser(name)
	delete(c.connected, name)
}

// accountStore opens the configured account store: the directory, or
// Redis (rdb) with the enrollment keys sealed under the KEK file.
func accountStore(cfg config, rdb redis.UniversalClient) (accounts.Store, error) {
	if cfg.accountsStore != "redis" {
		return accounts.OpenDir(cfg.accounts)
	}
	kek, err := accounts.ReadKEK(cfg.accountsKEK)
	if err != nil {
		return nil, err
	}
	return accounts.NewRedisStore(rdb, kek)
}
