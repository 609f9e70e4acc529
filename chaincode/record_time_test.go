package chaincode

import (
	"reflect"
	"testing"

	"github.com/idchain/idchain/domain"
)

// Record times are RFC3339Nano, which drops trailing zeros: ".95Z" is
// later than ".9Z" and ".5Z" later than "Z" though each sorts before as
// text. These cases fail on a textual comparison.

func TestCustodyOverlayComparesTimesAsInstants(t *testing.T) {
	tests := []struct {
		name        string
		updated, at string // the item's UpdatedAt, its custody record's At
		want        string // UpdatedAt of the view
	}{
		{"custody .95 s is later than an item update at .9 s", "2026-01-01T10:00:05.9Z", "2026-01-01T10:00:05.95Z", "2026-01-01T10:00:05.95Z"},
		{"custody at .5 s is later than an item update on the whole second", "2026-01-01T10:00:05Z", "2026-01-01T10:00:05.5Z", "2026-01-01T10:00:05.5Z"},
		{"an item update at .95 s is later than custody at .9 s", "2026-01-01T10:00:05.95Z", "2026-01-01T10:00:05.9Z", "2026-01-01T10:00:05.95Z"},
		{"an item update at .5 s is later than custody on the whole second", "2026-01-01T10:00:05.5Z", "2026-01-01T10:00:05Z", "2026-01-01T10:00:05.5Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newWorld(t)
			id := u(1)
			putItem(t, l, domain.Item{ID: id, Kind: domain.KindUnit, Industry: domain.IndustryKitchenBath,
				Status: domain.StatusReleased, UpdatedAt: tt.updated})
			k, _ := CustodyKey(id)
			putRaw(t, l, k, domain.Custody{ID: id, Custodian: makerMSP, Status: domain.StatusShipped,
				Destination: partnerMSP, At: tt.at, TxID: "tx-ship"})
			it, err := readItem(t, l, id)
			if err != nil {
				t.Fatal(err)
			}
			if it.Status != domain.StatusShipped || it.UpdatedAt != tt.want {
				t.Fatalf("view: %s updated %s, want shipped updated %s", it.Status, it.UpdatedAt, tt.want)
			}
		})
	}
}

func TestSortEventsComparesTimesAsInstants(t *testing.T) {
	ev := func(id, at string) domain.Event {
		return domain.Event{EventInput: domain.EventInput{ID: id}, At: at}
	}
	evs := []domain.Event{
		ev("c", "2026-01-01T10:00:05.95Z"),
		ev("b", "2026-01-01T10:00:05.9Z"),
		ev("a", "2026-01-01T10:00:05Z"),
		ev("d", "2026-01-01T18:00:06+08:00"),
		ev("b2", "2026-01-01T10:00:05.90Z"), // same instant as b: stays after it
	}
	sortEvents(evs)
	var got []string
	for _, e := range evs {
		got = append(got, e.ID)
	}
	if want := []string{"a", "b", "b2", "c", "d"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}
