//go:build integration

package adversary

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/identity"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"google.golang.org/protobuf/proto"

	"github.com/idchain/idchain/domain"
)

// mint issues a fresh identity with role at org's own CA (mint.sh) and
// loads it as an actor.
func mint(t *testing.T, org, role string) *actor {
	t.Helper()
	name := strings.ToLower("adv-" + org + "-" + role + "-" + nw.run)
	cmd := exec.Command("bash", filepath.Join(filepath.Dir(nw.swap), "mint.sh"), org, name, role)
	cmd.Env = append(os.Environ(), "IDCHAIN_RUN_DIR="+nw.runDir)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("mint.sh %s %s %s: %v\n%s", org, name, role, err, out)
	}
	dir := strings.TrimSpace(string(out))
	certPEM, err := os.ReadFile(filepath.Join(dir, "signcerts", "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := filepath.Glob(filepath.Join(dir, "keystore", "*"))
	if len(keys) == 0 {
		t.Fatalf("no key in %s", dir)
	}
	keyPEM, err := os.ReadFile(keys[0])
	if err != nil {
		t.Fatal(err)
	}
	key, err := identity.PrivateKeyFromPEM(keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	sign, err := identity.NewPrivateKeySign(key)
	if err != nil {
		t.Fatal(err)
	}
	mspID := nw.msp(org)
	creator, err := proto.Marshal(&msp.SerializedIdentity{Mspid: mspID, IdBytes: certPEM})
	if err != nil {
		t.Fatal(err)
	}
	return &actor{Name: name, MSP: mspID, Creator: creator, sign: sign}
}

// The partner's admin issues one of its users a certificate with role
// regulator; with it the partner tries the regulator's rights on the
// maker's records.
func TestAttackForeignRegulatorRole(t *testing.T) {
	needHonest(t)
	plan(t)
	partner := nw.msp("partner")
	fake := mint(t, "partner", "regulator")
	id := newID(makerPrefix, "FAKEREG")
	register(t, unit(id))
	inspect(t, id, true)

	// A recall only the owner's qa or a regulator may order.
	o := send(t, partner, fake, call{Fn: "quality:Recall", Args: []string{id, "adversary: partner posing as regulator"}})
	wantRefused(t, o)
	r := verify(t, id)
	r.each(func(src string, v domain.Verification) {
		if v.Recalled {
			t.Errorf("ATTACK SUCCEEDED (%s verify): a partner user with role regulator recalled the maker's unit", src)
		}
	})
	// The regulator's standing read of private detail, without a consent.
	o = send(t, partner, fake, call{Fn: "sharing:RecordAccess", Args: []string{id, "inspection.detail", "", ""}})
	wantRefused(t, o)
	// The regulator's view of every org's access records.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := nw.evaluate(ctx, nw.gws[partner], fake, call{Fn: "sharing:ListAccess", Args: []string{"", nw.msp("maker"), "", "", "100", ""}})
	if err == nil {
		var page domain.Page[domain.AccessRecord]
		if json.Unmarshal(b, &page) == nil {
			for _, rec := range page.Records {
				if rec.Owner != partner && rec.Accessor != partner {
					t.Errorf("ATTACK SUCCEEDED: a partner user with role regulator reads others' access records: %+v", rec)
					break
				}
			}
		}
	}
}
