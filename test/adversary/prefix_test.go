//go:build integration && itemprefix

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

// OPEN FINDING, not fixed yet, hence its own build tag (make test does not
// compile it; run it with -tags integration,itemprefix): on main this
// attack succeeds — the item reads genuine with maker PartnerMSP, and the
// maker's own registration of the id answers CONFLICT. The fix belongs in
// the item anchor check (every read of an item record, and registration's
// check for an existing record, which the registration-anchor rework is
// changing): an item counts only when its owner holds the anchored
// assignment of its prefix. Drop the tag once that is in.
//
// The three orgs other than the maker write an item under the maker's
// 标识 prefix that names the partner (a member of the coalition) as its
// owner, anchored by the partner: the anchor is real, the prefix is not
// the partner's. No read may count it as a genuine product.
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
	r := verify(t, victim)
	r.each(func(src string, v domain.Verification) {
		if v.Genuine {
			t.Errorf("ATTACK SUCCEEDED (%s verify): %s under the maker's prefix reads genuine, maker %s", src, victim, v.Maker)
		}
	})
	var res domain.BatchResult
	st, b := nw.api.do(t, "maker-operator", http.MethodPost, "/v1/items", map[string]any{"items": []map[string]any{unit(victim)}}, &res)
	if st != http.StatusCreated {
		t.Errorf("ATTACK SUCCEEDED (denial of registration): the maker's registration of %s: HTTP %d %.200s, want 201", victim, st, b)
	}
}
