package main

import (
	"bufio"
	"fmt"

	"github.com/idchain/idchain/identifier"
)

// maxSerials bounds one `idctl serials` run.
const maxSerials = 1_000_000

// runSerials implements `idctl serials -prefix P -n N`: N fresh identifiers
// P/SERIAL, one per line. Serials are 65-bit random (see identifier.NewSerial),
// so repeats within or across runs are negligible; the ledger still rejects
// a duplicate registration.
func runSerials(e *env, args []string) int {
	fs := newFlags(e, "serials", "-prefix PREFIX [-n N]")
	prefix := fs.String("prefix", "", "企业标识前缀 enterprise prefix, e.g. 88.608.8899 (required)")
	n := fs.Int("n", 1, fmt.Sprintf("数量 how many (1–%d)", maxSerials))
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(e, fs, "多余的参数 unexpected arguments")
	}
	if *n < 1 || *n > maxSerials {
		return usageError(e, fs, fmt.Sprintf("-n 须在 1 到 %d 之间 must be 1–%d", maxSerials, maxSerials))
	}
	p, err := identifier.ParsePrefix(*prefix)
	if err != nil {
		return usageError(e, fs, "-prefix: "+err.Error())
	}
	w := bufio.NewWriter(e.stdout)
	for range *n {
		w.WriteString(identifier.ID{Prefix: p, Suffix: identifier.NewSerial()}.String())
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return fail(e, "serials", err)
	}
	return exitOK
}
