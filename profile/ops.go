package profile

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Metric reads one sample of a Prometheus metric from a peer's or orderer's
// operations endpoint (host:port, plain HTTP on loopback). labels is the
// exact label set as exposed, e.g. `channel="idchain"`.
func Metric(ctx context.Context, operations, name, labels string) (float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+operations+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("metrics %s: %w", operations, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("metrics %s: HTTP %d", operations, resp.StatusCode)
	}
	want := name + "{" + labels + "} "
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), want); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return 0, fmt.Errorf("metrics %s: %s %q: %w", operations, name, v, err)
			}
			return f, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("metrics %s: %w", operations, err)
	}
	return 0, fmt.Errorf("metrics %s: %s{%s}: %w", operations, name, labels, ErrNotFound)
}

// BlockHeight is the ledger height of channel on a peer or orderer.
func BlockHeight(ctx context.Context, operations, channel string) (uint64, error) {
	v, err := Metric(ctx, operations, "ledger_blockchain_height", `channel="`+channel+`"`)
	return uint64(v), err
}

// RaftLeader returns the orderer that currently leads channel's Raft cluster.
func (p *Profile) RaftLeader(ctx context.Context) (Orderer, error) {
	for _, o := range p.Orderers {
		v, err := Metric(ctx, o.Operations, "consensus_etcdraft_is_leader", `channel="`+p.Channel+`"`)
		if err == nil && v == 1 {
			return o, nil
		}
	}
	return Orderer{}, fmt.Errorf("raft leader of %s: %w", p.Channel, ErrNotFound)
}

// WaitCommitted waits until every peer of the profile has committed block
// (its height exceeds block). A successful commit status only says the
// gateway's own peer committed; a follow-up transaction endorsed by another
// org's peer that lags behind can fail with MVCC_READ_CONFLICT.
func (p *Profile) WaitCommitted(ctx context.Context, block uint64) error {
	for _, org := range p.Orgs {
		for _, peer := range org.Peers {
			for {
				h, err := BlockHeight(ctx, peer.Operations, p.Channel)
				if err == nil && h > block {
					break
				}
				select {
				case <-ctx.Done():
					return fmt.Errorf("peer %s at height %d, waiting for block %d: %w", peer.Name, h, block, ctx.Err())
				case <-time.After(50 * time.Millisecond):
				}
			}
		}
	}
	return nil
}
