package main

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/idchain/idchain/domain"
)

// FuzzRowMapper feeds CSV text (a header and one row) through the mapper:
// no panic; a row it accepts has the row's trimmed id and the mapped kind's
// type; an item keeps every non-empty attr.* cell.
func FuzzRowMapper(f *testing.F) {
	for _, s := range []string{
		"id,kind,industry,model,attr.colour\n88.1/A,unit,kitchen_bath,M1,red\n",
		"type,id,children,inputs,input_quantities\npacking,88.1/C,88.1/A 88.1/B,88.1/L,12.5kg\n",
		"\ufeffid,kind,industry\n , unit,pcb\n",
		"id,kind,industry\n88.1/A\n",
		"type,id,inputs,input_quantities\ncommissioning,88.1/X,a b,1\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r := csv.NewReader(strings.NewReader(text))
		r.FieldsPerRecord = -1
		recs, err := r.ReadAll()
		if err != nil || len(recs) < 2 {
			return
		}
		m, err := newRowMapper("", recs[0])
		if err != nil {
			return
		}
		id, v, err := m.entry(recs[1])
		if err != nil {
			return
		}
		if id == "" || id != strings.TrimSpace(id) {
			t.Fatalf("accepted id %q", id)
		}
		switch x := v.(type) {
		case domain.ItemInput:
			if m.kind != "items" || x.ID != id {
				t.Fatalf("kind %s gave item %+v", m.kind, x)
			}
			for name, i := range m.attrs {
				if i < len(recs[1]) && strings.TrimSpace(recs[1][i]) != "" && x.Attributes[name] == "" {
					t.Fatalf("attribute %s lost: %+v", name, x)
				}
			}
		case domain.EventInput:
			if m.kind != "events" || x.ID != id {
				t.Fatalf("kind %s gave event %+v", m.kind, x)
			}
		default:
			t.Fatalf("entry gave %T", v)
		}
	})
}
