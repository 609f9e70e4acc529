// Package fabricca manages users at an org's Fabric CA through the CA
// server's REST API (/api/v1): register an identity with the idchain.role
// and idchain.enterprise attributes in its enrollment certificate, enroll it
// (the key pair is made here, only the CSR leaves the process), revoke it
// and fetch the CA's certificate revocation list.
//
// Requests that need authority are signed by a registrar identity (the CA's
// bootstrap admin) with Fabric CA's token scheme: the Authorization header is
// base64(cert) "." base64(ECDSA signature over
// method "." base64(request URI) "." base64(body) "." base64(cert)).
package fabricca

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Client talks to one Fabric CA server.
type Client struct {
	base      string // https://host:port, no trailing slash
	caName    string
	http      *http.Client
	registrar *Signer
}

// Config describes a CA server and the registrar that acts on it.
type Config struct {
	URL       string  // https://127.0.0.1:7290
	CAName    string  // "" for the server's default CA
	TLSCACert []byte  // PEM of the CA server's TLS root
	Registrar *Signer // identity allowed to register and revoke (hf.Registrar.*, hf.Revoker)
	Timeout   time.Duration
}

// New returns a client for cfg.
func New(cfg Config) (*Client, error) {
	if cfg.URL == "" || cfg.Registrar == nil {
		return nil, errors.New("fabricca: URL and registrar are required")
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(cfg.TLSCACert) {
		return nil, errors.New("fabricca: no TLS CA certificate")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 15 * time.Second
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	return &Client{
		base:      strings.TrimRight(cfg.URL, "/"),
		caName:    cfg.CAName,
		http:      &http.Client{Transport: tr, Timeout: cfg.Timeout},
		registrar: cfg.Registrar,
	}, nil
}

// Error is a failure reported by the CA server.
type Error struct {
	Status  int    // HTTP status
	Code    int    // Fabric CA error code (lib/caerrors)
	Message string // the server's message
}

func (e *Error) Error() string {
	return fmt.Sprintf("fabric ca: %d (code %d): %s", e.Status, e.Code, e.Message)
}

// Fabric CA error codes the callers tell apart.
const (
	codeRevokeIDNotFound = 10
	codeDupIdentityReg   = 74
)

// ErrExists is matched (errors.Is) by a registration of a name the CA
// already has; ErrUnknownIdentity by a revocation of a name it does not.
var (
	ErrExists          = errors.New("identity already registered")
	ErrUnknownIdentity = errors.New("identity not known to the CA")
)

// Is maps CA codes to the package's sentinels.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrExists:
		return e.Code == codeDupIdentityReg || e.Status == http.StatusConflict
	case ErrUnknownIdentity:
		return e.Code == codeRevokeIDNotFound || strings.Contains(e.Message, "not found")
	}
	return false
}

// response is the envelope of every Fabric CA answer.
type response struct {
	Success bool            `json:"success"`
	Result  json.RawMessage `json:"result"`
	Errors  []struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
}

// call sends a JSON request to /api/v1/<endpoint>, signed by signer when it
// is not nil, else with basic auth user:secret when user is not "", and
// decodes the result into out.
func (c *Client) call(ctx context.Context, endpoint string, body any, signer *Signer, user, secret string, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("fabricca: %s request: %w", endpoint, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/api/v1/"+endpoint, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("fabricca: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	switch {
	case signer != nil:
		tok, err := signer.token(req.Method, req.URL.RequestURI(), b)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", tok)
	case user != "":
		req.SetBasicAuth(user, secret)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("fabricca: %s: %w", endpoint, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("fabricca: %s: %w", endpoint, err)
	}
	var r response
	if err := json.Unmarshal(raw, &r); err != nil {
		return &Error{Status: resp.StatusCode, Message: strings.TrimSpace(string(raw))}
	}
	if !r.Success || resp.StatusCode >= 300 {
		e := &Error{Status: resp.StatusCode, Message: "request failed"}
		if len(r.Errors) > 0 {
			e.Code, e.Message = r.Errors[0].Code, r.Errors[0].Message
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(r.Result, out); err != nil {
		return fmt.Errorf("fabricca: %s result: %w", endpoint, err)
	}
	return nil
}

// b64 is the encoding Fabric CA uses everywhere.
func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
