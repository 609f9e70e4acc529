// Command ready waits until the gateway of every org's peer can endorse
// through discovery and commit a transaction (system:Ping submitted by the
// org's admin). network.sh up runs it after the peer CLI test transaction,
// because for a few seconds after a start the gateways still answer "no
// combination of peers can be derived".
//
//	go run ./network/ready -profile network/.run/profile.json -timeout 90s
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/idchain/idchain/network/profile"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ready:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("ready", flag.ContinueOnError)
	path := fs.String("profile", "", "profile.json (default $IDCHAIN_PROFILE or network/.run/profile.json)")
	timeout := fs.Duration("timeout", 90*time.Second, "give up after")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *path == "" {
		p, err := profile.Path(getenv)
		if err != nil {
			return err
		}
		*path = p
	}
	p, err := profile.Load(*path)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	start := time.Now()
	errs := make([]error, len(p.Orgs))
	var wg sync.WaitGroup
	for i, org := range p.Orgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = checkOrg(ctx, p, org, *timeout)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "every gateway endorses and commits (%.1fs)\n", time.Since(start).Seconds())
	return nil
}

// checkOrg submits system:Ping through the org's gateway peer as its admin.
func checkOrg(ctx context.Context, p *profile.Profile, org profile.Org, total time.Duration) error {
	admin := ""
	for _, u := range org.Users {
		if u.Type == "admin" {
			admin = u.Name
			break
		}
	}
	if admin == "" {
		return fmt.Errorf("org %s has no admin user", org.Name)
	}
	s, err := p.Open(admin, profile.DefaultTimeouts)
	if err != nil {
		return err
	}
	defer s.Close()
	b := profile.Backoff{Initial: 200 * time.Millisecond, Max: 2 * time.Second, Total: total}
	err = profile.Retry(ctx, b, func(context.Context) error {
		_, err := s.Contract().SubmitTransaction("system:Ping")
		return err
	})
	if err != nil {
		return fmt.Errorf("gateway of %s: %w", org.Peer.Name, err)
	}
	return nil
}
