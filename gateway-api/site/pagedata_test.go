package site

import (
	"reflect"
	"testing"

	"github.com/idchain/idchain/domain"
)

func TestVerifyPageAttributesInheritedEntries(t *testing.T) {
	v := PublicView{Verification: domain.Verification{ID: "88.118.9/JAR-1", Genuine: true, Status: domain.StatusReceived,
		Released: true, ReleasedAt: "2026-11-27T01:00:00Z", ReleasedWith: "88.118.9/B1",
		Timeline: []domain.TimelineEntry{
			{Type: domain.EventReleasing, At: "2026-11-27T01:00:00Z", By: "制造企业", Subject: "88.118.9/B1", Via: domain.ViaParent},
			{Type: domain.EventPacking, At: "2026-11-27T02:00:00Z", By: "制造企业"},
			{Type: domain.EventReceiving, At: "2026-11-28T02:00:00Z", By: "经销商", Subject: "88.118.9/CASE-1", Via: domain.ViaContainer},
		}}}
	d := (&Site{}).verifyPage(v)
	var of []string
	for _, e := range d.Timeline {
		of = append(of, e.Of)
	}
	want := []string{"所属批次 Lot/batch 88.118.9/B1", "", "所在包装 Case/pallet 88.118.9/CASE-1"}
	if !reflect.DeepEqual(of, want) {
		t.Fatalf("attributions %q, want %q", of, want)
	}
	if d.Status != "已收货 Received" || d.Released != "2026-11-27 09:00 · 随所属批次 88.118.9/B1 放行 · released with its lot" {
		t.Fatalf("status %q released %q", d.Status, d.Released)
	}
}
