//go:build integration

package enterprise_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"

	"github.com/idchain/idchain/domain"
)

// event records one event through the API as key and returns its outcome:
// "recorded" or "rejected:CODE".
func (e env) event(t *testing.T, key string, ev map[string]any) string {
	t.Helper()
	r := e.call(t, "POST", "/v1/events", key, map[string]any{"events": []map[string]any{ev}})
	if r.status != 201 && r.status != 422 {
		t.Fatalf("event %v: status %d: %.400s", ev, r.status, r.body)
	}
	return outcome(t, r.body)
}

// outcome reads the single result of a batch answer.
func outcome(t *testing.T, body []byte) string {
	t.Helper()
	var res domain.BatchResult
	if err := json.Unmarshal(body, &res); err != nil || len(res.Results) != 1 {
		t.Fatalf("batch answer %.400s: %v", body, err)
	}
	out := res.Results[0].Status
	if res.Results[0].Error != nil {
		out += ":" + string(res.Results[0].Error.Code)
	}
	return out
}

func wantOutcome(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: %s, want %s", what, got, want)
	}
}

// TestCustodyBetweenEnterprisesOfOneOrg: A and B are hosted by MakerMSP.
// Through the API, B cannot ship A's item; A ships to B by naming it, and
// then neither A nor the org's own operator can receive it, only B, and the
// item names B as custodian. With A's certificate directly against the
// chaincode, A can neither ship the item B now holds nor receive a
// shipment named for B, nor ship B's own item.
func TestCustodyBetweenEnterprisesOfOneOrg(t *testing.T) {
	e := mustEnv(t)
	a, pa, ua := e.onboard(t, "MakerMSP", "pcb", map[string]string{"op": "operator"})
	b, pb, ub := e.onboard(t, "MakerMSP", "pcb", map[string]string{"op": "operator"})
	opA, opB := ua["op"].APIKey, ub["op"].APIKey
	a1, a2, b1 := pa+"/C-1", pa+"/C-2", pb+"/C-1"
	expect(t, "A registers", e.call(t, "POST", "/v1/items", opA, items(a1, a2)), 201)
	expect(t, "B registers", e.call(t, "POST", "/v1/items", opB, items(b1)), 201)
	ship := func(id, org, ent string) map[string]any {
		ev := map[string]any{"type": "shipping", "id": id, "destination": org}
		if ent != "" {
			ev["destinationEnterprise"] = ent
		}
		return ev
	}
	receive := func(id string) map[string]any { return map[string]any{"type": "receiving", "id": id} }

	wantOutcome(t, "B ships A's item", e.event(t, opB, ship(a1, "PartnerMSP", "")), "rejected:FORBIDDEN")
	wantOutcome(t, "the org's own operator ships A's item", e.event(t, "maker-operator", ship(a1, "PartnerMSP", "")), "rejected:FORBIDDEN")
	wantOutcome(t, "A ships to its own org without naming an enterprise", e.event(t, opA, ship(a1, "MakerMSP", "")), "rejected:INVALID")
	wantOutcome(t, "A ships to B", e.event(t, opA, ship(a1, "MakerMSP", b)), "recorded")
	wantOutcome(t, "A receives its shipment to B", e.event(t, opA, receive(a1)), "rejected:FORBIDDEN")
	wantOutcome(t, "the org's own operator receives B's shipment", e.event(t, "maker-operator", receive(a1)), "rejected:FORBIDDEN")
	wantOutcome(t, "B receives", e.event(t, opB, receive(a1)), "recorded")
	within(t, 10*time.Second, func() string {
		it := decode[domain.Item](t, e.call(t, "GET", "/v1/items/"+a1, opA, nil))
		if it.Status != domain.StatusReceived || it.Custodian != "MakerMSP" || it.CustodianEnterprise != b {
			return fmt.Sprintf("after B received: status %s custodian %s/%s, want received MakerMSP/%s", it.Status, it.Custodian, it.CustodianEnterprise, b)
		}
		return ""
	})
	wantOutcome(t, "A (the owner) ships the item B holds", e.event(t, opA, ship(a1, "PartnerMSP", "")), "rejected:FORBIDDEN")
	wantOutcome(t, "A ships a2 to B", e.event(t, opA, ship(a2, "MakerMSP", b)), "recorded")

	// A's certificate straight against the chaincode.
	op := e.direct(t, "MakerMSP", a, domain.RoleOperator)
	direct := func(what string, ev map[string]any) {
		t.Helper()
		arg, _ := json.Marshal([]map[string]any{ev})
		res, err := op.Submit("trace:RecordEvents", client.WithArguments(string(arg)))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		wantOutcome(t, what+" (A's certificate, no API)", outcome(t, res), "rejected:FORBIDDEN")
	}
	direct("A ships the item B holds", ship(a1, "PartnerMSP", ""))
	direct("A receives the shipment named for B", receive(a2))
	direct("A ships B's item", ship(b1, "PartnerMSP", ""))
	for id, want := range map[string]string{a1: b, a2: a, b1: ""} {
		it := decode[domain.Item](t, e.call(t, "GET", "/v1/items/"+id, opB, nil))
		if it.CustodianEnterprise != want {
			t.Fatalf("%s: custodian %s/%s after A's direct attempts, want enterprise %q", id, it.Custodian, it.CustodianEnterprise, want)
		}
	}
	wantOutcome(t, "B receives a2", e.event(t, opB, receive(a2)), "recorded")
}

// within polls check every 50 ms until it returns "" or d passes.
func within(t *testing.T, d time.Duration, check func() string) {
	t.Helper()
	end := time.Now().Add(d)
	for {
		msg := check()
		if msg == "" {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("after %s: %s", d, msg)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
