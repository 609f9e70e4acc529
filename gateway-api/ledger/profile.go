package ledger

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Profile is the part of network/.run/profile.json (docs/network.md) the API
// needs. Relative file paths are resolved against the profile's directory.
type Profile struct {
	Channel   string `json:"channel"`
	Chaincode string `json:"chaincode"`
	RedisURL  string `json:"redisUrl"`
	Orgs      []Org  `json:"orgs"`
}

// Org is one peer organisation with its gateway peer and enrolled users.
type Org struct {
	MSPID       string `json:"mspId"`
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	Peer        Peer   `json:"peer"`
	Users       []User `json:"users"`
}

// Peer is the endpoint the org's users connect their gateway to.
type Peer struct {
	Name         string `json:"name"`
	Address      string `json:"address"`
	HostOverride string `json:"hostOverride"`
	TLSCACert    string `json:"tlsCACert"`
	Operations   string `json:"operations"`
}

// User is an enrolled identity: certificate and private key files (PEM).
type User struct {
	Name string `json:"name"`
	Role string `json:"role"`
	Cert string `json:"cert"`
	Key  string `json:"key"`
}

// LoadProfile reads and checks a profile file.
func LoadProfile(path string) (*Profile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read profile: %w", err)
	}
	var p Profile
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("parse profile %s: %w", path, err)
	}
	if p.Channel == "" || p.Chaincode == "" || len(p.Orgs) == 0 {
		return nil, fmt.Errorf("profile %s: channel, chaincode and orgs are required", path)
	}
	dir := filepath.Dir(path)
	abs := func(f string) string {
		if f == "" || filepath.IsAbs(f) {
			return f
		}
		return filepath.Join(dir, f)
	}
	for i := range p.Orgs {
		o := &p.Orgs[i]
		if o.MSPID == "" || o.Peer.Address == "" {
			return nil, fmt.Errorf("profile %s: org %d needs mspId and peer.address", path, i)
		}
		o.Peer.TLSCACert = abs(o.Peer.TLSCACert)
		for j := range o.Users {
			o.Users[j].Cert = abs(o.Users[j].Cert)
			o.Users[j].Key = abs(o.Users[j].Key)
		}
	}
	return &p, nil
}
