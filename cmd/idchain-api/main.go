// Command idchain-api is the idchain REST service and public site.
//
//	idchain-api [flags]        serve
//	idchain-api keys [flags]   issue API keys for the profile's users (set-up)
//
// It serves two listeners: the public one (REST API and site, -addr) and
// the operations one (/metrics, /readyz with error text, -ops-addr).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/idchain/idchain/gateway-api/cache"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "idchain-api:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) > 1 && args[1] == "keys" {
		return runKeys(args[1:], getenv, stdout)
	}
	cfg, err := parseConfig(args, getenv, stdout)
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.logLevel)); err != nil {
		return fmt.Errorf("log level: %w", err)
	}
	log := slog.New(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: level}))
	a, err := openApp(cfg, log)
	if err != nil {
		return err
	}
	defer a.close()
	stop := a.start(ctx)
	defer stop()
	log.Info("idchain-api starting", "addr", cfg.addr, "ops", cfg.opsAddr, "profile", cfg.profile,
		"redis", cache.RedactURL(a.redisURL), "users", len(a.users), "publicUrl", cfg.publicURL)
	return serve(ctx, log, []*http.Server{
		{Addr: cfg.addr, Handler: a.handler(cfg)},
		{Addr: cfg.opsAddr, Handler: a.opsHandler()},
	})
}

// serve runs the servers until ctx ends or one fails, then shuts every one
// down (20 s grace).
func serve(ctx context.Context, log *slog.Logger, servers []*http.Server) error {
	errs := make(chan error, len(servers))
	for _, srv := range servers {
		srv.ReadHeaderTimeout, srv.ReadTimeout = 5*time.Second, 2*time.Minute
		srv.WriteTimeout, srv.IdleTimeout = 5*time.Minute, 2*time.Minute
		srv.BaseContext = func(net.Listener) context.Context { return ctx }
		ln, err := net.Listen("tcp", srv.Addr)
		if err != nil {
			for _, s := range servers {
				_ = s.Close()
			}
			return err
		}
		log.Info("listening", "addr", ln.Addr().String())
		go func() { errs <- srv.Serve(ln) }()
	}
	var failed error
	select {
	case failed = <-errs:
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	log.Info("shutting down")
	for _, srv := range servers {
		if err := srv.Shutdown(sctx); err != nil && failed == nil {
			failed = err
		}
	}
	if errors.Is(failed, http.ErrServerClosed) {
		return nil
	}
	return failed
}
