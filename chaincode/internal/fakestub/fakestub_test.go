package fakestub_test

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/idchain/idchain/chaincode/internal/fakestub"
)

func TestClientIdentityCarriesMSPAndRole(t *testing.T) {
	id := fakestub.MustIdentity(t, "MakerMSP", "alice", "operator")
	ctx, err := fakestub.Context(fakestub.NewLedger().NewTx(id))
	if err != nil {
		t.Fatal(err)
	}
	ci := ctx.GetClientIdentity()
	if msp, _ := ci.GetMSPID(); msp != "MakerMSP" {
		t.Errorf("msp = %q", msp)
	}
	role, ok, err := ci.GetAttributeValue(fakestub.RoleAttr)
	if err != nil || !ok || role != "operator" {
		t.Errorf("role = %q, %v, %v", role, ok, err)
	}
	cert, err := ci.GetX509Certificate()
	if err != nil || cert.Subject.CommonName != "alice" {
		t.Errorf("cert cn: %v %v", cert, err)
	}
}

func TestWritesAreInvisibleUntilCommit(t *testing.T) {
	l := fakestub.NewLedger()
	s := l.NewTx(nil)
	if err := s.PutState("a", []byte("1")); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.GetState("a"); v != nil {
		t.Fatalf("read own write: %q", v)
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if v, _ := l.NewTx(nil).GetState("a"); string(v) != "1" {
		t.Fatalf("after commit: %q", v)
	}
	if s.Commit() == nil {
		t.Fatal("second commit accepted")
	}
}

func TestPartialCompositeKeyPagination(t *testing.T) {
	l := fakestub.NewLedger()
	s := l.NewTx(nil)
	for _, c := range []string{"c3", "c1", "c2", "c4", "c5"} {
		k, _ := s.CreateCompositeKey("rel", []string{"p", c})
		_ = s.PutState(k, []byte{0})
	}
	other, _ := s.CreateCompositeKey("rel", []string{"q", "c9"})
	_ = s.PutState(other, []byte{0})
	_ = s.Commit()

	q := l.NewTx(nil)
	var got []string
	bookmark := ""
	for pages := 0; ; pages++ {
		it, md, err := q.GetStateByPartialCompositeKeyWithPagination("rel", []string{"p"}, 2, bookmark)
		if err != nil {
			t.Fatal(err)
		}
		for it.HasNext() {
			kv, _ := it.Next()
			_, attrs, err := q.SplitCompositeKey(kv.Key)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, attrs[1])
		}
		if bookmark = md.Bookmark; bookmark == "" || pages > 5 {
			break
		}
	}
	if want := "c1c2c3c4c5"; join(got) != want {
		t.Fatalf("got %v", got)
	}
}

func join(s []string) string {
	var b bytes.Buffer
	for _, x := range s {
		b.WriteString(x)
	}
	return b.String()
}

func TestHistoryIsNewestFirst(t *testing.T) {
	l := fakestub.NewLedger()
	for _, v := range []string{"v1", "v2"} {
		s := l.NewTx(nil)
		_ = s.PutState("k", []byte(v))
		_ = s.Commit()
	}
	it, err := l.NewTx(nil).GetHistoryForKey("k")
	if err != nil {
		t.Fatal(err)
	}
	first, _ := it.Next()
	if string(first.Value) != "v2" || first.TxId != "tx000002" {
		t.Fatalf("first = %s %s", first.Value, first.TxId)
	}
}

func TestPrivateDataHashAndPurge(t *testing.T) {
	l := fakestub.NewLedger()
	s := l.NewTx(nil)
	_ = s.PutPrivateData("_implicit_org_MakerMSP", "d", []byte("secret"))
	_ = s.Commit()
	h, _ := l.NewTx(nil).GetPrivateDataHash("_implicit_org_MakerMSP", "d")
	want := sha256.Sum256([]byte("secret"))
	if !bytes.Equal(h, want[:]) {
		t.Fatal("hash mismatch")
	}
	p := l.NewTx(nil)
	_ = p.PurgePrivateData("_implicit_org_MakerMSP", "d")
	_ = p.Commit()
	if h, _ := l.NewTx(nil).GetPrivateDataHash("_implicit_org_MakerMSP", "d"); h != nil {
		t.Fatal("hash after purge")
	}
}

func TestPaginatedQueryAndWritesExcludeEachOther(t *testing.T) {
	l := fakestub.NewLedger()
	s := l.NewTx(nil)
	if _, _, err := s.GetStateByPartialCompositeKeyWithPagination("x", nil, 10, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.PutState("a", []byte("1")); err == nil {
		t.Fatal("write after paginated query accepted")
	}
	w := l.NewTx(nil)
	_ = w.PutState("a", []byte("1"))
	if _, _, err := w.GetStateByPartialCompositeKeyWithPagination("x", nil, 10, ""); err == nil {
		t.Fatal("paginated query after write accepted")
	}
}
