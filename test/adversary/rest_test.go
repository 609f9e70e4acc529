//go:build integration

package adversary

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
)

// Through the REST API with the demo users' own keys: nothing but the
// public interface.

func events(t *testing.T, user string, evs ...map[string]any) (int, []byte) {
	t.Helper()
	return nw.api.do(t, user, http.MethodPost, "/v1/events", map[string]any{"events": evs}, nil)
}

func wantRecalled(t *testing.T, id, after string) {
	t.Helper()
	r := verify(t, id)
	r.each(func(src string, v domain.Verification) {
		if !v.Recalled {
			t.Errorf("ATTACK SUCCEEDED (%s verify): %s reads recalled=false %s", src, id, after)
		}
	})
}

func TestAttackUnpackEscapesRecall(t *testing.T) {
	needHonest(t)
	plan(t)
	kase, u := newID(makerPrefix, "ESCCASE"), newID(makerPrefix, "ESCUNIT")
	register(t, map[string]any{"id": kase, "kind": "case", "industry": "generic"}, unit(u))
	if st, b := events(t, "maker-operator", map[string]any{"type": "packing", "id": kase, "children": []string{u}}); st >= 300 {
		t.Fatalf("packing: HTTP %d %s", st, b)
	}
	nw.api.must(t, "regulator", http.MethodPost, "/v1/items/"+kase+"/recall", map[string]any{"reason": "adversary: recalled case"}, nil, http.StatusOK)
	wantRecalled(t, u, "in a recalled case")
	st, b := events(t, "maker-operator", map[string]any{"type": "unpacking", "id": kase, "children": []string{u}})
	t.Logf("maker unpacks the recalled case: HTTP %d %.200s", st, b)
	wantRecalled(t, u, "after the maker unpacked it from the recalled case")
	// Re-packed into a fresh case: refused, or the unit and the new case
	// read recalled.
	kase2 := newID(makerPrefix, "ESCCASE2")
	register(t, map[string]any{"id": kase2, "kind": "case", "industry": "generic"})
	st, b = events(t, "maker-operator", map[string]any{"type": "packing", "id": kase2, "children": []string{u}})
	t.Logf("maker re-packs the unit into a fresh case: HTTP %d %.200s", st, b)
	wantRecalled(t, u, "after the maker re-packed it into a fresh case")
	if st < 300 {
		wantRecalled(t, kase2, "(a case holding a recalled unit)")
	}
}

func TestAttackDecommissionEscapesRecall(t *testing.T) {
	needHonest(t)
	plan(t)
	lot, u := newID(makerPrefix, "ESCLOT"), newID(makerPrefix, "ESCLOTUNIT")
	child := unit(u)
	child["parent"] = lot
	register(t, map[string]any{"id": lot, "kind": "lot", "industry": "generic", "model": planModel, "lot": "L-" + nw.run}, child)
	if st, b := events(t, "maker-operator", map[string]any{"type": "decommissioning", "id": lot}); st >= 300 {
		t.Fatalf("decommissioning: HTTP %d %s", st, b)
	}
	st, b := nw.api.do(t, "regulator", http.MethodPost, "/v1/items/"+lot+"/recall", map[string]any{"reason": "adversary: decommissioned lot"}, nil)
	if st != http.StatusOK {
		t.Errorf("ATTACK SUCCEEDED: the regulator's recall of a decommissioned lot answered HTTP %d %.200s, want 200", st, b)
	}
	wantRecalled(t, lot, "after the regulator recalled the decommissioned lot")
	wantRecalled(t, u, "(unit of a decommissioned, recalled lot)")
}

// The kitchen demo's GTIN (scripts/demo), under a GS1 company prefix of the
// maker's.
func makerGTIN(t *testing.T) string {
	t.Helper()
	c, err := identifier.CheckDigit("0690123456789")
	if err != nil {
		t.Fatal(err)
	}
	return "0690123456789" + string(c)
}

func TestAttackGTINSquatting(t *testing.T) {
	needHonest(t)
	gtin := makerGTIN(t)
	serial := "ADV" + nw.run
	squat := newID(partnerPrefix, "SQUAT")
	var res domain.BatchResult
	st, b := nw.api.do(t, "partner-operator", http.MethodPost, "/v1/items", map[string]any{"items": []map[string]any{
		{"id": squat, "kind": "unit", "industry": "kitchen_bath", "model": "JZT-2B", "gtin": gtin, "serial": serial},
	}}, nil)
	_ = json.Unmarshal(b, &res) // 422 carries the per-item results too
	if st < 300 || len(res.Results) == 0 || res.Results[0].Status != domain.ResultRejected {
		t.Errorf("ATTACK SUCCEEDED: the partner registered the maker's GTIN %s serial %s: HTTP %d %.200s", gtin, serial, st, b)
	} else if code := res.Results[0].Error; code == nil || code.Code != domain.CodeForbidden {
		t.Errorf("squatting rejected with %+v, want FORBIDDEN", code)
	}
	t.Logf("partner's registration: HTTP %d %.200s", st, b)
	// The maker's own registration of that GTIN + serial still works and the
	// Digital Link resolves to it.
	genuine := newID(makerPrefix, "GENUINE")
	nw.api.must(t, "maker-operator", http.MethodPost, "/v1/items", map[string]any{"items": []map[string]any{
		{"id": genuine, "kind": "unit", "industry": "kitchen_bath", "model": "JZT-2B", "gtin": gtin, "serial": serial},
	}}, nil, http.StatusCreated)
	var v domain.Verification
	nw.api.must(t, "", http.MethodGet, fmt.Sprintf("/01/%s/21/%s", gtin, serial), nil, &v, http.StatusOK)
	if v.ID != genuine {
		t.Errorf("ATTACK SUCCEEDED: the Digital Link of the maker's GTIN resolves to %s, want %s", v.ID, genuine)
	}
}

// A low-entropy private detail (a pass/fail word) behind its public hash:
// anyone who reads the public inspection record and guesses the bytes can
// confirm the guess unless the hash is salted.
func TestAttackGuessDetailFromPublicHash(t *testing.T) {
	needHonest(t)
	plan(t)
	id := newID(makerPrefix, "GUESS")
	register(t, unit(id))
	detail := json.RawMessage(`{"hipot":"pass"}`)
	nw.api.must(t, "maker-inspector", http.MethodPost, "/v1/inspections", map[string]any{
		"id": id, "model": planModel, "results": []map[string]any{{"code": "HIPOT", "pass": true}}, "detail": detail,
	}, nil, http.StatusCreated)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	outsider := nw.user(t, "partner-operator")
	b, err := nw.evaluate(ctx, nw.gws[outsider.MSP], outsider, call{Fn: "quality:GetInspections", Args: []string{id}})
	if err != nil {
		t.Fatalf("quality:GetInspections: %v", err)
	}
	var insps []domain.Inspection
	if err := json.Unmarshal(b, &insps); err != nil || len(insps) == 0 {
		t.Fatalf("public inspections of %s: %s (%v)", id, b, err)
	}
	public := insps[len(insps)-1].DetailHash
	if public == "" {
		t.Fatalf("the inspection carries no public detail hash")
	}
	for _, guess := range []string{`{"hipot":"pass"}`, `{"hipot":"fail"}`, `{"hipot": "pass"}`} {
		sum := sha256.Sum256([]byte(guess))
		if hex.EncodeToString(sum[:]) == public {
			t.Errorf("ATTACK SUCCEEDED: the public hash %s confirms the guessed private detail %s", public, guess)
		}
	}
}
