package network

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
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

// loadCompose loads a compose file with the compose-spec library (schema
// validation on, every profile enabled) the way `docker compose` would.
func loadCompose(t *testing.T, file, root string) (*types.Project, error) {
	t.Helper()
	abs, err := filepath.Abs(file)
	if err != nil {
		t.Fatal(err)
	}
	details := types.ConfigDetails{
		WorkingDir:  filepath.Dir(abs),
		ConfigFiles: []types.ConfigFile{{Filename: abs}},
		Environment: types.Mapping{"IDCHAIN_ROOT": root},
	}
	return loader.LoadWithContext(context.Background(), details, loader.WithProfiles([]string{"*"}),
		func(o *loader.Options) { o.SetProjectName("idchain", true) })
}

// topologyPorts runs `network.sh ports` (offset 0, as in the compose file):
// node name -> the ports it listens on.
func topologyPorts(t *testing.T) map[string][]int {
	t.Helper()
	cmd := exec.Command("bash", "../../network/network.sh", "ports")
	cmd.Env = append(os.Environ(), "IDCHAIN_PORT_OFFSET=0", "IDCHAIN_RUN_DIR="+t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("network.sh ports: %v", err)
	}
	ports := map[string][]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var name string
		var port int
		if _, err := fmt.Sscanf(line, "%s %d", &name, &port); err != nil {
			t.Fatalf("network.sh ports: %q: %v", line, err)
		}
		ports[name] = append(ports[name], port)
	}
	return ports
}

// listenPattern finds the port a service listens on in an environment value
// ("127.0.0.1:7051" or "7051") or a command's "--port N".
var listenPattern = regexp.MustCompile(`(?:^|:|--port )(\d{2,5})(?:$|\s)`)

// servicePorts: the ports a service is configured to listen on, read from its
// listen settings (environment keys naming a listen address or port, the
// chaincode server and API addresses) and a --port flag in its command.
func servicePorts(s types.ServiceConfig) []int {
	var ports []int
	add := func(v string) {
		for _, m := range listenPattern.FindAllStringSubmatch(v, -1) {
			n, _ := strconv.Atoi(m[1])
			ports = append(ports, n)
		}
	}
	for k, v := range s.Environment {
		if v == nil {
			continue
		}
		if strings.Contains(k, "LISTEN") || strings.HasSuffix(k, "_PORT") ||
			k == "CHAINCODE_SERVER_ADDRESS" || k == "IDCHAIN_API_ADDR" {
			add(*v)
		}
	}
	add(strings.Join(s.Command, " "))
	sort.Ints(ports)
	return ports
}

// docker-compose.fabric.yml is valid against the compose specification and
// matches network/topology.sh: the same nodes, each listening on exactly the
// ports the topology gives it, on the host network, with every repo path it
// uses inside a mounted volume. No Docker engine runs here, so this check is
// all the compose file gets on the development machines.
func TestComposeFileValidAndConsistent(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatal("bash is needed to read network/topology.sh")
	}
	const root = "/srv/idchain"
	project, err := loadCompose(t, "../../docker-compose.fabric.yml", root)
	if err != nil {
		t.Fatalf("compose-spec load: %v", err)
	}
	want := topologyPorts(t)
	services := map[string]types.ServiceConfig{}
	for name, s := range project.Services {
		services[name] = s
	}
	if len(services) != len(want) {
		t.Errorf("compose has %d services, topology %d nodes", len(services), len(want))
	}
	for name, ports := range want {
		s, ok := services[name]
		if !ok {
			t.Errorf("topology node %s has no compose service", name)
			continue
		}
		sort.Ints(ports)
		if got := servicePorts(s); !slices.Equal(got, ports) {
			t.Errorf("%s listens on %v in compose, topology says %v", name, got, ports)
		}
		if s.NetworkMode != "host" {
			t.Errorf("%s: network_mode %q, want host (addresses equal the native network's)", name, s.NetworkMode)
		}
		var mounts []string
		for _, v := range s.Volumes {
			if v.Type != types.VolumeTypeBind || v.Source != v.Target {
				t.Errorf("%s: volume %s:%s is not a same-path bind mount", name, v.Source, v.Target)
			}
			mounts = append(mounts, v.Target)
		}
		for k, v := range s.Environment {
			if v == nil || !strings.HasPrefix(*v, root) {
				continue
			}
			if !slices.ContainsFunc(mounts, func(m string) bool { return strings.HasPrefix(*v, m+"/") }) {
				t.Errorf("%s: %s=%s is outside every mounted volume %v", name, k, *v, mounts)
			}
		}
	}
	for name := range services {
		if _, ok := want[name]; !ok {
			t.Errorf("compose service %s is not a topology node", name)
		}
	}
}

// The loader rejects what the compose specification does not allow, so the
// check above can fail: an unknown service key and a bad port are refused.
func TestComposeLoaderRejectsInvalidFiles(t *testing.T) {
	for name, body := range map[string]string{
		"unknown key": "services:\n  a:\n    image: redis\n    listen_port: 1\n",
		"bad port":    "services:\n  a:\n    image: redis\n    ports: [\"x:y:z:w\"]\n",
		"no services": "services: []\n",
	} {
		file := filepath.Join(t.TempDir(), "compose.yml")
		if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := loadCompose(t, file, "/srv"); err == nil {
			t.Errorf("%s: loaded without an error", name)
		}
	}
}
