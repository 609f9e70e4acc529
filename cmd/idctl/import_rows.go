package main

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/idchain/idchain/domain"
)

// CSV columns of `idctl import` (header row required, names case-insensitive,
// unknown columns are an error so typos do not silently drop data):
//
// items.csv → POST /v1/items
//
//	id, kind, industry        required: 标识, unit|lot|batch|panel|board|case|pallet|material_lot,
//	                          kitchen_bath|cosmetics|pcb|generic
//	model, gtin, lot, serial  optional
//	parent                    optional: 标识 of the case/panel/batch it belongs to
//	inputs                    optional: space-separated 标识 of consumed material lots
//	input_quantities          optional: space-separated amounts matching inputs, e.g. "12.5kg 3L"
//	attr.<name>               optional: public attribute <name> (e.g. attr.filing_no)
//	units                     optional: a lot/batch/panel holding this many packed units <id>~1 … <id>~n
//
// events.csv → POST /v1/events
//
//	type, id                  required: commissioning|process_step|packing|unpacking|transforming|
//	                          shipping|receiving|inspecting|decommissioning …, subject 标识
//	children                  packing/unpacking: space-separated child 标识
//	inputs, input_quantities  transforming: as above
//	step, equipment, operator, params_hash, read_point, biz_location,
//	destination, destination_enterprise, region, disposition
//	                          optional, as in domain.EventInput
//
// Spaces separate list entries because a 标识 suffix may not contain
// whitespace but may contain almost any punctuation.

var itemColumns = []string{"id", "kind", "industry", "model", "gtin", "lot", "serial", "parent", "inputs", "input_quantities", "units"}

var eventColumns = []string{"type", "id", "children", "inputs", "input_quantities", "step", "equipment", "operator",
	"params_hash", "read_point", "biz_location", "destination", "destination_enterprise", "region", "disposition"}

const attrPrefix = "attr."

// rowMapper turns CSV records into request entries (domain.ItemInput or
// domain.EventInput) by header position.
type rowMapper struct {
	kind  string         // "items" or "events"
	col   map[string]int // column name → index
	attrs map[string]int // attribute name → index
}

// newRowMapper checks the header against the columns of kind ("" = guess:
// a "type" column means events, a "kind" column items).
func newRowMapper(kind string, header []string) (*rowMapper, error) {
	m := &rowMapper{col: map[string]int{}, attrs: map[string]int{}}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if name, ok := strings.CutPrefix(h, attrPrefix); ok && name != "" {
			m.attrs[name] = i
			continue
		}
		if _, dup := m.col[h]; dup {
			return nil, fmt.Errorf("列重复 duplicate column %q", h)
		}
		m.col[h] = i
	}
	if kind == "" {
		switch {
		case has(m.col, "type"):
			kind = "events"
		case has(m.col, "kind"):
			kind = "items"
		default:
			return nil, fmt.Errorf("无法判断文件类型 cannot tell items from events: header needs a %q or %q column (or use -kind)", "kind", "type")
		}
	}
	m.kind = kind
	known, required := itemColumns, []string{"id", "kind", "industry"}
	if kind == "events" {
		known, required = eventColumns, []string{"type", "id"}
		if len(m.attrs) > 0 {
			return nil, fmt.Errorf("events.csv 不支持 attr.* 列 (attribute columns are for items)")
		}
	} else if kind != "items" {
		return nil, fmt.Errorf("-kind 必须是 items 或 events (got %q)", kind)
	}
	for h := range m.col {
		if !contains(known, h) {
			return nil, fmt.Errorf("未知列 unknown column %q; columns: %s", h, strings.Join(known, ", "))
		}
	}
	for _, r := range required {
		if !has(m.col, r) {
			return nil, fmt.Errorf("缺少必需列 missing required column %q", r)
		}
	}
	return m, nil
}

func has(m map[string]int, k string) bool { _, ok := m[k]; return ok }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (m *rowMapper) get(rec []string, name string) string {
	if i, ok := m.col[name]; ok && i < len(rec) {
		return strings.TrimSpace(rec[i])
	}
	return ""
}

// entry converts one record; the error is reported for the row and the row
// is not sent.
func (m *rowMapper) entry(rec []string) (id string, v any, err error) {
	id = m.get(rec, "id")
	if id == "" {
		return "", nil, fmt.Errorf("id 为空 (empty id)")
	}
	inputs, err := parseInputs(m.get(rec, "inputs"), m.get(rec, "input_quantities"))
	if err != nil {
		return id, nil, err
	}
	if m.kind == "events" {
		return id, domain.EventInput{
			Type: domain.EventType(m.get(rec, "type")), ID: id,
			Children: strings.Fields(m.get(rec, "children")), Inputs: inputs,
			Step: m.get(rec, "step"), Equipment: m.get(rec, "equipment"), Operator: m.get(rec, "operator"),
			ParamsHash: m.get(rec, "params_hash"), ReadPoint: m.get(rec, "read_point"),
			BizLocation: m.get(rec, "biz_location"), Destination: m.get(rec, "destination"),
			DestinationEnterprise: m.get(rec, "destination_enterprise"),
			Region:                m.get(rec, "region"), Disposition: m.get(rec, "disposition"),
		}, nil
	}
	units := 0
	if s := m.get(rec, "units"); s != "" {
		if units, err = strconv.Atoi(s); err != nil || units < 1 {
			return id, nil, fmt.Errorf("units %q 不是正整数 (not a positive integer)", s)
		}
	}
	it := domain.ItemInput{
		ID: id, Kind: domain.Kind(m.get(rec, "kind")), Industry: domain.Industry(m.get(rec, "industry")),
		Model: m.get(rec, "model"), GTIN: m.get(rec, "gtin"), Lot: m.get(rec, "lot"),
		Serial: m.get(rec, "serial"), Parent: m.get(rec, "parent"), Inputs: inputs, Units: units,
	}
	for name, i := range m.attrs {
		if i < len(rec) && strings.TrimSpace(rec[i]) != "" {
			if it.Attributes == nil {
				it.Attributes = map[string]string{}
			}
			it.Attributes[name] = strings.TrimSpace(rec[i])
		}
	}
	return id, it, nil
}

// parseInputs pairs space-separated ids with optional amounts ("12.5kg").
func parseInputs(ids, qtys string) ([]domain.Input, error) {
	idList, qList := strings.Fields(ids), strings.Fields(qtys)
	if len(qList) > 0 && len(qList) != len(idList) {
		return nil, fmt.Errorf("input_quantities 有 %d 项, inputs 有 %d 项 (counts differ)", len(qList), len(idList))
	}
	out := make([]domain.Input, 0, len(idList))
	for i, id := range idList {
		in := domain.Input{ID: id}
		if len(qList) > 0 {
			q := qList[i]
			cut := strings.IndexFunc(q, func(r rune) bool { return !unicode.IsDigit(r) && r != '.' && r != '-' && r != '+' })
			num, unit := q, ""
			if cut >= 0 {
				num, unit = q[:cut], q[cut:]
			}
			f, err := strconv.ParseFloat(num, 64)
			if err != nil || f < 0 {
				return nil, fmt.Errorf("数量无效 bad quantity %q", q)
			}
			in.Quantity, in.Unit = f, unit
		}
		out = append(out, in)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
