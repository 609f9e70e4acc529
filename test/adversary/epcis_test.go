//go:build integration

package adversary

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/idchain/idchain/chaincode"
	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/epcis"
	"github.com/idchain/idchain/test/adversary/rogue"
)

// Captured EPCIS events and capture jobs (chaincode/epcis_store.go,
// epcis_capture.go): an event is append-only and content-anchored by the
// capturing org; a job chunk likewise. Keys (chaincode/epcis_store.go):
// epcisev [sha256(eventID)], indexes epcisby [party, ts, h], epcisall
// [ts, h], epcisepc [epc, ts, h].

// epcisEvent is a fresh EPCIS ObjectEvent naming one GIAI of its own (an
// object no idchain item is, so the capturing org is its only party). The
// GIAI is unique to the event, so a read that returns it shows the event.
type epcisEvent struct {
	ID  string
	EPC string
	Raw json.RawMessage
}

func newEPCISEvent(t *testing.T, bizStep string) epcisEvent {
	t.Helper()
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		t.Fatal(err)
	}
	h := hex.EncodeToString(u[:])
	fx.n++
	e := epcisEvent{
		ID:  fmt.Sprintf("urn:uuid:%s-%s-4%s-a%s-%s", h[:8], h[8:12], h[13:16], h[17:20], h[20:]),
		EPC: fmt.Sprintf("urn:epc:id:giai:6901234.ADV%s%d", nw.run, fx.n),
	}
	b, err := json.Marshal(map[string]any{
		"type": "ObjectEvent", "eventID": e.ID, "eventTime": time.Now().UTC().Format(time.RFC3339), "eventTimeZoneOffset": "+00:00",
		"action": "OBSERVE", "epcList": []string{e.EPC}, "bizStep": bizStep, "disposition": "active",
	})
	if err != nil {
		t.Fatal(err)
	}
	e.Raw = b
	return e
}

// epcisKeys are the public keys an honest capture of e by owner at ts
// writes: the event record first, then its indexes.
func epcisKeys(e epcisEvent, owner, party, ts string) []string {
	h := chaincodeEPCISHash(e.ID)
	return []string{
		"\x00epcisev\x00" + h + "\x00",
		"\x00epcisby\x00" + party + "\x00" + ts + "\x00" + h + "\x00",
		"\x00epcisall\x00" + ts + "\x00" + h + "\x00",
		"\x00epcisepc\x00" + e.EPC + "\x00" + ts + "\x00" + h + "\x00",
	}
}

func chaincodeEPCISHash(eventID string) string { return string(chaincodeDigest([]byte(eventID))) }

// chaincodeDigest is the hex SHA-256 the chaincode names records and
// anchors by.
func chaincodeDigest(b []byte) []byte {
	sum := sha256.Sum256(b)
	return []byte(hex.EncodeToString(sum[:]))
}

// captureAs has user capture events as part of job jobID (events offset..
// of total) through the honest epcis:Capture, endorsers chosen by the
// gateway.
func captureAs(t *testing.T, user, jobID string, offset, total int, events ...epcisEvent) (outcome, epcis.CaptureChunk) {
	t.Helper()
	raws := make([]json.RawMessage, len(events))
	for i, e := range events {
		raws[i] = e.Raw
	}
	eb, _ := json.Marshal(raws)
	ob, _ := json.Marshal(epcis.CaptureOptions{JobID: jobID, Offset: offset, Total: total})
	a := nw.user(t, user)
	o := send(t, a.MSP, a, call{Fn: "epcis:Capture", Args: []string{string(eb), string(ob)}})
	var chunk epcis.CaptureChunk
	if o.Committed() {
		if err := json.Unmarshal(o.Payload, &chunk); err != nil {
			t.Fatalf("epcis:Capture answered %q: %v", o.Payload, err)
		}
	}
	return o, chunk
}

// mustCapture is captureAs that fails the test unless every event was
// recorded.
func mustCapture(t *testing.T, user, jobID string, offset, total int, events ...epcisEvent) epcis.CaptureChunk {
	t.Helper()
	o, chunk := captureAs(t, user, jobID, offset, total, events...)
	if !o.Committed() {
		t.Fatalf("honest capture by %s: %s", user, o)
	}
	for _, out := range chunk.Outcomes {
		if out.Status != domain.ResultRecorded {
			t.Fatalf("honest capture by %s: event %s %s %v", user, out.EventID, out.Status, out.Error)
		}
	}
	return chunk
}

func newJobID(what string) string {
	fx.n++
	return fmt.Sprintf("adv-%s-%s-%d", strings.ToLower(nw.run), what, fx.n)
}

// readEvent is the capturing org's (or any user's) chaincode read of one
// event on its own org's peer.
func readEvent(t *testing.T, user, eventID string) (epcis.Stored, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a := nw.user(t, user)
	b, err := nw.evaluate(ctx, nw.gws[a.MSP], a, call{Fn: "epcis:GetEvent", Args: []string{eventID}, Orgs: []string{a.MSP}})
	if err != nil {
		return epcis.Stored{}, err
	}
	var s epcis.Stored
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("epcis:GetEvent %s answered %q: %v", eventID, b, err)
	}
	return s, nil
}

// queryEvents is user's chaincode query for the events naming epc.
func queryEvents(t *testing.T, user, epc string) []epcis.Stored {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	q, derr := epcis.Options{}.ParseQuery(url.Values{"MATCH_anyEPC": {epc}})
	if derr != nil {
		t.Fatal(derr)
	}
	qb, _ := json.Marshal(q)
	a := nw.user(t, user)
	b, err := nw.evaluate(ctx, nw.gws[a.MSP], a, call{Fn: "epcis:QueryEvents", Args: []string{string(qb), "", ""}, Orgs: []string{a.MSP}})
	if err != nil {
		t.Fatalf("epcis:QueryEvents as %s: %v", user, err)
	}
	var p epcis.Page
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("epcis:QueryEvents answered %q: %v", b, err)
	}
	return p.Events
}

// wantEventUnseen asserts that no read by user shows an event naming epc:
// the chaincode's GetEvent and QueryEvents and the REST query.
func wantEventUnseen(t *testing.T, user, eventID, epc, why string) {
	t.Helper()
	if s, err := readEvent(t, user, eventID); err == nil {
		t.Errorf("ATTACK SUCCEEDED (chaincode GetEvent as %s): %s: %.200s", user, why, s.Event)
	} else if !strings.Contains(err.Error(), string(domain.CodeNotFound)) {
		t.Errorf("GetEvent as %s: %v, want NOT_FOUND", user, err)
	}
	if evs := queryEvents(t, user, epc); len(evs) > 0 {
		t.Errorf("ATTACK SUCCEEDED (chaincode QueryEvents as %s): %s: %d events", user, why, len(evs))
	}
	_, b := nw.api.do(t, user, http.MethodGet, "/epcis/events?MATCH_anyEPC="+url.QueryEscape(epc), nil, nil)
	if strings.Contains(string(b), eventID) {
		t.Errorf("ATTACK SUCCEEDED (REST /epcis/events as %s): %s: %.200s", user, why, b)
	}
}

// forgedStored is the record an honest capture of e by owner would store,
// as the coalition writes it.
func forgedStored(t *testing.T, e epcisEvent, owner, at string) []byte {
	t.Helper()
	rec, derr := epcis.Options{}.NewRecord(e.Raw)
	if derr != nil {
		t.Fatalf("event: %v", derr)
	}
	b, err := json.Marshal(epcis.Stored{Record: rec, RecordTime: at, Owner: owner, TxID: strings.Repeat("f", 64), Parties: []string{owner}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// putOps writes value under the first key and a marker under the others;
// anchorOrg, when set, also anchors the first key by content in its
// anchor collection (what only that org can endorse).
func putOps(keys []string, value []byte, anchorOrg string) []rogue.Op {
	ops := []rogue.Op{{Op: rogue.OpPut, Key: keys[0], Value: value}}
	for _, k := range keys[1:] {
		ops = append(ops, rogue.Op{Op: rogue.OpPut, Key: k, Value: []byte{0}})
	}
	if anchorOrg != "" {
		ops = append(ops, rogue.Op{Op: rogue.OpPPut, Collection: chaincode.AnchorCollection(anchorOrg), Key: keys[0], Value: chaincodeDigest(value)})
	}
	return ops
}

// The three orgs other than the maker capture an event in the maker's name
// (owner MakerMSP, indexed for the maker), once with the maker's anchor
// (needs the maker), once without; every read of the maker and of the
// regulator must ignore it, and the maker's own later capture of that
// eventID must not be blocked by the forged copy.
func TestAttackCoalitionForgesEPCISEvent(t *testing.T) {
	orgs, signer := coalition(t)
	maker := nw.msp("maker")
	e := newEPCISEvent(t, "commissioning")
	now := time.Now().UTC()
	keys := epcisKeys(e, maker, maker, now.Format("2006-01-02T15:04:05.000000000Z"))
	value := forgedStored(t, e, maker, now.Format(time.RFC3339Nano))

	o := attack(t, signer, orgs, "epcis:Capture", rogue.Script{Ops: append(putOps(keys, value, maker), eventOp("epcis.captured"))})
	wantRefused(t, o, "ENDORSEMENT_POLICY_FAILURE")
	o = attack(t, signer, orgs, "epcis:Capture", rogue.Script{Ops: append(putOps(keys, value, ""), eventOp("epcis.captured"))})
	refusedOrIgnored(t, o)
	for _, who := range []string{"maker-operator", "regulator"} {
		wantEventUnseen(t, who, e.ID, e.EPC, "an event in the maker's name captured by "+strings.Join(orgs, "+"))
	}

	// The maker captures an event with that eventID and its own content.
	mine := e
	var m map[string]any
	_ = json.Unmarshal(e.Raw, &m)
	m["bizStep"] = "inspecting"
	mine.Raw, _ = json.Marshal(m)
	o, chunk := captureAs(t, "maker-operator", newJobID("own"), 0, 1, mine)
	if !o.Committed() || len(chunk.Outcomes) != 1 || chunk.Outcomes[0].Status != domain.ResultRecorded {
		t.Fatalf("ATTACK SUCCEEDED (denial of capture): the maker's own capture of %s after the forgery: %s %+v — an unanchored copy must not count", e.ID, o, chunk.Outcomes)
	}
	s, err := readEvent(t, "maker-operator", e.ID)
	if err != nil || s.Owner != maker || !strings.Contains(string(s.Event), "inspecting") {
		t.Errorf("the maker's own event after the forgery: %v %+v", err, s)
	}
}

// An event the maker captured is rewritten (its bizStep changed, with a
// fresh anchor) by the maker alone and by the maker with two others, and
// deleted with its indexes by the three other orgs: every org must endorse
// a change of an append-only record.
func TestAttackRewritesCapturedEPCISEvent(t *testing.T) {
	needRogue(t, "maker", "platform", "partner", "regulator")
	maker := nw.msp("maker")
	e := newEPCISEvent(t, "commissioning")
	mustCapture(t, "maker-operator", newJobID("rw"), 0, 1, e)
	ek := epcisKeys(e, maker, maker, "")[0]
	got := rogueRead(t, maker, rogue.Op{Op: rogue.OpGet, Key: ek})
	if len(got.Reads) != 1 || !got.Reads[0].Found {
		t.Fatalf("the captured event %s is not at %q", e.ID, ek)
	}
	forged := []byte(strings.ReplaceAll(string(got.Reads[0].Value), "commissioning", "decommissioning"))
	rewrite := []rogue.Op{
		{Op: rogue.OpPut, Key: ek, Value: forged},
		{Op: rogue.OpPPut, Collection: chaincode.AnchorCollection(maker), Key: ek, Value: chaincodeDigest(forged)},
		eventOp("epcis.captured"),
	}
	for _, orgs := range [][]string{{maker}, nw.mspsExcept(nw.msp("regulator"))} {
		o := attack(t, nw.user(t, "maker-operator"), orgs, "epcis:Capture", rogue.Script{Ops: rewrite})
		wantRefused(t, o, "ENDORSEMENT_POLICY_FAILURE")
	}
	// The three others delete the record, its anchor-less indexes too.
	scan := rogueRead(t, maker,
		rogue.Op{Op: rogue.OpScan, ObjectType: "epcisepc", Attrs: []string{e.EPC}},
		rogue.Op{Op: rogue.OpScan, ObjectType: "epcisby", Attrs: []string{maker}})
	del := []rogue.Op{{Op: rogue.OpDel, Key: ek}}
	for _, kv := range scan.Reads {
		if strings.Contains(kv.Key, chaincodeEPCISHash(e.ID)) {
			del = append(del, rogue.Op{Op: rogue.OpDel, Key: kv.Key})
		}
	}
	o := attack(t, nw.user(t, "partner-qa"), nw.mspsExcept(maker), "epcis:Capture", rogue.Script{Ops: append(del, eventOp("epcis.captured"))})
	wantRefused(t, o, "ENDORSEMENT_POLICY_FAILURE")

	for _, who := range []string{"maker-operator", "regulator"} {
		s, err := readEvent(t, who, e.ID)
		switch {
		case err != nil:
			t.Errorf("ATTACK SUCCEEDED (GetEvent as %s): the maker's event is gone: %v", who, err)
		case strings.Contains(string(s.Event), "decommissioning"):
			t.Errorf("ATTACK SUCCEEDED (GetEvent as %s): the maker's event reads rewritten: %s", who, s.Event)
		}
		if evs := queryEvents(t, who, e.EPC); len(evs) != 1 {
			t.Errorf("ATTACK SUCCEEDED (QueryEvents as %s): %d events name %s, want the maker's one", who, len(evs), e.EPC)
		}
	}
}

// The partner and two others plant index entries (epcisby for the
// partner, epcisepc) pointing at an event only the maker is a party to: the
// partner's reads must still not show it.
func TestAttackCoalitionPlantsEPCISIndex(t *testing.T) {
	orgs, signer := coalition(t)
	maker, partner := nw.msp("maker"), nw.msp("partner")
	e := newEPCISEvent(t, "inspecting")
	mustCapture(t, "maker-operator", newJobID("idx"), 0, 1, e)
	if _, err := readEvent(t, "partner-operator", e.ID); err == nil {
		t.Fatalf("the partner sees the maker's event before any attack")
	}
	ts := time.Now().UTC().Format("2006-01-02T15:04:05.000000000Z")
	keys := epcisKeys(e, maker, partner, ts)
	ops := []rogue.Op{
		{Op: rogue.OpPut, Key: keys[1], Value: []byte{0}},       // epcisby [PartnerMSP, …]
		{Op: rogue.OpPut, Key: keys[3], Value: []byte(partner)}, // epcisepc naming the partner as owner
		{Op: rogue.OpPut, Key: keys[2], Value: []byte(partner)}, // epcisall
		eventOp("epcis.captured"),
	}
	o := attack(t, signer, orgs, "epcis:Capture", rogue.Script{Ops: ops})
	refusedOrIgnored(t, o)
	wantEventUnseen(t, "partner-operator", e.ID, e.EPC, "the maker's event through an index entry planted for the partner")
	if _, err := readEvent(t, "maker-operator", e.ID); err != nil {
		t.Errorf("the maker's own event after the planting: %v", err)
	}
}

// jobOf is user's chaincode read of a capture job.
func jobOf(t *testing.T, user, jobID string) (epcis.CaptureJob, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a := nw.user(t, user)
	b, err := nw.evaluate(ctx, nw.gws[a.MSP], a, call{Fn: "epcis:GetCaptureJob", Args: []string{jobID}, Orgs: []string{a.MSP}})
	if err != nil {
		return epcis.CaptureJob{}, err
	}
	var j epcis.CaptureJob
	if err := json.Unmarshal(b, &j); err != nil {
		t.Fatalf("epcis:GetCaptureJob answered %q: %v", b, err)
	}
	return j, nil
}

// The three other orgs write capture-job chunks in the maker's name: a
// whole job the maker never ran, and a second chunk of a real job of the
// maker saying its events were refused. With the maker's anchor it needs
// the maker; without, the maker's job reads must ignore them.
func TestAttackCoalitionForgesCaptureJob(t *testing.T) {
	orgs, signer := coalition(t)
	maker := nw.msp("maker")
	real := newJobID("real")
	e := newEPCISEvent(t, "inspecting")
	mustCapture(t, "maker-operator", real, 0, 1, e)
	invented := newJobID("invented")

	at := time.Now().UTC().Format(time.RFC3339Nano)
	chunk := func(job string, offset, total int) (string, []byte) {
		k, err := chaincode.CaptureJobKey(maker, job, offset)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(epcis.CaptureChunk{JobID: job, Owner: maker, Offset: offset, Total: total, At: at, TxID: strings.Repeat("e", 64),
			Outcomes: []epcis.EventOutcome{{Index: offset, EventID: "urn:uuid:00000000-0000-4000-a000-000000000000", Status: domain.ResultRejected,
				Error: domain.Errorf(domain.CodeConflict, "forged")}}})
		return k, b
	}
	k1, v1 := chunk(invented, 0, 1)
	k2, v2 := chunk(real, 1, 2)
	anchored := []rogue.Op{
		{Op: rogue.OpPut, Key: k1, Value: v1}, {Op: rogue.OpPut, Key: k2, Value: v2},
		{Op: rogue.OpPPut, Collection: chaincode.AnchorCollection(maker), Key: k1, Value: chaincodeDigest(v1)},
		{Op: rogue.OpPPut, Collection: chaincode.AnchorCollection(maker), Key: k2, Value: chaincodeDigest(v2)},
	}
	o := attack(t, signer, orgs, "epcis:Capture", rogue.Script{Ops: anchored})
	wantRefused(t, o, "ENDORSEMENT_POLICY_FAILURE")
	o = attack(t, signer, orgs, "epcis:Capture", rogue.Script{Ops: anchored[:2]})
	refusedOrIgnored(t, o)

	for _, who := range []string{"maker-operator", "regulator"} {
		if j, err := jobOf(t, who, invented); err == nil {
			t.Errorf("ATTACK SUCCEEDED (GetCaptureJob as %s): a job the maker never ran: %+v", who, j)
		}
		j, err := jobOf(t, who, real)
		if err != nil {
			t.Fatalf("the maker's job %s as %s: %v", real, who, err)
		}
		if j.Total != 1 || len(j.Outcomes) != 1 || j.Outcomes[0].Status != domain.ResultRecorded || j.FinishedAt == "" {
			t.Errorf("ATTACK SUCCEEDED (GetCaptureJob as %s): the maker's job reads %+v, want its one recorded event", who, j)
		}
	}
	if st, b := nw.api.do(t, "maker-operator", http.MethodGet, "/epcis/capture/"+invented, nil, nil); st != http.StatusNotFound {
		t.Errorf("ATTACK SUCCEEDED (REST job): HTTP %d %.200s, want 404", st, b)
	}
}

// With the honest chaincode only, the partner writes a chunk into the
// maker's running capture job (its id is public state once the first
// chunk is committed): the maker's next chunk of that job must still be
// recorded and the maker's job must not show the partner's events.
func TestAttackForeignChunkInCaptureJob(t *testing.T) {
	job := newJobID("running")
	first, second, foreign := newEPCISEvent(t, "commissioning"), newEPCISEvent(t, "inspecting"), newEPCISEvent(t, "shipping")
	mustCapture(t, "maker-operator", job, 0, 2, first)
	o, _ := captureAs(t, "partner-operator", job, 1, 2, foreign)
	t.Logf("the partner's chunk in the maker's job: %s", o)
	o, chunk := captureAs(t, "maker-operator", job, 1, 2, second)
	if !o.Committed() || len(chunk.Outcomes) != 1 || chunk.Outcomes[0].Status != domain.ResultRecorded {
		t.Errorf("ATTACK SUCCEEDED (denial of capture): the maker's second chunk of its job after the partner's: %s", o)
	}
	for _, who := range []string{"maker-operator", "regulator"} {
		j, err := jobOf(t, who, job)
		if err != nil {
			t.Fatalf("the maker's job as %s: %v", who, err)
		}
		var ids []string
		for _, out := range j.Outcomes {
			ids = append(ids, out.EventID)
		}
		if strings.Join(ids, " ") != first.ID+" "+second.ID || j.FinishedAt == "" {
			t.Errorf("ATTACK SUCCEEDED (GetCaptureJob as %s): the maker's job lists events %v (finished %q), want its own two", who, ids, j.FinishedAt)
		}
	}
}

// The maker captures events with a proposal timestamp two hours back and
// two hours ahead (an event's recordTime is the transaction time): every
// endorser checks the time against its own clock. (A rogue server swapped
// in by an earlier test runs the honest code for proposals without a
// script, so every peer runs the honest chaincode here.)
func TestAttackMisdatedEPCISCapture(t *testing.T) {
	a := nw.user(t, "maker-operator")
	for _, shift := range []time.Duration{-2 * time.Hour, 2 * time.Hour} {
		e := newEPCISEvent(t, "commissioning")
		eb, _ := json.Marshal([]json.RawMessage{e.Raw})
		ob, _ := json.Marshal(epcis.CaptureOptions{JobID: newJobID("dated"), Total: 1})
		o := send(t, a.MSP, a, call{Fn: "epcis:Capture", Args: []string{string(eb), string(ob)}, At: time.Now().Add(shift)})
		wantRefused(t, o)
		if s, err := readEvent(t, "maker-operator", e.ID); err == nil {
			t.Errorf("ATTACK SUCCEEDED: an event captured with a proposal timestamp %v off reads recordTime %s", shift, s.RecordTime)
		}
	}
}
