// Command ready waits until every org's gateway can evaluate on every org's
// peers and endorse and commit a transaction through discovery
// ((*profile.Profile).WaitReady). network.sh up runs it after the peer CLI
// test transaction, because for a few seconds after a start the gateways
// still answer "no combination of peers can be derived".
//
//	go run ./cmd/idchain-ready -profile network/.run/profile.json -timeout 90s
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/idchain/idchain/profile"
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
	start := time.Now()
	if err := p.WaitReady(ctx, *timeout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "every gateway evaluates on every org and commits (%.1fs)\n", time.Since(start).Seconds())
	return nil
}
