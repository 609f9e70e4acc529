//go:build integration

package network

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// http2Preface is what a gRPC client sends first on a connection.
const http2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// ccServerEnv reads network/.run/chaincode/<org>/server.env, the environment
// the org's chaincode server was started with.
func ccServerEnv(t *testing.T, runDir, org string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(runDir, "chaincode", org, "server.env"))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			env[k] = v
		}
	}
	return env
}

// speaksGRPC sends the HTTP/2 preface on conn and reports whether the answer
// starts with an HTTP/2 SETTINGS frame (type 4 in the fourth byte).
func speaksGRPC(conn net.Conn) (bool, error) {
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Write([]byte(http2Preface)); err != nil {
		return false, err
	}
	head := make([]byte, 9)
	if _, err := bufio.NewReader(conn).Read(head); err != nil {
		return false, err
	}
	return head[3] == 4, nil
}

func tlsDial(addr string, roots *x509.CertPool, certs []tls.Certificate) (bool, error) {
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr,
		&tls.Config{RootCAs: roots, Certificates: certs, NextProtos: []string{"h2"}})
	if err != nil {
		return false, err
	}
	defer conn.Close()
	return speaksGRPC(conn)
}

// Every chaincode server speaks only mutual TLS: plain text gets no gRPC
// answer, a TLS client without a certificate or with another org's peer
// certificate is refused, the org's own peer key pair is accepted; and every
// peer's released connection.json requires TLS with a client key.
func TestChaincodeServersRequireMutualTLS(t *testing.T) {
	p := mustProfile(t)
	path, _ := filepath.Abs(os.Getenv("IDCHAIN_PROFILE"))
	runDir := filepath.Dir(path)
	peerTLS := func(org string) tls.Certificate {
		dir := filepath.Join(runDir, "crypto", org, "peers", "peer0", "tls")
		kp, err := tls.LoadX509KeyPair(filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key"))
		if err != nil {
			t.Fatal(err)
		}
		return kp
	}
	for i, org := range p.Orgs {
		other := p.Orgs[(i+1)%len(p.Orgs)]
		t.Run(org.Name, func(t *testing.T) {
			env := ccServerEnv(t, runDir, org.Name)
			addr := env["CHAINCODE_SERVER_ADDRESS"]
			if addr != org.ChaincodeServer {
				t.Fatalf("server.env address %q, profile %q", addr, org.ChaincodeServer)
			}
			for _, k := range []string{"CHAINCODE_TLS_CERT_FILE", "CHAINCODE_TLS_KEY_FILE", "CHAINCODE_TLS_CLIENT_CA_FILE"} {
				if env[k] == "" {
					t.Fatalf("server.env has no %s", k)
				}
			}
			ca, err := os.ReadFile(env["CHAINCODE_TLS_CLIENT_CA_FILE"])
			if err != nil {
				t.Fatal(err)
			}
			roots := x509.NewCertPool()
			roots.AppendCertsFromPEM(ca)

			plain, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			ok, _ := speaksGRPC(plain)
			plain.Close()
			if ok {
				t.Fatal("the chaincode server answers gRPC in plain text")
			}
			if ok, err := tlsDial(addr, roots, nil); ok || err == nil {
				t.Fatalf("TLS without a client certificate accepted (ok %v, err %v)", ok, err)
			}
			if ok, err := tlsDial(addr, roots, []tls.Certificate{peerTLS(other.Name)}); ok || err == nil {
				t.Fatalf("%s's peer certificate accepted (ok %v, err %v)", other.Name, ok, err)
			}
			if ok, err := tlsDial(addr, roots, []tls.Certificate{peerTLS(org.Name)}); !ok || err != nil {
				t.Fatalf("own peer's certificate refused (ok %v, err %v)", ok, err)
			}

			releases, _ := filepath.Glob(filepath.Join(runDir, "data", "peer*."+org.Name,
				"externalbuilder", "builds", "*", "release", "chaincode", "server", "connection.json"))
			if len(releases) == 0 {
				t.Fatal("no released connection.json on the org's peers")
			}
			for _, f := range releases {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				var c struct {
					Address            string `json:"address"`
					TLSRequired        bool   `json:"tls_required"`
					ClientAuthRequired bool   `json:"client_auth_required"`
					ClientKey          string `json:"client_key"`
					ClientCert         string `json:"client_cert"`
					RootCert           string `json:"root_cert"`
				}
				if err := json.Unmarshal(b, &c); err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				if !c.TLSRequired || !c.ClientAuthRequired || !strings.Contains(c.ClientKey, "PRIVATE KEY") ||
					!strings.Contains(c.ClientCert, "CERTIFICATE") || !bytes.Equal(bytes.TrimSpace([]byte(c.RootCert)), bytes.TrimSpace(ca)) {
					t.Fatalf("%s: not mutual TLS with the org CA: tls %v client auth %v", f, c.TLSRequired, c.ClientAuthRequired)
				}
			}
		})
	}
}
