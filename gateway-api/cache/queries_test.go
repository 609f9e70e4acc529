package cache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/idchain/idchain/internal/redistest"
)

func TestNamedQueriesArePerOrgAndUnique(t *testing.T) {
	ctx := context.Background()
	n := NewNamedQueries(redistest.Start(t))
	q := NamedQuery{Name: "shipped", Query: json.RawMessage(`{"EQ_bizStep":["shipping"]}`), Params: "EQ_bizStep=shipping",
		CreatedBy: "maker-operator", CreatedAt: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	if err := n.Create(ctx, "MakerMSP", q); err != nil {
		t.Fatal(err)
	}
	if err := n.Create(ctx, "MakerMSP", q); !errors.Is(err, ErrQueryExists) {
		t.Fatalf("second create: %v, want ErrQueryExists", err)
	}
	if err := n.Create(ctx, "RetailMSP", q); err != nil {
		t.Fatalf("the same name in another org: %v", err)
	}
	got, ok, err := n.Get(ctx, "MakerMSP", "shipped")
	if err != nil || !ok || got.Params != q.Params || got.CreatedBy != q.CreatedBy || string(got.Query) != string(q.Query) {
		t.Fatalf("get: %+v %v %v", got, ok, err)
	}
	if _, ok, _ := n.Get(ctx, "OtherMSP", "shipped"); ok {
		t.Fatal("another org sees the query")
	}
	q2 := q
	q2.Name = "a-first"
	if err := n.Create(ctx, "MakerMSP", q2); err != nil {
		t.Fatal(err)
	}
	list, err := n.List(ctx, "MakerMSP")
	if err != nil || len(list) != 2 || list[0].Name != "a-first" || list[1].Name != "shipped" {
		t.Fatalf("list: %+v %v", list, err)
	}
	if ok, err := n.Delete(ctx, "MakerMSP", "shipped"); !ok || err != nil {
		t.Fatalf("delete: %v %v", ok, err)
	}
	if ok, _ := n.Delete(ctx, "MakerMSP", "shipped"); ok {
		t.Fatal("deleted twice")
	}
	if _, ok, _ := n.Get(ctx, "RetailMSP", "shipped"); !ok {
		t.Fatal("deleting in one org removed the other org's query")
	}
}

func TestNamedQueriesAreBounded(t *testing.T) {
	ctx := context.Background()
	n := NewNamedQueries(redistest.Start(t))
	for i := 0; i < MaxNamedQueries; i++ {
		if err := n.Create(ctx, "MakerMSP", NamedQuery{Name: fmt.Sprintf("q%04d", i), Query: json.RawMessage(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := n.Create(ctx, "MakerMSP", NamedQuery{Name: "one-more", Query: json.RawMessage(`{}`)}); !errors.Is(err, ErrTooManyQueries) {
		t.Fatalf("create past the bound: %v", err)
	}
}
