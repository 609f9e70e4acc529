package site

import (
	"strconv"
	"time"

	"github.com/idchain/idchain/domain"
)

// Bilingual labels of the public pages: Chinese first, English after.

var statusLabels = map[domain.Status]string{
	domain.StatusRegistered:     "已登记 Registered",
	domain.StatusInspected:      "已检验 Inspected",
	domain.StatusReleased:       "已放行 Released",
	domain.StatusShipped:        "已发货 Shipped",
	domain.StatusReceived:       "已收货 Received",
	domain.StatusDecommissioned: "已注销 Decommissioned",
	domain.StatusRecalled:       "已召回 Recalled",
}

var eventLabels = map[domain.EventType]string{
	domain.EventCommissioning:   "赋码投产 Commissioned",
	domain.EventProcessStep:     "工序 Process step",
	domain.EventPacking:         "装箱 Packed",
	domain.EventUnpacking:       "拆箱 Unpacked",
	domain.EventTransforming:    "配料加工 Transformed",
	domain.EventShipping:        "发货 Shipped",
	domain.EventReceiving:       "收货 Received",
	domain.EventInspecting:      "检验 Inspected",
	domain.EventReleasing:       "放行 Released",
	domain.EventRecalling:       "召回 Recalled",
	domain.EventDecommissioning: "注销 Decommissioned",
	domain.EventFirstScan:       "首次查询 First scan",
}

var kindLabels = map[domain.Kind]string{
	domain.KindUnit:        "单件 Unit",
	domain.KindLot:         "批次 Lot",
	domain.KindBatch:       "生产批 Batch",
	domain.KindPanel:       "拼板 Panel",
	domain.KindBoard:       "单板 Board",
	domain.KindCase:        "箱 Case",
	domain.KindPallet:      "托盘 Pallet",
	domain.KindMaterialLot: "原料批 Material lot",
}

var industryLabels = map[domain.Industry]string{
	domain.IndustryKitchenBath: "厨卫 Kitchen & bath",
	domain.IndustryCosmetics:   "美妆 Cosmetics",
	domain.IndustryPCB:         "电路板 PCB",
	domain.IndustryGeneric:     "通用 Generic",
}

func label[K ~string](m map[K]string, k K) string {
	if l, ok := m[k]; ok {
		return l
	}
	return string(k)
}

// cst is China Standard Time; a fixed zone needs no tzdata.
var cst = time.FixedZone("CST", 8*3600)

// localTime renders an RFC 3339 time (or a time.Time) as "2006-01-02 15:04"
// in China Standard Time; unparsable text is returned as is.
func localTime(v any) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case string:
		if x == "" {
			return ""
		}
		p, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			return x
		}
		t = p
	default:
		return ""
	}
	if t.IsZero() {
		return ""
	}
	return t.In(cst).Format("2006-01-02 15:04")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
