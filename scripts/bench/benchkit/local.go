package benchkit

import (
	"fmt"
	"net"
	"net/url"

	"github.com/idchain/idchain/profile"
)

// LoadProfile loads the profile at path and refuses one naming a peer or
// orderer off loopback: the benchmarks send load to this machine only.
func LoadProfile(path string) (*profile.Profile, error) {
	p, err := profile.Load(path)
	if err != nil {
		return nil, err
	}
	for _, o := range p.Orgs {
		for _, peer := range o.Peers {
			if err := loopbackHost(peer.Address); err != nil {
				return nil, err
			}
		}
	}
	for _, o := range p.Orderers {
		if err := loopbackHost(o.Address); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// LoopbackURL refuses a base URL whose host is not on loopback.
func LoopbackURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not a URL", raw)
	}
	return loopbackHost(u.Host)
}

// loopbackHost accepts host:port on localhost or a loopback IP.
func loopbackHost(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	ip := net.ParseIP(host)
	if err != nil || host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%s is not a loopback address: the benchmarks run on the local machine only", addr)
	}
	return nil
}
