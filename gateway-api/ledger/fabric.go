package ledger

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"google.golang.org/grpc"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/profile"
)

// Config tunes the Fabric access. Zero values take the defaults.
type Config struct {
	Timeouts profile.Timeouts // zero: profile.DefaultTimeouts
	// Attempts bounds tries of a call that fails transiently (MVCC
	// conflict, endorsement or ordering unavailable); default 8.
	Attempts int
	// Backoff is the first retry delay, doubled per attempt up to
	// MaxBackoff (defaults 100ms, 2s), with jitter.
	Backoff, MaxBackoff time.Duration
	Metrics             *Metrics
	// GatewayEndorsers: registrations let the gateway choose their
	// endorsers in its two rounds instead of naming them (Endorsers); for
	// side-by-side comparisons.
	GatewayEndorsers bool
}

func (c *Config) defaults() {
	if c.Timeouts == (profile.Timeouts{}) {
		c.Timeouts = profile.DefaultTimeouts
	}
	if c.Backoff <= 0 {
		c.Backoff = 100 * time.Millisecond
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 2 * time.Second
	}
	if c.Attempts <= 0 {
		c.Attempts = 8
	}
}

// Fabric holds one gRPC connection per org peer and one gateway per user.
type Fabric struct {
	cfg       Config
	profile   *profile.Profile
	conns     []*grpc.ClientConn
	users     map[string]*user
	order     []string // user names in profile order
	commitsMu sync.Mutex
	commits   map[string]time.Time // tx id → commit seen, for listener lag
	heights   *Heights             // nil: AwaitPeers does not wait
	heightGWs []*client.Gateway    // gateways of TrackHeights for orgs without own users
	dynamic   dynamicUsers         // users enrolled at runtime (dynamic.go)
	endorsers *Endorsers           // nil: the gateway plans every endorsement
}

// namedEndorsers are the functions whose endorsing orgs Submit names
// (Endorsers explains the set and why).
var namedEndorsers = map[string]bool{FnRegisterItems: true}

type user struct {
	Identity
	gw       *client.Gateway
	network  *client.Network
	contract *client.Contract
}

// Open connects to every org of the profile (one connection over the org's
// peers, failing over from the gateway peer to the next, profile.DialOrg)
// and creates a gateway per enrolled user. It does not contact the network
// (connections are lazy).
func Open(p *profile.Profile, cfg Config) (*Fabric, error) {
	cfg.defaults()
	f := &Fabric{cfg: cfg, profile: p, users: map[string]*user{}, commits: map[string]time.Time{}}
	if !cfg.GatewayEndorsers {
		var orgs []string
		for _, org := range p.Orgs {
			orgs = append(orgs, org.MSPID)
		}
		f.endorsers = NewEndorsers(orgs)
	}
	for _, org := range p.Orgs {
		conn, err := profile.DialOrg(org)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("org %s: %w", org.MSPID, err)
		}
		f.conns = append(f.conns, conn)
		for _, u := range org.Users {
			if _, dup := f.users[u.Name]; dup {
				f.Close()
				return nil, fmt.Errorf("profile: user %s appears twice", u.Name)
			}
			usr, err := f.connect(org.MSPID, u, conn)
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("user %s: %w", u.Name, err)
			}
			f.users[u.Name] = usr
			f.order = append(f.order, u.Name)
		}
	}
	return f, nil
}

func (f *Fabric) connect(mspID string, u profile.User, conn *grpc.ClientConn) (*user, error) {
	certPEM, err := os.ReadFile(u.Cert)
	if err != nil {
		return nil, err
	}
	cert, role, err := ParseCert(certPEM)
	if err != nil {
		return nil, err
	}
	gw, err := profile.Connect(conn, mspID, u, f.cfg.Timeouts)
	if err != nil {
		return nil, err
	}
	network := gw.GetNetwork(f.profile.Channel)
	return &user{
		Identity: Identity{Name: u.Name, MSPID: mspID, Role: role, CN: cert.Subject.CommonName},
		gw:       gw, network: network, contract: network.GetContract(f.profile.Chaincode),
	}, nil
}

// Close releases every gateway and connection.
func (f *Fabric) Close() {
	for _, u := range f.users {
		u.gw.Close()
	}
	f.dynamic.closeAll()
	for _, gw := range f.heightGWs {
		gw.Close()
	}
	for _, c := range f.conns {
		c.Close()
	}
}

// Identities lists the enrolled users in profile order.
func (f *Fabric) Identities() []Identity {
	out := make([]Identity, 0, len(f.order))
	for _, n := range f.order {
		out = append(out, f.users[n].Identity)
	}
	return out
}

func (f *Fabric) user(name string) (*user, error) {
	u, ok := f.users[name]
	if !ok {
		u, ok = f.dynamic.get(name)
	}
	if !ok {
		return nil, fmt.Errorf("ledger: no enrolled identity for user %q", name)
	}
	return u, nil
}

// Network is the channel as seen through the named user's gateway, for
// event streams kept outside this package (the dashboard counters' feed);
// it shares this process's connections.
func (f *Fabric) Network(userName string) (*client.Network, error) {
	u, err := f.user(userName)
	if err != nil {
		return nil, err
	}
	return u.network, nil
}

// Evaluate runs a query on one peer (of call.Orgs if given) and returns the
// chaincode result. Transient failures are retried.
func (f *Fabric) Evaluate(ctx context.Context, call Call) ([]byte, error) {
	u, err := f.user(call.User)
	if err != nil {
		return nil, err
	}
	var out []byte
	err = f.retry(ctx, call.Fn, func() error {
		p, err := u.contract.NewProposal(call.Fn, proposalOptions(call)...)
		if err != nil {
			return err
		}
		t0 := time.Now()
		out, err = p.EvaluateWithContext(ctx)
		f.cfg.Metrics.observe("evaluate", call.Fn, time.Since(t0).Seconds())
		return err
	})
	return out, mapError(call.Fn, err)
}

// Submit endorses, orders and waits for the commit status of a
// transaction. It reports success only for a valid commit; MVCC conflicts
// and transient endorsement/ordering failures are retried with backoff.
// A registration names its endorsing orgs so they endorse at once
// (Endorsers); if that set fails for a reason other than the chaincode's
// answer or a conflict, it is submitted again with the gateway's plan.
func (f *Fabric) Submit(ctx context.Context, call Call) (Committed, error) {
	u, err := f.user(call.User)
	if err != nil {
		return Committed{}, err
	}
	named := len(call.Orgs) == 0 && namedEndorsers[call.Fn] && f.endorsers != nil
	var out Committed
	err = f.retry(ctx, call.Fn, func() error {
		if named {
			c := call
			c.Orgs = f.endorsers.For(u.MSPID)
			if len(c.Orgs) > 0 {
				var err error
				out, err = f.submitOnce(ctx, u, c)
				if !fallBack(err) || ctx.Err() != nil {
					return err
				}
				f.cfg.Metrics.retry(call.Fn + " (gateway's endorsers)")
			}
			named = false // from now on the gateway's own plan
		}
		var err error
		out, err = f.submitOnce(ctx, u, call)
		return err
	})
	return out, mapError(call.Fn, err)
}

// AwaitPeers waits (at most the max given to TrackHeights) until each org's
// peer has committed block; see Heights. Without TrackHeights it returns at
// once. The API's after-commit path calls it once per write.
func (f *Fabric) AwaitPeers(ctx context.Context, block uint64) {
	if f.heights != nil {
		f.heights.Wait(ctx, block)
	}
}

// TrackHeights starts tracking each org's peer height for AwaitPeers; see
// Heights. The caller runs the returned tracker. Heights streams use the
// first user of each org; an org whose users this process does not hold
// (an API started with -org) is followed over its own connection with the
// identity of the first user it does hold (any channel member may read
// blocks), so a per-org API's writes wait for every org's peer too.
func (f *Fabric) TrackHeights(max time.Duration, log *slog.Logger) *Heights {
	sources := map[string]BlockSource{}
	var heldMSP string
	var held *profile.User
	for _, org := range f.profile.Orgs {
		if len(org.Users) > 0 && held == nil {
			heldMSP, held = org.MSPID, &org.Users[0]
		}
	}
	for i, org := range f.profile.Orgs {
		switch {
		case len(org.Users) > 0:
			sources[org.Peer.Name] = blockSource(f.users[org.Users[0].Name].network)
		case held != nil:
			gw, err := profile.Connect(f.conns[i], heldMSP, *held, f.cfg.Timeouts)
			if err != nil {
				log.Error("peer height not tracked: writes will not wait for it", "peer", org.Peer.Name, "err", err.Error())
				continue
			}
			f.heightGWs = append(f.heightGWs, gw)
			sources[org.Peer.Name] = blockSource(gw.GetNetwork(f.profile.Channel))
		}
	}
	f.heights = NewHeights(sources, max, log, f.cfg.Metrics)
	return f.heights
}

func (f *Fabric) submitOnce(ctx context.Context, u *user, call Call) (Committed, error) {
	p, err := u.contract.NewProposal(call.Fn, proposalOptions(call)...)
	if err != nil {
		return Committed{}, err
	}
	m := f.cfg.Metrics
	t0 := time.Now()
	tx, err := p.EndorseWithContext(ctx)
	t1 := time.Now()
	m.observe("endorse", call.Fn, t1.Sub(t0).Seconds())
	if err != nil {
		return Committed{}, err
	}
	ev, err := endorsedEvent(tx)
	if err != nil {
		return Committed{}, err // before ordering: nothing was written
	}
	commit, err := tx.SubmitWithContext(ctx)
	t2 := time.Now()
	m.observe("submit", call.Fn, t2.Sub(t1).Seconds())
	if err != nil {
		return Committed{}, err
	}
	st, err := commit.StatusWithContext(ctx)
	t3 := time.Now()
	m.observe("commit", call.Fn, t3.Sub(t2).Seconds())
	if err != nil {
		return Committed{}, err
	}
	if !st.Successful {
		return Committed{}, &client.CommitError{TransactionID: st.TransactionID, Code: st.Code}
	}
	f.noteCommit(st.TransactionID, t3)
	return Committed{Result: tx.Result(), TxID: st.TransactionID, Block: st.BlockNumber, At: t3, Event: ev}, nil
}

// endorsedEvent is the chaincode event of an endorsed transaction.
func endorsedEvent(tx *client.Transaction) (domain.ChaincodeEvent, error) {
	b, err := tx.Bytes()
	if err != nil {
		return domain.ChaincodeEvent{}, err
	}
	ev, _, err := TransactionEvent(b)
	return ev, err
}

func proposalOptions(call Call) []client.ProposalOption {
	opts := []client.ProposalOption{client.WithArguments(call.Args...)}
	if len(call.Transient) > 0 {
		opts = append(opts, client.WithTransient(call.Transient))
	}
	if len(call.Orgs) > 0 {
		opts = append(opts, client.WithEndorsingOrganizations(call.Orgs...))
	}
	return opts
}

// retry runs op until it succeeds, fails for good, the attempts run out or
// ctx ends, sleeping with exponential backoff and jitter in between.
func (f *Fabric) retry(ctx context.Context, fn string, op func() error) error {
	delay := f.cfg.Backoff
	for attempt := 1; ; attempt++ {
		err := op()
		if err == nil || attempt >= f.cfg.Attempts || !profile.RetryableCall(err) {
			return err
		}
		f.cfg.Metrics.retry(fn)
		sleep := delay/2 + rand.N(delay/2+1)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(sleep):
		}
		delay = min(2*delay, f.cfg.MaxBackoff)
	}
}

// noteCommit remembers when this process saw a transaction commit, so the
// listener can measure how long its event took (bounded memory).
func (f *Fabric) noteCommit(txID string, at time.Time) {
	f.commitsMu.Lock()
	defer f.commitsMu.Unlock()
	if len(f.commits) >= 10000 {
		clear(f.commits)
	}
	f.commits[txID] = at
}

func (f *Fabric) takeCommit(txID string) (time.Time, bool) {
	f.commitsMu.Lock()
	defer f.commitsMu.Unlock()
	at, ok := f.commits[txID]
	delete(f.commits, txID)
	return at, ok
}
