package profile

import (
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-gateway/pkg/hash"
	"github.com/hyperledger/fabric-gateway/pkg/identity"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/resolver/manual"
)

// Timeouts of a gateway connection. Every call gets one; the request context
// may end it sooner.
type Timeouts struct {
	Evaluate     time.Duration
	Endorse      time.Duration
	Submit       time.Duration
	CommitStatus time.Duration
}

// DefaultTimeouts suit a loaded 2-core dev machine: commit waits include the
// BatchTimeout and validation on every peer.
var DefaultTimeouts = Timeouts{
	Evaluate:     10 * time.Second,
	Endorse:      30 * time.Second,
	Submit:       15 * time.Second,
	CommitStatus: 60 * time.Second,
}

// Dial opens a gRPC client connection to a peer, trusting the peer's TLS CA
// from the profile. The connection is lazy: errors show on first use.
func Dial(peer Peer) (*grpc.ClientConn, error) {
	pem, err := os.ReadFile(peer.TLSCACert)
	if err != nil {
		return nil, fmt.Errorf("peer %s TLS CA: %w", peer.Name, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("peer %s TLS CA %s: no certificate found", peer.Name, peer.TLSCACert)
	}
	creds := credentials.NewClientTLSFromCert(pool, peer.HostOverride)
	conn, err := grpc.NewClient(peer.Address, grpc.WithTransportCredentials(creds))
	if err != nil {
		return nil, fmt.Errorf("dial peer %s: %w", peer.Name, err)
	}
	return conn, nil
}

// DialOrg opens one gRPC client connection to all of an org's peers
// (org.Peers, the gateway peer first): it uses the first reachable one in
// that order and moves to the next when its peer stops (pick_first over a
// fixed address list), so a client of the org's gateway fails over to the
// org's second peer. With a single peer it is Dial(org.Peer).
func DialOrg(org Org) (*grpc.ClientConn, error) {
	peers := orgPeers(org)
	if len(peers) == 1 {
		return Dial(peers[0])
	}
	pool := x509.NewCertPool()
	addrs := make([]resolver.Address, 0, len(peers))
	for _, peer := range peers {
		pem, err := os.ReadFile(peer.TLSCACert)
		if err != nil {
			return nil, fmt.Errorf("peer %s TLS CA: %w", peer.Name, err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("peer %s TLS CA %s: no certificate found", peer.Name, peer.TLSCACert)
		}
		name := peer.HostOverride
		if name == "" {
			name, _, _ = net.SplitHostPort(peer.Address)
		}
		addrs = append(addrs, resolver.Address{Addr: peer.Address, ServerName: name})
	}
	r := manual.NewBuilderWithScheme("idchain-org")
	r.InitialState(resolver.State{Addresses: addrs})
	conn, err := grpc.NewClient(r.Scheme()+":///"+org.Name, grpc.WithResolvers(r),
		grpc.WithTransportCredentials(credentials.NewClientTLSFromCert(pool, "")))
	if err != nil {
		return nil, fmt.Errorf("dial org %s peers: %w", org.Name, err)
	}
	return conn, nil
}

// orgPeers is org.Peers with the gateway peer first (org.Peer alone when the
// profile lists no peers).
func orgPeers(org Org) []Peer {
	out := []Peer{org.Peer}
	for _, p := range org.Peers {
		if p.Address != org.Peer.Address {
			out = append(out, p)
		}
	}
	return out
}

// Signer loads a user's X.509 identity and signing function.
func Signer(mspID string, u User) (*identity.X509Identity, identity.Sign, error) {
	certPEM, err := os.ReadFile(u.Cert)
	if err != nil {
		return nil, nil, fmt.Errorf("user %s certificate: %w", u.Name, err)
	}
	cert, err := identity.CertificateFromPEM(certPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("user %s certificate: %w", u.Name, err)
	}
	id, err := identity.NewX509Identity(mspID, cert)
	if err != nil {
		return nil, nil, fmt.Errorf("user %s identity: %w", u.Name, err)
	}
	keyPEM, err := os.ReadFile(u.Key)
	if err != nil {
		return nil, nil, fmt.Errorf("user %s key: %w", u.Name, err)
	}
	key, err := identity.PrivateKeyFromPEM(keyPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("user %s key: %w", u.Name, err)
	}
	sign, err := identity.NewPrivateKeySign(key)
	if err != nil {
		return nil, nil, fmt.Errorf("user %s signer: %w", u.Name, err)
	}
	return id, sign, nil
}

// Connect returns a gateway acting as user u of org mspID over conn, with
// every timeout set.
func Connect(conn grpc.ClientConnInterface, mspID string, u User, t Timeouts) (*client.Gateway, error) {
	id, sign, err := Signer(mspID, u)
	if err != nil {
		return nil, err
	}
	gw, err := connect(conn, id, sign, t)
	if err != nil {
		return nil, fmt.Errorf("connect gateway for %s: %w", u.Name, err)
	}
	return gw, nil
}

// ConnectKey returns a gateway acting as the holder of cert and key (an
// identity enrolled at run time) of org mspID over conn.
func ConnectKey(conn grpc.ClientConnInterface, mspID string, cert *x509.Certificate, key crypto.PrivateKey, t Timeouts) (*client.Gateway, error) {
	id, err := identity.NewX509Identity(mspID, cert)
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	sign, err := identity.NewPrivateKeySign(key)
	if err != nil {
		return nil, fmt.Errorf("signer: %w", err)
	}
	return connect(conn, id, sign, t)
}

// connect is client.Connect with SHA-256 and every timeout of t.
func connect(conn grpc.ClientConnInterface, id identity.Identity, sign identity.Sign, t Timeouts) (*client.Gateway, error) {
	return client.Connect(id,
		client.WithSign(sign),
		client.WithHash(hash.SHA256),
		client.WithClientConnection(conn),
		client.WithEvaluateTimeout(t.Evaluate),
		client.WithEndorseTimeout(t.Endorse),
		client.WithSubmitTimeout(t.Submit),
		client.WithCommitStatusTimeout(t.CommitStatus),
	)
}

// Session is one user's gateway connection to a peer.
type Session struct {
	Org     Org
	User    User
	Peer    Peer
	Conn    *grpc.ClientConn
	Gateway *client.Gateway
	profile *Profile
}

// Open connects the named user through the gateway peer of the user's org.
func (p *Profile) Open(userName string, t Timeouts) (*Session, error) {
	org, _, err := p.User(userName)
	if err != nil {
		return nil, err
	}
	return p.OpenAt(org.Peer, userName, t)
}

// OpenAt connects the named user through a given peer (any org's).
func (p *Profile) OpenAt(peer Peer, userName string, t Timeouts) (*Session, error) {
	org, u, err := p.User(userName)
	if err != nil {
		return nil, err
	}
	conn, err := Dial(peer)
	if err != nil {
		return nil, err
	}
	gw, err := Connect(conn, org.MSPID, u, t)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return &Session{Org: org, User: u, Peer: peer, Conn: conn, Gateway: gw, profile: p}, nil
}

// Network returns the profile's channel.
func (s *Session) Network() *client.Network {
	return s.Gateway.GetNetwork(s.profile.Channel)
}

// Contract returns the profile's chaincode on its channel.
func (s *Session) Contract() *client.Contract {
	return s.Network().GetContract(s.profile.Chaincode)
}

// SubmitCommitted submits fn with args and waits for its commit; a
// transaction that committed invalid is an error naming its status.
func (s *Session) SubmitCommitted(ctx context.Context, fn string, args ...string) ([]byte, *client.Status, error) {
	result, commit, err := s.Contract().SubmitAsync(fn, client.WithArguments(args...))
	if err != nil {
		return nil, nil, err
	}
	st, err := commit.StatusWithContext(ctx)
	if err != nil {
		return nil, nil, err
	}
	if !st.Successful {
		return nil, st, fmt.Errorf("transaction %s committed with status %s", st.TransactionID, st.Code)
	}
	return result, st, nil
}

// Close releases the gateway and the connection.
func (s *Session) Close() error {
	s.Gateway.Close()
	return s.Conn.Close()
}
