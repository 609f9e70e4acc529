// Package profile reads network/.run/profile.json, the description of a
// running idchain Fabric network written by network/network.sh, and connects
// fabric-gateway clients to it. It is used by integration tests, benchmarks
// and tools, and the API's ledger client; it depends only on fabric-gateway,
// gRPC and the pure domain package. retry.go holds the one classification
// of Fabric errors worth retrying (IsTransient for connectivity,
// RetryableCall for a whole evaluate/submit).
package profile

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Profile describes a running network. The JSON shape is documented in
// docs/network.md.
type Profile struct {
	Channel      string    `json:"channel"`
	Chaincode    string    `json:"chaincode"`
	RedisURL     string    `json:"redisUrl"`
	Orgs         []Org     `json:"orgs"`
	Orderers     []Orderer `json:"orderers"`
	OrdererAdmin KeyPair   `json:"ordererAdmin"`
}

// Org is one peer organisation.
type Org struct {
	MSPID           string `json:"mspId"`
	Name            string `json:"name"`
	DisplayName     string `json:"displayName"`
	Peer            Peer   `json:"peer"`  // the org's gateway peer
	Peers           []Peer `json:"peers"` // all peers of the org, Peer first
	CA              CA     `json:"ca"`
	ChaincodeServer string `json:"chaincodeServer"`
	Users           []User `json:"users"`
}

// Peer is a peer's client endpoint.
type Peer struct {
	Name         string `json:"name"`
	Address      string `json:"address"`
	HostOverride string `json:"hostOverride"` // TLS server name when it differs from the address host
	TLSCACert    string `json:"tlsCACert"`
	Operations   string `json:"operations"` // host:port of the HTTP operations endpoint
}

// CA is the org's Fabric CA.
type CA struct {
	Name      string `json:"name"`
	URL       string `json:"url"`
	TLSCACert string `json:"tlsCACert"`
}

// User is an enrolled identity; Role is its idchain.role attribute ("" for none).
type User struct {
	Name string `json:"name"`
	Role string `json:"role"`
	Type string `json:"type"`
	Cert string `json:"cert"`
	Key  string `json:"key"`
}

// Orderer is one ordering node.
type Orderer struct {
	Name       string `json:"name"`
	Address    string `json:"address"`
	Admin      string `json:"admin"`      // channel participation API (mutual TLS)
	Operations string `json:"operations"` // HTTP operations endpoint
	TLSCACert  string `json:"tlsCACert"`
}

// KeyPair is a certificate and private key file.
type KeyPair struct {
	Cert string `json:"cert"`
	Key  string `json:"key"`
}

// ErrNotFound is returned when a named org, user or node is not in the profile.
var ErrNotFound = errors.New("not in profile")

// Load reads a profile file.
func Load(path string) (*Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read profile: %w", err)
	}
	var p Profile
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("parse profile %s: %w", path, err)
	}
	if p.Channel == "" || p.Chaincode == "" || len(p.Orgs) == 0 {
		return nil, fmt.Errorf("profile %s: channel, chaincode and orgs are required", path)
	}
	return &p, nil
}

// Path finds the profile: $IDCHAIN_PROFILE if set, else network/.run/profile.json
// in the first ancestor of the working directory that has one.
func Path(getenv func(string) string) (string, error) {
	if p := getenv("IDCHAIN_PROFILE"); p != "" {
		return p, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		candidate := filepath.Join(dir, "network", ".run", "profile.json")
		if _, err := os.Stat(candidate); err == nil {
			return candidate, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no network/.run/profile.json above the working directory: %w", ErrNotFound)
		}
		dir = parent
	}
}

// Org returns the org with the given MSP id or short name.
func (p *Profile) Org(nameOrMSP string) (Org, error) {
	for _, o := range p.Orgs {
		if o.Name == nameOrMSP || o.MSPID == nameOrMSP {
			return o, nil
		}
	}
	return Org{}, fmt.Errorf("org %q: %w", nameOrMSP, ErrNotFound)
}

// User returns the named user and the org it belongs to.
func (p *Profile) User(name string) (Org, User, error) {
	for _, o := range p.Orgs {
		for _, u := range o.Users {
			if u.Name == name {
				return o, u, nil
			}
		}
	}
	return Org{}, User{}, fmt.Errorf("user %q: %w", name, ErrNotFound)
}

// Orderer returns the named orderer.
func (p *Profile) Orderer(name string) (Orderer, error) {
	for _, o := range p.Orderers {
		if o.Name == name {
			return o, nil
		}
	}
	return Orderer{}, fmt.Errorf("orderer %q: %w", name, ErrNotFound)
}

// PeerByName returns the named peer and its org.
func (p *Profile) PeerByName(name string) (Org, Peer, error) {
	for _, o := range p.Orgs {
		for _, peer := range o.Peers {
			if peer.Name == name {
				return o, peer, nil
			}
		}
	}
	return Org{}, Peer{}, fmt.Errorf("peer %q: %w", name, ErrNotFound)
}
