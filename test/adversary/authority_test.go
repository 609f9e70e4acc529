//go:build integration

package adversary

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/idchain/idchain/test/adversary/rogue"
)

type config struct {
	Authority  string   `json:"authority"`
	Regulators []string `json:"regulators"`
}

func getConfig(t *testing.T) (config, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := nw.evaluate(ctx, nw.gws[nw.msp("regulator")], nw.user(t, "regulator"), call{Fn: "system:GetConfig"})
	if err != nil {
		t.Fatalf("system:GetConfig: %v", err)
	}
	var c config
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("config %s: %v", b, err)
	}
	return c, b
}

// The authority (PlatformMSP) makes itself a regulator: alone through the
// honest SetConfig, and with the maker and the partner (no regulator)
// writing the config key directly.
func TestAttackAuthoritySelfPromotion(t *testing.T) {
	platform, regulator := nw.msp("platform"), nw.msp("regulator")
	needRogue(t, "platform", "maker", "partner")
	before, _ := getConfig(t)
	if slices.Contains(before.Regulators, platform) {
		t.Fatalf("precondition: %s is already a regulator: %+v", platform, before)
	}
	promoted := before
	promoted.Regulators = append(slices.Clone(before.Regulators), platform)
	cfg, _ := json.Marshal(promoted)
	t.Cleanup(func() {
		// Undo a successful attack so later tests see the real roles.
		if now, _ := getConfig(t); slices.Contains(now.Regulators, platform) {
			restore, _ := json.Marshal(before)
			o := send(t, platform, nw.user(t, "platform-admin"), call{Fn: "system:SetConfig", Args: []string{string(restore)}})
			t.Logf("config restored: %s", o)
		}
	})

	// 1. The honest function, endorsed as the gateway chooses.
	o := send(t, platform, nw.user(t, "platform-admin"), call{Fn: "system:SetConfig", Args: []string{string(cfg)}})
	wantRefused(t, o)
	if now, _ := getConfig(t); slices.Contains(now.Regulators, platform) {
		t.Fatalf("ATTACK SUCCEEDED: the authority promoted itself to regulator alone: %+v", now)
	}

	// 2. The config key written directly by a majority without the regulator.
	orgs := nw.mspsExcept(regulator)
	r := rogueRead(t, platform, rogue.Op{Op: rogue.OpScan, ObjectType: "config"})
	k := "\x00config\x00"
	var ops []rogue.Op
	if len(r.Reads) > 0 {
		k = r.Reads[0].Key
		ops = append(ops, rogue.Op{Op: rogue.OpPut, Key: k, Value: patch(t, r.Reads[0].Value, map[string]any{"regulators": promoted.Regulators})})
	} else {
		ops = append(ops, rogue.Op{Op: rogue.OpPut, Key: k, Value: cfg})
	}
	o = attack(t, nw.user(t, "platform-admin"), orgs, "system:SetConfig", rogue.Script{Ops: ops})
	if len(r.Reads) > 0 && len(rogueRead(t, platform, rogue.Op{Op: rogue.OpGetSBE, Key: k}).Reads[0].Orgs) > 0 {
		// A config the regulator wrote carries its policy.
		wantRefused(t, o, "ENDORSEMENT_POLICY_FAILURE")
	} else {
		// No config key yet, or only an unanchored one: a majority can
		// create it, but reads must ignore it.
		refusedOrIgnored(t, o)
	}
	if now, _ := getConfig(t); slices.Contains(now.Regulators, platform) {
		t.Errorf("ATTACK SUCCEEDED: the config names %s a regulator after a write without %s: %+v", platform, regulator, now)
	}
}
