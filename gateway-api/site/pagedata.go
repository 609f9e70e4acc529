package site

import (
	"github.com/idchain/idchain/domain"
)

// verifyData is what web/verify.html shows; every field is public.
type verifyData struct {
	Title                 string
	Class, Heading        string
	HeadingEn             string
	Recall                *recallData
	Warnings              []Warning
	Maker, Model, Kind    string
	Industry, Lot, Serial string
	GTIN, ID, Status      string
	Produced, Released    string
	Quality               *qualityData
	Timeline              []timelineData
	Counted, FirstTime    bool
	Scans                 int64
	FirstScan             string
}

type recallData struct{ Reason, At, Scope string }

type qualityData struct {
	Passed bool
	At     string
}

// timelineData is one timeline entry; Of names the lot or case/pallet an
// event of a related item belongs to (empty for the item's own events).
type timelineData struct{ Label, Step, At, By, Of string }

// viaLabels introduce the related item of an inherited timeline entry.
var viaLabels = map[string]string{
	domain.ViaParent:    "所属批次 Lot/batch",
	domain.ViaContainer: "所在包装 Case/pallet",
}

// verifyPage turns a public view into page data with bilingual labels and
// local (UTC+8) times.
func (s *Site) verifyPage(v PublicView) verifyData {
	d := verifyData{
		Title: "正品验证 Verify · " + v.ID, Warnings: v.Warnings,
		Maker: v.Maker, Model: v.Model, Kind: label(kindLabels, v.Kind), Industry: label(industryLabels, v.Industry),
		Lot: v.Lot, Serial: v.Serial, GTIN: v.GTIN, ID: v.ID, Status: label(statusLabels, v.Status),
		Produced: localTime(v.ProducedAt), Released: localTime(v.ReleasedAt),
		Scans: v.Scans, FirstScan: localTime(v.FirstScanAt),
	}
	switch {
	case v.Status == domain.StatusDecommissioned:
		d.Class, d.Heading, d.HeadingEn = "grey", "已注销", "Genuine, but decommissioned: no longer in use"
	case len(v.Warnings) > 0:
		d.Class, d.Heading, d.HeadingEn = "warn", "正品码 · 请注意风险提示", "Registered code — see the warning below"
	default:
		d.Class, d.Heading, d.HeadingEn = "ok", "✔ 正品", "Genuine — registered on the ledger by its maker"
	}
	if d.Released == "" && v.Released {
		d.Released = "已放行 Released"
	}
	if v.ReleasedWith != "" {
		d.Released += " · 随所属批次 " + v.ReleasedWith + " 放行 · released with its lot"
	}
	if r := v.Recall; r != nil {
		d.Recall = &recallData{Reason: r.Reason, At: localTime(r.At)}
		if r.ID != v.ID {
			d.Recall.Scope = "所属批次/包装 " + r.ID + " 被召回 · recalled with " + r.ID
		}
	}
	if q := v.Quality; q != nil {
		d.Quality = &qualityData{Passed: q.Passed, At: localTime(q.InspectedAt)}
	}
	for _, e := range v.Timeline {
		t := timelineData{Label: label(eventLabels, e.Type), Step: e.Step, At: localTime(e.At), By: e.By}
		if e.Via != "" {
			t.Of = label(viaLabels, e.Via) + " " + e.Subject
		}
		d.Timeline = append(d.Timeline, t)
	}
	d.Counted = serialized(v.Verification) && s.cfg.Scans != nil
	d.FirstTime = d.Counted && v.Scans == 1
	return d
}
