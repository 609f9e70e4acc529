package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Exit codes shared by all subcommands.
const (
	exitOK      = 0 // valid / done
	exitInvalid = 1 // the input was judged invalid, or the command failed
	exitUsage   = 2 // bad command line
)

// env is what a subcommand may use of the process; main fills it from os,
// tests from buffers.
type env struct {
	ctx    context.Context
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// command is one `idctl NAME` subcommand; run returns the exit code.
type command struct {
	name    string
	args    string // synopsis after the name
	summary string
	run     func(e *env, args []string) int
}

// commands lists the subcommands in the order usage shows them. API-backed
// subcommands (import, …) are added here with the same signature.
func commands() []command {
	return []command{
		{"check", "CODE", "判断标识 / GTIN / GS1 Digital Link / 元素串是否有效, 输出 JSON (validate any code)", runCheck},
		{"serials", "-prefix PREFIX [-n N]", "生成 N 个带防伪序列号的新标识 (fresh serialized identifiers)", runSerials},
		{"gs1", "link|element ...", "GS1 元素串与 Digital Link 互相转换 (convert element string ↔ Digital Link)", runGS1},
		{"import", "[-api URL -key KEY] FILE.csv", "把 items.csv / events.csv 分批导入, 可续传 (bulk import through the API, resumable)", runImport},
		{"keygen", "-key KEY.pem -name USER@USCC", "生成本地私钥并输出证书请求 CSR (a key that stays here; CSR to enrol with)", runKeygen},
		{"sign", "-key KEY.pem DIGEST", "用本地私钥签名摘要 (sign a digest from /v1/offline/…)", runSign},
		{"tx", "-api URL -apikey KEY -key KEY.pem FN [ARG...]", "本地签名提交交易 (a write signed here: prepare, sign, endorse, sign, submit)", runTx},
	}
}

// run dispatches args (without the program name) to a subcommand.
func run(ctx context.Context, args []string, e *env) int {
	e.ctx = ctx
	if len(args) == 0 {
		usage(e.stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(e.stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(e, args[1:])
		}
	}
	fmt.Fprintf(e.stderr, "idctl: 未知子命令 unknown command %q\n\n", args[0])
	usage(e.stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "用法 usage: idctl <command> [arguments]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n           %s\n", c.name, c.args, c.summary)
	}
	fmt.Fprintln(w, "\n退出码 exit codes: 0 有效/成功 ok, 1 无效/失败 invalid, 2 用法错误 usage")
}

// newFlags returns a flag set for subcommand name that reports to stderr.
func newFlags(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("idctl "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "用法 usage: idctl %s %s\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args; it returns the exit code to stop with, or -1 to
// continue (help exits 0, other flag errors 2).
func parseFlags(fs *flag.FlagSet, args []string) int {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return -1
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	}
	return exitUsage
}

// usageError prints msg and the flag set's usage, and returns exitUsage.
func usageError(e *env, fs *flag.FlagSet, msg string) int {
	fmt.Fprintf(e.stderr, "%s: %s\n", fs.Name(), msg)
	fs.Usage()
	return exitUsage
}

// fail prints err for a human and returns exitInvalid.
func fail(e *env, name string, err error) int {
	fmt.Fprintf(e.stderr, "idctl %s: %s\n", name, strings.TrimSpace(err.Error()))
	return exitInvalid
}
