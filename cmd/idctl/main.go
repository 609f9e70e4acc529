// Command idctl checks and generates idchain identifiers offline (标识, GTIN,
// GS1 element strings and Digital Link, serials); API-backed subcommands
// such as bulk import join the same dispatch table in cli.go.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &env{getenv: os.Getenv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr})
	stop()
	os.Exit(code)
}
