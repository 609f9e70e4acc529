package profile

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
)

// WaitReady waits until the network serves every path a client may take:
// each org's gateway peer evaluates system:Ping on every org's peers
// (discovery knows all members) and endorses and commits a system:Ping
// submit. Each org is checked as its first admin-type user. After a start or
// a node restart this takes a few seconds ("no combination of peers", "no
// peers available to evaluate").
func (p *Profile) WaitReady(ctx context.Context, total time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, total)
	defer cancel()
	errs := make([]error, len(p.Orgs))
	var wg sync.WaitGroup
	for i, org := range p.Orgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = p.waitOrgReady(ctx, org, total)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (p *Profile) waitOrgReady(ctx context.Context, org Org, total time.Duration) error {
	admin := ""
	for _, u := range org.Users {
		if u.Type == "admin" {
			admin = u.Name
			break
		}
	}
	if admin == "" {
		return fmt.Errorf("org %s has no admin user: %w", org.Name, ErrNotFound)
	}
	s, err := p.Open(admin, DefaultTimeouts)
	if err != nil {
		return err
	}
	defer s.Close()
	b := Backoff{Initial: 200 * time.Millisecond, Max: 2 * time.Second, Total: total}
	contract := s.Contract()
	for _, target := range p.Orgs {
		err := Retry(ctx, b, func(context.Context) error {
			_, err := contract.Evaluate("system:Ping", client.WithEndorsingOrganizations(target.MSPID))
			if err != nil && !IsTransient(err) {
				// "no peers available to evaluate" is FailedPrecondition: a
				// membership gap right after a restart, worth waiting for.
				return transient{err}
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("gateway %s evaluating on %s: %w", org.Peer.Name, target.MSPID, unwrapTransient(err))
		}
	}
	err = Retry(ctx, b, func(context.Context) error {
		_, err := contract.SubmitTransaction("system:Ping")
		return err
	})
	if err != nil {
		return fmt.Errorf("gateway %s submitting: %w", org.Peer.Name, err)
	}
	return nil
}
