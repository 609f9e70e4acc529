package chaincode

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/idchain/idchain/chaincode/internal/fakestub"
	"github.com/idchain/idchain/domain"
)

func TestReadShared(t *testing.T) {
	partner := who(t, partnerMSP, domain.RoleOperator)
	at := day0.Add(time.Hour)
	t.Run("a fresh committed access returns the bytes and the public hash", func(t *testing.T) {
		l, cs := sharingLedger(t)
		rec, _, err := recordAccess(t, l, partner, at, stove1, domain.CategoryInspectionDetail, cs.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, err := readShared(t, l, partner, at.Add(2*time.Second), rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Data, secretDetail) || got.Hash != sha256Hex(secretDetail) || got.Consent != cs.ID || got.Access != rec.ID {
			t.Fatalf("shared %+v", got)
		}
		if got.Hash != getItem(t, l, stove1).DetailHashes[string(domain.CategoryInspectionDetail)] {
			t.Fatal("hash differs from the public record")
		}
	})
	t.Run("a read without a committed access record is refused", func(t *testing.T) {
		l, _ := sharingLedger(t)
		_, err := readShared(t, l, partner, at, "tx-never-recorded")
		wantCode(t, err, domain.CodeNotFound)
	})
	t.Run("a stale access record is refused", func(t *testing.T) {
		l, cs := sharingLedger(t)
		rec, _, _ := recordAccess(t, l, partner, at, stove1, domain.CategoryInspectionDetail, cs.ID)
		_, err := readShared(t, l, partner, at.Add(domain.MaxAccessAge+time.Second), rec.ID)
		wantCode(t, err, domain.CodeForbidden)
	})
	t.Run("another user may not use the access record", func(t *testing.T) {
		l, cs := sharingLedger(t)
		rec, _, _ := recordAccess(t, l, partner, at, stove1, domain.CategoryInspectionDetail, cs.ID)
		_, err := readShared(t, l, who(t, partnerMSP, domain.RoleQA), at.Add(time.Second), rec.ID)
		wantCode(t, err, domain.CodeForbidden)
	})
	t.Run("a consent revoked after recording refuses the read", func(t *testing.T) {
		l, cs := sharingLedger(t)
		rec, _, _ := recordAccess(t, l, partner, at, stove1, domain.CategoryInspectionDetail, cs.ID)
		revoke(t, l, cs)
		_, err := readShared(t, l, partner, at.Add(time.Second), rec.ID)
		wantCode(t, err, domain.CodeForbidden)
	})
	t.Run("a regulator reads under standing access", func(t *testing.T) {
		l, _ := sharingLedger(t)
		reg := who(t, regulatorMSP, domain.RoleRegulator)
		rec, _, err := recordAccess(t, l, reg, at, stove1, domain.CategoryInspectionDetail, "")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := readShared(t, l, reg, at, rec.ID); err != nil || !bytes.Equal(got.Data, secretDetail) {
			t.Fatalf("regulator read: %v", err)
		}
	})
	t.Run("after a purge the detail is gone but hash and audit remain", func(t *testing.T) {
		l, cs := sharingLedger(t)
		rec, _, _ := recordAccess(t, l, partner, at, stove1, domain.CategoryInspectionDetail, cs.ID)
		_, err := tx(t, l, who(t, partnerMSP, domain.RoleQA), func(ctx contractapi.TransactionContextInterface) error {
			_, err := NewSharingContract().purgeDetail(ctx, stove1, string(domain.CategoryInspectionDetail))
			return err
		})
		wantCode(t, err, domain.CodeForbidden)
		mustTx(t, l, who(t, makerMSP, domain.RoleQA), func(ctx contractapi.TransactionContextInterface) error {
			_, err := NewSharingContract().purgeDetail(ctx, stove1, string(domain.CategoryInspectionDetail))
			return err
		})
		_, err = readShared(t, l, partner, at.Add(time.Second), rec.ID)
		wantCode(t, err, domain.CodeNotFound)
		if getItem(t, l, stove1).DetailHashes[string(domain.CategoryInspectionDetail)] == "" {
			t.Fatal("public hash removed")
		}
		if page := listAccess(t, l, who(t, makerMSP, domain.RoleQA), stove1, "", "", ""); len(page.Records) != 1 {
			t.Fatalf("audit lost: %+v", page)
		}
	})
}

func listAccess(tb testing.TB, l *fakestub.Ledger, by *fakestub.Identity, subject, org, from, to string) *domain.Page[domain.AccessRecord] {
	tb.Helper()
	var out *domain.Page[domain.AccessRecord]
	mustTx(tb, l, by, func(ctx contractapi.TransactionContextInterface) (err error) {
		out, err = NewSharingContract().listAccess(ctx, subject, org, from, to, "", "")
		return err
	})
	return out
}

func TestListAccess(t *testing.T) {
	l, cs := sharingLedger(t)
	partner, reg := who(t, partnerMSP, domain.RoleOperator), who(t, regulatorMSP, domain.RoleRegulator)
	t1, t2 := day0.Add(time.Hour), day0.Add(2*time.Hour)
	if _, _, err := recordAccess(t, l, partner, t1, stove1, domain.CategoryInspectionDetail, cs.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := recordAccess(t, l, reg, t2, stove1, domain.CategoryInspectionDetail, ""); err != nil {
		t.Fatal(err)
	}
	owner := who(t, makerMSP, domain.RoleQA)
	tests := []struct {
		name                 string
		by                   *fakestub.Identity
		subject, org, from   string
		want                 int
		firstAccessor, empty string
	}{
		{"the owner lists a subject's reads", owner, stove1, "", "", 2, partnerMSP, ""},
		{"the owner narrows to an accessor org", owner, "", regulatorMSP, "", 1, regulatorMSP, ""},
		{"the owner narrows to a time range", owner, "", "", domain.FormatTime(t2), 1, regulatorMSP, ""},
		{"a regulator lists every owner's reads", reg, "", "", "", 2, partnerMSP, ""},
		{"a regulator lists a subject", reg, stove1, partnerMSP, "", 1, partnerMSP, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := listAccess(t, l, tt.by, tt.subject, tt.org, tt.from, "")
			if len(page.Records) != tt.want || page.Records[0].Accessor != tt.firstAccessor {
				t.Fatalf("page %+v", page)
			}
		})
	}
	_, err := tx(t, l, partner, func(ctx contractapi.TransactionContextInterface) error {
		_, err := NewSharingContract().listAccess(ctx, stove1, "", "", "", "", "")
		return err
	})
	wantCode(t, err, domain.CodeForbidden)
}

func TestListAccessFillsPagesPastFilteredRecords(t *testing.T) {
	l, cs := sharingLedger(t)
	partner, reg := who(t, partnerMSP, domain.RoleOperator), who(t, regulatorMSP, domain.RoleRegulator)
	for i := range 6 { // partner, partner, partner, regulator, regulator, regulator
		by, consent := partner, cs.ID
		if i >= 3 {
			by, consent = reg, ""
		}
		if _, _, err := recordAccess(t, l, by, day0.Add(time.Duration(i+1)*time.Minute), stove1, domain.CategoryInspectionDetail, consent); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	bookmark := ""
	for range 5 {
		var page *domain.Page[domain.AccessRecord]
		mustTx(t, l, reg, func(ctx contractapi.TransactionContextInterface) (err error) {
			page, err = NewSharingContract().listAccess(ctx, stove1, "", domain.FormatTime(day0.Add(3*time.Minute)), "", "2", bookmark)
			return err
		})
		if len(page.Records) != 2 && page.Bookmark != "" {
			t.Fatalf("a page of %d records with more to come", len(page.Records))
		}
		for _, r := range page.Records {
			got = append(got, r.At)
		}
		if bookmark = page.Bookmark; bookmark == "" {
			break
		}
	}
	if len(got) != 4 {
		t.Fatalf("listed %v, want the 4 reads from minute 3 on", got)
	}
}

// A salted detail: the public hash commits to salt ‖ detail, the salt stays
// with the detail in the owner's collection, and a consented reader gets it
// to check the bytes against the public hash. A guess of the detail alone
// does not match the public hash.
func TestSaltedDetailHash(t *testing.T) {
	l := stoveLedger(t)
	pk, _ := PrefixKey("88.118.8")
	pb, _ := json.Marshal(domain.Prefix{Prefix: "88.118.8", Owner: makerMSP})
	putAnchored(l, platformMSP, pk, pb)
	salt := bytes.Repeat([]byte{7}, 32)
	public := domain.DetailHash(salt, secretDetail)
	if public == sha256Hex(secretDetail) {
		t.Fatal("salted hash equals the unsalted one")
	}
	if _, err := inspect(t, l, stove1, public, stovePass()...); err != nil {
		t.Fatal(err)
	}
	store := func(salt []byte) error {
		stub := l.NewTx(who(t, makerMSP, domain.RoleInspector))
		stub.SetTransient(TransientDetail, secretDetail)
		if salt != nil {
			stub.SetTransient(TransientSalt, salt)
		}
		ctx, _ := fakestub.Context(stub)
		if _, err := NewQualityContract().storeDetail(ctx, stove1, string(domain.CategoryInspectionDetail)); err != nil {
			return err
		}
		return stub.Commit()
	}
	wantCode(t, store(nil), domain.CodeConflict)                         // the detail alone does not match
	wantCode(t, store(bytes.Repeat([]byte{8}, 32)), domain.CodeConflict) // nor with another salt
	wantCode(t, store([]byte("short")), domain.CodeInvalid)
	if err := store(salt); err != nil {
		t.Fatal(err)
	}
	cs, err := grant(t, l, who(t, makerMSP, domain.RoleQA), domain.ConsentInput{
		Grantee: partnerMSP, Categories: []domain.Category{domain.CategoryInspectionDetail},
		Subjects: []string{"88.118.8"}, Purpose: "supplier quality audit", ValidUntil: domain.FormatTime(day0.AddDate(0, 0, 30)),
	})
	if err != nil {
		t.Fatal(err)
	}
	partner := who(t, partnerMSP, domain.RoleOperator)
	at := day0.Add(time.Hour)
	rec, _, err := recordAccess(t, l, partner, at, stove1, domain.CategoryInspectionDetail, cs.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := readShared(t, l, partner, at.Add(time.Second), rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := hex.DecodeString(got.Salt)
	if got.Hash != public || domain.DetailHash(s, got.Data) != got.Hash {
		t.Fatalf("reader cannot check the bytes: %+v", got)
	}
}
