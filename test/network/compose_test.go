package network

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The compose file is generated from network/topology.sh; it must not drift.
func TestComposeFileMatchesTopology(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not available")
	}
	out := filepath.Join(t.TempDir(), "compose.yml")
	cmd := exec.Command("bash", "../../network/gen-compose.sh")
	cmd.Env = append(os.Environ(), "IDCHAIN_COMPOSE_OUT="+out, "IDCHAIN_PORT_OFFSET=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gen-compose.sh: %v\n%s", err, msg)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../docker-compose.fabric.yml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("docker-compose.fabric.yml is out of date: run network/gen-compose.sh")
	}
}
