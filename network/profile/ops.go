package profile

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// BlockHeight reads ledger_blockchain_height for channel from a peer's or
// orderer's operations endpoint (host:port, plain HTTP on loopback).
func BlockHeight(ctx context.Context, operations, channel string) (uint64, error) {
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
	want := `ledger_blockchain_height{channel="` + channel + `"} `
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), want); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return 0, fmt.Errorf("metrics %s: height %q: %w", operations, v, err)
			}
			return uint64(f), nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("metrics %s: %w", operations, err)
	}
	return 0, fmt.Errorf("metrics %s: no height for channel %s: %w", operations, channel, ErrNotFound)
}
