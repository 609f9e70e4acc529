package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/idchain/idchain/fabricca"
	"github.com/idchain/idchain/offline"
)

// Keys that never leave the maker (issue 15 §7): keygen makes a key file and
// prints the CSR to enrol with (POST /v1/enterprises/{id}/users with "csr"),
// sign signs one digest, tx runs a whole write through the API's offline
// routes signing locally.

func runKeygen(e *env, args []string) int {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	keyFile := fs.String("key", "", "key file to create (PEM, 0600)")
	name := fs.String("name", "", "enrollment id: <user>@<USCC>")
	if err := fs.Parse(args); err != nil || *keyFile == "" || *name == "" {
		fmt.Fprintln(e.stderr, "用法 usage: idctl keygen -key KEY.pem -name USER@USCC  (CSR on stdout)")
		return exitUsage
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fail(e, "keygen", err)
	}
	pemKey, err := (&fabricca.Signer{Key: key}).KeyPEM()
	if err != nil {
		return fail(e, "keygen", err)
	}
	f, err := os.OpenFile(*keyFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fail(e, "keygen", err)
	}
	if _, err := f.Write(pemKey); err != nil {
		f.Close()
		return fail(e, "keygen", err)
	}
	if err := f.Close(); err != nil {
		return fail(e, "keygen", err)
	}
	csr, err := fabricca.NewCSR(*name, key)
	if err != nil {
		return fail(e, "keygen", err)
	}
	_, _ = e.stdout.Write(csr)
	return exitOK
}

func loadKey(path string) (*ecdsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return fabricca.ParseKey(b)
}

func runSign(e *env, args []string) int {
	fs := flag.NewFlagSet("sign", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	keyFile := fs.String("key", "", "key file (PEM)")
	if err := fs.Parse(args); err != nil || *keyFile == "" || fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "用法 usage: idctl sign -key KEY.pem DIGEST_BASE64  (signature, base64, on stdout)")
		return exitUsage
	}
	key, err := loadKey(*keyFile)
	if err != nil {
		return fail(e, "sign", err)
	}
	digest, err := base64.StdEncoding.DecodeString(fs.Arg(0))
	if err != nil {
		return fail(e, "sign", fmt.Errorf("digest: %w", err))
	}
	sig, err := offline.SignDigest(key, digest)
	if err != nil {
		return fail(e, "sign", err)
	}
	fmt.Fprintln(e.stdout, base64.StdEncoding.EncodeToString(sig))
	return exitOK
}

// runTx: prepare → sign → endorse → sign → submit through the API.
func runTx(e *env, args []string) int {
	fs := flag.NewFlagSet("tx", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	api := fs.String("api", e.getenv("IDCHAIN_API"), "API base URL")
	apiKey := fs.String("apikey", e.getenv("IDCHAIN_KEY"), "API key of the user")
	keyFile := fs.String("key", "", "the user's key file (PEM)")
	if err := fs.Parse(args); err != nil || *api == "" || *apiKey == "" || *keyFile == "" || fs.NArg() < 1 {
		fmt.Fprintln(e.stderr, "用法 usage: idctl tx -api URL -apikey KEY -key KEY.pem contract:Function [ARG...]")
		return exitUsage
	}
	key, err := loadKey(*keyFile)
	if err != nil {
		return fail(e, "tx", err)
	}
	type step struct {
		TxID   string `json:"txId"`
		Bytes  []byte `json:"bytes"`
		Digest []byte `json:"digest"`
	}
	post := func(path string, body any, out any) error {
		b, _ := json.Marshal(body)
		req, err := http.NewRequestWithContext(e.ctx, http.MethodPost, strings.TrimRight(*api, "/")+path, bytes.NewReader(b))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+*apiKey)
		req.Header.Set("Content-Type", "application/json")
		res, err := (&http.Client{Timeout: 3 * time.Minute}).Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode >= 300 {
			return fmt.Errorf("%s: %d %s", path, res.StatusCode, strings.TrimSpace(string(raw)))
		}
		if s, ok := out.(*[]byte); ok {
			*s = raw
			return nil
		}
		return json.Unmarshal(raw, out)
	}
	var p, t step
	if err := post("/v1/offline/prepare", map[string]any{"fn": fs.Arg(0), "args": fs.Args()[1:]}, &p); err != nil {
		return fail(e, "tx", err)
	}
	sig, err := offline.SignDigest(key, p.Digest)
	if err != nil {
		return fail(e, "tx", err)
	}
	if err := post("/v1/offline/endorse", map[string]any{"bytes": p.Bytes, "signature": sig}, &t); err != nil {
		return fail(e, "tx", err)
	}
	if sig, err = offline.SignDigest(key, t.Digest); err != nil {
		return fail(e, "tx", err)
	}
	var out []byte
	if err := post("/v1/offline/submit", map[string]any{"bytes": t.Bytes, "signature": sig}, &out); err != nil {
		return fail(e, "tx", err)
	}
	fmt.Fprintln(e.stdout, strings.TrimSpace(string(out)))
	return exitOK
}
