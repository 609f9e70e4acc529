// Package pprofenv opens a net/http/pprof listener when the environment asks
// for one, for the benchmark run only (scripts/bench/profile.sh starts the
// system with IDCHAIN_PPROF=1, which gives each process an address).
//
// A program imports it for its side effect:
//
//	import _ "github.com/idchain/idchain/internal/pprofenv"
//
// With IDCHAIN_PPROF_ADDR unset (every normal start) nothing is opened. The
// address must be on loopback: profiles reveal the program's internals.
package pprofenv

import (
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"time"
)

// Env names the variable holding the listen address.
const Env = "IDCHAIN_PPROF_ADDR"

func init() {
	if addr := os.Getenv(Env); addr != "" {
		if err := Start(addr); err != nil {
			log.Printf("pprofenv: %v", err)
		}
	}
}

// Start serves the pprof handlers on addr (loopback only) in the background.
func Start(addr string) error {
	if err := loopback(addr); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: Mux(), ReadHeaderTimeout: 5 * time.Second}
	log.Printf("pprofenv: profiling on http://%s/debug/pprof/", ln.Addr())
	go func() { _ = srv.Serve(ln) }()
	return nil
}

// Mux is the pprof handlers on their usual paths, on a mux of their own (not
// http.DefaultServeMux, so no other server exposes them).
func Mux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

func loopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%s=%q: %w", Env, addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%s=%q: profiling listens on loopback only", Env, addr)
	}
	return nil
}
