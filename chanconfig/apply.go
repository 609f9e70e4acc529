package chanconfig

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc"
)

// FetchConfigBlock returns the channel's current config block as a peer
// sees it (e.g. qscc GetConfigBlock through fabric-gateway).
type FetchConfigBlock func(ctx context.Context) ([]byte, error)

// AddCRL puts crlPEM into the MSP of org mspID on the channel and returns
// once fetch sees it in the config (polling every 200 ms until ctx ends).
// A CRL already in place is not an error. Concurrent updates may race on
// the config version; the orderer then refuses one and AddCRL retries from
// a fresh config (at most 5 times).
func AddCRL(ctx context.Context, fetch FetchConfigBlock, conn grpc.ClientConnInterface, admin Admin, mspID string, crlPEM []byte) error {
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		block, err := fetch(ctx)
		if err != nil {
			return fmt.Errorf("chanconfig: config block: %w", err)
		}
		channel, cfg, err := ConfigFromBlock(block)
		if err != nil {
			return err
		}
		update, err := CRLUpdate(channel, cfg, mspID, crlPEM)
		if errors.Is(err, ErrUnchanged) {
			return nil
		}
		if err != nil {
			return err
		}
		env, err := Envelope(update, admin, time.Now())
		if err != nil {
			return err
		}
		if lastErr = Broadcast(ctx, conn, env); lastErr == nil {
			return waitForCRL(ctx, fetch, mspID, crlPEM)
		}
		select {
		case <-ctx.Done():
			return lastErr
		case <-time.After(300 * time.Millisecond):
		}
	}
	return lastErr
}

// waitForCRL polls until the peer's config holds crlPEM for mspID.
func waitForCRL(ctx context.Context, fetch FetchConfigBlock, mspID string, crlPEM []byte) error {
	for {
		block, err := fetch(ctx)
		if err == nil {
			if _, cfg, err := ConfigFromBlock(block); err == nil {
				if list, err := RevocationList(cfg, mspID); err == nil {
					for _, c := range list {
						if bytes.Equal(bytes.TrimSpace(c), bytes.TrimSpace(crlPEM)) {
							return nil
						}
					}
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("chanconfig: the peer has not applied the revocation list: %w", ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
