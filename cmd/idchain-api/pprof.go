package main

// A pprof listener when IDCHAIN_PPROF_ADDR is set (benchmark runs only:
// scripts/bench/profile.sh sets it).
import _ "github.com/idchain/idchain/internal/pprofenv"
