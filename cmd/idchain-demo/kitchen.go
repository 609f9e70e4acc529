package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
)

// Enterprise prefixes of the demo (assigned by the platform).
const (
	kitchenPrefix   = "88.118.8"  // maker: 厨卫 gas stoves
	cosmeticsPrefix = "88.118.9"  // maker: cosmetics
	pcbPrefix       = "88.118.10" // maker: PCB
	partnerPrefix   = "88.118.20" // partner: the dealer
)

const (
	stoveModel = "JZT-2B"
	stoveLot   = "L20261127"
	stoveUnits = 8
	badStove   = 2 // index of the unit that fails its first line-end test
)

// makerGCP is the maker's GS1 company prefix: every demo GTIN lies under it.
const makerGCP = "6901234"

// gtin completes a GTIN body with its GS1 check digit.
func gtin(body string) string {
	c, err := identifier.CheckDigit(body)
	if err != nil {
		panic(err) // constant bodies only
	}
	return body + string(c)
}

// kitchen: a lot of gas stoves, line-end tests (one unit fails and is
// retested), release, packing into cases, shipping to the dealer, and the
// dealer reading the maker's inspection detail under a consent.
func (d *demo) kitchen(ctx context.Context) error {
	units, cases, err := d.registerStoves(ctx)
	if err != nil {
		return err
	}
	d.step("厨卫: 出厂检验与放行", "kitchen_bath: line-end inspection and release")
	if err := d.ensurePlan(ctx, domain.ExampleGasStovePlan(stoveModel)); err != nil {
		return err
	}
	for i, u := range units {
		if err := d.inspectAndReleaseStove(ctx, u, i == badStove); err != nil {
			return err
		}
	}
	if err := d.shipToDealer(ctx, units, cases); err != nil {
		return err
	}
	if err := d.dealerReadsDetail(ctx, units[badStove]); err != nil {
		return err
	}
	d.links = append(d.links,
		link{units[0], "燃气灶 (已放行) gas stove, released", true},
		link{units[badStove], "燃气灶 (复检合格) stove, passed on retest", false})
	return nil
}

// registerStoves registers the lot's serialized stoves and two cases, and
// records the stoves' commissioning.
func (d *demo) registerStoves(ctx context.Context) (units, cases []string, err error) {
	d.step("厨卫: 燃气灶生产批次登记", "kitchen_bath: register a lot of gas stoves")
	g := gtin("690123456789")
	var items []domain.ItemInput
	for _, s := range d.state.serials("kitchen_bath", stoveUnits) {
		id := kitchenPrefix + "/" + s
		units = append(units, id)
		items = append(items, domain.ItemInput{ID: id, Kind: domain.KindUnit, Industry: domain.IndustryKitchenBath,
			Model: stoveModel, GTIN: g, Lot: stoveLot, Serial: s, Attributes: map[string]string{
				"productName": "嵌入式燃气灶 built-in gas stove", "gasType": "天然气 12T natural gas",
				"productionDate": "2026-11-27", "line": "佛山顺德总装三线 Shunde assembly line 3"}})
	}
	cases = []string{kitchenPrefix + "/CASE-" + stoveLot + "-01", kitchenPrefix + "/CASE-" + stoveLot + "-02"}
	for _, c := range cases {
		items = append(items, domain.ItemInput{ID: c, Kind: domain.KindCase, Industry: domain.IndustryKitchenBath})
	}
	if err := d.register(ctx, "燃气灶与包装箱 stoves and cases", items); err != nil {
		return nil, nil, err
	}
	var comm []domain.EventInput
	for _, u := range units {
		comm = append(comm, domain.EventInput{Type: domain.EventCommissioning, ID: u, ReadPoint: "FS-L3 总装下线 end of line"})
	}
	if comm, err = d.missing(ctx, comm); err != nil {
		return nil, nil, err
	}
	return units, cases, d.record(ctx, makerOperator, "赋码下线 commissioning", comm)
}

// shipToDealer packs the stoves into the cases, ships the cases to the
// dealer and has the dealer receive them.
func (d *demo) shipToDealer(ctx context.Context, units, cases []string) error {
	d.step("厨卫: 装箱、发货给经销商、经销商收货", "kitchen_bath: pack, ship to the dealer, dealer receives")
	half := len(units) / 2
	pack := []domain.EventInput{
		{Type: domain.EventPacking, ID: cases[0], Children: units[:half], ReadPoint: "FS-PACK-1"},
		{Type: domain.EventPacking, ID: cases[1], Children: units[half:], ReadPoint: "FS-PACK-1"},
	}
	ship := []domain.EventInput{
		{Type: domain.EventShipping, ID: cases[0], Destination: d.partner, Region: "CN-44 广东 Guangdong", BizLocation: "佛山仓 Foshan DC"},
		{Type: domain.EventShipping, ID: cases[1], Destination: d.partner, Region: "CN-44 广东 Guangdong", BizLocation: "佛山仓 Foshan DC"},
	}
	recv := []domain.EventInput{
		{Type: domain.EventReceiving, ID: cases[0], BizLocation: "广州经销商仓 Guangzhou dealer"},
		{Type: domain.EventReceiving, ID: cases[1], BizLocation: "广州经销商仓 Guangzhou dealer"},
	}
	for _, s := range []struct {
		user, what string
		events     []domain.EventInput
	}{
		{makerOperator, "装箱 packing", pack}, {makerOperator, "发货 shipping", ship}, {partnerOperator, "收货 receiving", recv},
	} {
		todo, err := d.missing(ctx, s.events)
		if err != nil {
			return err
		}
		if err := d.record(ctx, s.user, s.what, todo); err != nil {
			return err
		}
	}
	return nil
}

// dealerReadsDetail has the maker consent and the dealer read the
// inspection detail of stove under it (an audited access).
func (d *demo) dealerReadsDetail(ctx context.Context, stove string) error {
	d.step("厨卫: 授权经销商查看检验明细", "kitchen_bath: consent for the dealer to read inspection detail")
	consent, purpose, err := d.ensureConsent(ctx, kitchenPrefix)
	if err != nil {
		return err
	}
	var shared domain.SharedDetail
	path := "/v1/items" + itemPath(stove) + "/shared/" + string(domain.CategoryInspectionDetail) + "?purpose=" + url.QueryEscape(purpose)
	if _, err := d.api.call(ctx, partnerOperator, http.MethodGet, path, nil, &shared); err != nil {
		return fmt.Errorf("经销商读取检验明细 partner read: %w", err)
	}
	d.say("经销商读取 partner read %s of %s: %d 字节 bytes, sha256 %.16s…, consent %s (已记入访问审计 logged)",
		shared.Category, stove, len(shared.Data), shared.Hash, consent)
	return nil
}

// inspectAndReleaseStove tests one stove; the bad one fails first, its
// release is refused, and it passes on retest.
func (d *demo) inspectAndReleaseStove(ctx context.Context, id string, bad bool) error {
	p, err := d.provenance(ctx, id)
	if err != nil {
		return err
	}
	pass := func(round int) inspectionRequest {
		return stoveInspection(id, 0.04+0.01*float64(round), true)
	}
	switch {
	case len(p.Inspections) == 0 && bad:
		if _, err := d.inspect(ctx, stoveInspection(id, 0.18, true)); err != nil {
			return err
		}
		if _, err := d.api.call(ctx, makerQA, http.MethodPost, "/v1/items"+itemPath(id)+"/release", struct{}{}, nil); isCode(err, domain.CodeReleaseBlocked) {
			d.say("放行被拒绝 (符合预期) release refused as expected: %v", err)
		} else if err != nil {
			return err
		} else {
			return fmt.Errorf("%s: 检验不合格却被放行 released despite a failed inspection", id)
		}
		fallthrough
	case bad && len(p.Inspections) == 1:
		d.say("返修后复检 retest after rework: %s", id)
		if _, err := d.inspect(ctx, pass(2)); err != nil {
			return err
		}
	case len(p.Inspections) == 0:
		if _, err := d.inspect(ctx, pass(0)); err != nil {
			return err
		}
	}
	if p, err = d.provenance(ctx, id); err != nil {
		return err
	}
	return d.release(ctx, id, p)
}

func stoveInspection(id string, earthOhm float64, ok bool) inspectionRequest {
	leak := 0.21
	return inspectionRequest{
		InspectionInput: domain.InspectionInput{ID: id, Model: stoveModel, Equipment: "EQ-7 安规综合测试仪 safety tester",
			Results: []domain.TestResult{
				{Code: "EARTH_OHM", Value: &earthOhm}, {Code: "HIPOT", Pass: &ok},
				{Code: "LEAK_MA", Value: &leak}, {Code: "GAS_TIGHT", Pass: &ok},
			}},
		Detail: map[string]any{"station": "FS-L3-QC2", "operator": "质检员 inspector 07", "at": time.Now().UTC().Format(time.RFC3339),
			"earthOhmSamples": []float64{earthOhm, earthOhm + 0.002, earthOhm - 0.001}, "hipotKV": 1.25, "hipotSeconds": 60,
			"gasLeakPaPerMin": 12, "ignitionSeconds": 2.1},
	}
}

// ensureConsent grants the partner inspection.detail on subject unless an
// active consent already covers it; it returns the consent id and purpose
// (a consented read must state the consent's purpose).
func (d *demo) ensureConsent(ctx context.Context, subject string) (id, purpose string, err error) {
	var list struct {
		Records []domain.Consent `json:"records"`
	}
	if _, err := d.api.call(ctx, makerQA, http.MethodGet, "/v1/consents?direction=granted", nil, &list); err != nil {
		return "", "", err
	}
	for _, c := range list.Records {
		if c.Grantee == d.partner && c.RevokedAt == "" && c.Allows(d.partner, domain.CategoryInspectionDetail, subject+"/x", time.Now()) == nil {
			d.say("授权 consent %s: 已存在 exists", c.ID)
			return c.ID, c.Purpose, nil
		}
	}
	in := domain.ConsentInput{Grantee: d.partner, Categories: []domain.Category{domain.CategoryInspectionDetail},
		Subjects: []string{subject}, Purpose: "经销商质量复核 dealer quality review",
		ValidUntil: time.Now().AddDate(1, 0, 0).UTC().Format(time.RFC3339)}
	var out domain.Consent
	if _, err := d.api.call(ctx, makerQA, http.MethodPost, "/v1/consents", in, &out); err != nil {
		return "", "", fmt.Errorf("consent: %w", err)
	}
	d.say("授权 consent %s: %s 可读 %s 的检验明细至 %s", out.ID, d.partner, subject, in.ValidUntil[:10])
	return out.ID, in.Purpose, nil
}
