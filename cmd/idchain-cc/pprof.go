package main

// A pprof listener when IDCHAIN_PPROF_ADDR is set (benchmark runs only:
// network/lib/nodes.sh sets it under IDCHAIN_PPROF=1).
import _ "github.com/idchain/idchain/internal/pprofenv"
