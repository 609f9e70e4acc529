//go:build integration

package adversary

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/idchain/idchain/chaincode"
	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/test/adversary/rogue"
)

// The three orgs other than the maker write an item under the maker's
// 标识 prefix that names the partner (a member of the coalition) as its
// owner, anchored by the partner: the anchor is real, the prefix is not
// the partner's. No read may count it as a genuine product (found open by
// adversary2; fixed in the item check, chaincode/regbatch.go itemAnchored:
// the owner must hold the anchored assignment of the item's prefix).
func TestAttackCoalitionClaimsItemUnderAnotherPrefix(t *testing.T) {
	orgs, signer := coalition(t)
	partner := nw.msp("partner")
	tpl, victim := newID(makerPrefix, "PFXTPL"), newID(makerPrefix, "PFXCLAIM")
	register(t, unit(tpl))
	tk := itemKey(t, tpl)
	var it map[string]any
	if err := json.Unmarshal(readKey(t, orgs[0], tk), &it); err != nil {
		t.Fatal(err)
	}
	it["id"], it["owner"] = victim, partner
	v, _ := json.Marshal(it)
	vk := itemKey(t, victim)
	o := attack(t, signer, orgs, "registry:RegisterItems", rogue.Script{Ops: []rogue.Op{
		{Op: rogue.OpPut, Key: vk, Value: v},
		{Op: rogue.OpPPut, Collection: chaincode.AnchorCollection(partner), Key: vk, Value: []byte(strings.Repeat("b", 64))},
		eventOp("items.registered", victim),
	}})
	refusedOrIgnored(t, o)
	notRegistered(t, victim, "an item under the maker's prefix naming the partner as owner, anchored by the partner")
	var res domain.BatchResult
	st, b := nw.api.do(t, "maker-operator", http.MethodPost, "/v1/items", map[string]any{"items": []map[string]any{unit(victim)}}, &res)
	if st != http.StatusCreated {
		t.Errorf("ATTACK SUCCEEDED (denial of registration): the maker's registration of %s: HTTP %d %.200s, want 201", victim, st, b)
	}
}
