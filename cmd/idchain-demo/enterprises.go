package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/idchain/idchain/apiclient"
	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
)

// demoEnterprise is one enterprise of the demo: a small maker hosted by the
// platform org, or a maker on its own org (MakerMSP).
type demoEnterprise struct {
	key      string // short name, used in the state file and user names
	orgCode  string // 8 characters of the 组织机构代码 body; check characters are computed
	name     string
	industry domain.Industry
	hosted   bool // hosted by the platform org (else on the maker's own org)
	prefix   string
	gcp      string
	gtinBody string // 12 digits under gcp
	model    string
}

// demoEnterprises: two per industry, one on each kind of org.
var demoEnterprises = []demoEnterprise{
	{"kb-small", "MA1KB001", "顺德小厨电器有限公司 Shunde Small Kitchen", domain.IndustryKitchenBath, true, "88.118.31", "6901301", "690130100001", "XCD-1"},
	{"kb-maker", "MA1KB002", "佛山华厨燃具股份有限公司 Foshan Huachu Gas Appliances", domain.IndustryKitchenBath, false, "88.118.32", "6901302", "690130200001", "HC-JZT-5"},
	{"cos-small", "MA1CM001", "广州小美日化有限公司 Guangzhou Xiaomei Cosmetics", domain.IndustryCosmetics, true, "88.118.33", "6901303", "690130300001", "XM-TONER"},
	{"cos-maker", "MA1CM002", "广东美研生物科技有限公司 Guangdong Meiyan Biotech", domain.IndustryCosmetics, false, "88.118.34", "6901304", "690130400001", "MY-SERUM"},
	{"pcb-small", "MA1PC001", "东莞小板电子有限公司 Dongguan Xiaoban Electronics", domain.IndustryPCB, true, "88.118.35", "6901305", "690130500001", "XB-2L"},
	{"pcb-maker", "MA1PC002", "深圳宏板电路股份有限公司 Shenzhen Hongban Circuits", domain.IndustryPCB, false, "88.118.36", "6901306", "690130600001", "HB-6L"},
}

// consent story: the maker-hosted kitchen enterprise grants the platform-
// hosted one read access to an inspection's detail; the grantee reads.
const (
	entGrantor = "kb-maker"
	entGrantee = "kb-small"
)

// demoRoles are the users each enterprise gets (name → role).
var demoRoles = []struct{ name, role string }{{"operator", "operator"}, {"inspector", "inspector"}, {"qa", "qa"}}

// entUnits is how many units each enterprise registers.
const entUnits = 2

// uscc builds a valid 统一社会信用代码 for an enterprise in Guangdong
// (registration authority 9, type 1, region 440600) from an organisation
// code body, computing both check characters.
func uscc(orgCode string) (string, error) {
	oc, err := identifier.OrgCodeCheck(orgCode)
	if err != nil {
		return "", err
	}
	first := "91440600" + orgCode + string(oc)
	c, err := identifier.USCCCheck(first)
	if err != nil {
		return "", err
	}
	return first + string(c), nil
}

// userVar is the key name of an enterprise's user in the API client.
func userVar(ent, name string) string {
	return strings.ToUpper(strings.ReplaceAll(ent+"_"+name, "-", "_"))
}

// enterprises onboards the demo enterprises (concurrently: each is a few
// transactions of its own), then runs the cross-enterprise consent.
func (d *demo) enterprises(ctx context.Context) error {
	d.step("企业入驻: 每个行业两家企业", "enterprises: two per industry, platform-hosted and on the maker's org")
	ids := map[string]string{}
	for _, e := range demoEnterprises {
		id, err := uscc(e.orgCode)
		if err != nil {
			return fmt.Errorf("%s: %w", e.key, err)
		}
		ids[e.key] = id
		d.state.serials("ent:"+e.key, entUnits) // issued before the goroutines
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		outs = make([]bytes.Buffer, len(demoEnterprises))
	)
	for i, e := range demoEnterprises {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sub := *d
			sub.out = &outs[i]
			if err := sub.onboard(ctx, e, ids[e.key]); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("%s: %w", e.key, err))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for i := range outs {
		d.out.Write(outs[i].Bytes())
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return d.crossConsent(ctx, ids)
}

// onboard creates one enterprise with its prefix, GCP, users and units.
func (d *demo) onboard(ctx context.Context, e demoEnterprise, id string) error {
	org := d.maker
	if e.hosted {
		org = d.platform
	}
	body := map[string]any{"id": id, "name": e.name, "industries": []domain.Industry{e.industry}, "org": org}
	var ent domain.Enterprise
	_, err := d.api.call(ctx, platformAdmin, http.MethodPost, "/v1/enterprises", body, &ent)
	switch {
	case err == nil:
		d.say("企业 enterprise %s %s → %s (已创建 created)", id, e.name, org)
	case isCode(err, domain.CodeConflict):
		if _, err := d.api.call(ctx, platformAdmin, http.MethodGet, "/v1/enterprises/"+id, nil, &ent); err != nil {
			return err
		}
		if ent.Org != org {
			return fmt.Errorf("企业 %s 属于 %s, 不是 %s (hosted by another org)", id, ent.Org, org)
		}
		d.say("企业 enterprise %s %s → %s (已存在 exists)", id, e.name, org)
	default:
		return err
	}
	_, err = d.api.call(ctx, platformAdmin, http.MethodPost, "/v1/prefixes", map[string]string{"prefix": e.prefix, "enterprise": id}, nil)
	// A conflict naming the hosting org (or the enterprise) is a re-run; if
	// the prefix were the org's own or another enterprise's, the enterprise
	// operator's registration below would be refused and the step fail.
	if err != nil && !(isCode(err, domain.CodeConflict) && (strings.Contains(err.Error(), id) || strings.HasSuffix(err.Error(), " "+org))) {
		return fmt.Errorf("prefix %s: %w", e.prefix, err)
	}
	d.say("  前缀 prefix %s → %s", e.prefix, id)
	_, err = d.api.call(ctx, platformAdmin, http.MethodPost, "/v1/gs1-prefixes", map[string]string{"gcp": e.gcp, "enterprise": id}, nil)
	if err != nil && !isCode(err, domain.CodeConflict) {
		return fmt.Errorf("GCP %s: %w", e.gcp, err)
	}
	if err != nil {
		if err := d.ensureGCP(ctx, e.gcp, org); err != nil { // a conflict must be with the same org
			return err
		}
	}
	d.say("  GS1 厂商识别代码 GCP %s → %s (%s)", e.gcp, id, org)
	for _, u := range demoRoles {
		if err := d.ensureUser(ctx, e, id, u.name, u.role); err != nil {
			return err
		}
	}
	g := gtin(e.gtinBody)
	var items []domain.ItemInput
	for _, s := range d.state.Serials["ent:"+e.key][:entUnits] {
		it := domain.ItemInput{ID: e.prefix + "/" + s, Kind: domain.KindUnit, Industry: e.industry,
			Model: e.model, GTIN: g, Serial: s, Attributes: map[string]string{"productName": e.name}}
		switch e.industry {
		case domain.IndustryCosmetics: // a cosmetics unit names its batch
			it.Lot = "B20261201"
		case domain.IndustryPCB: // PCB items are panels (and boards)
			it.Kind, it.Attributes["layers"] = domain.KindPanel, "2"
		}
		items = append(items, it)
	}
	res, err := d.api.batch(ctx, userVar(e.key, "operator"), apiclient.KindItems, items)
	if err != nil {
		return fmt.Errorf("items: %w", err)
	}
	if err := batchOK("items", res); err != nil {
		return err
	}
	d.say("  %s 的操作员登记 %d 件 units registered by the enterprise's own operator (GTIN %s)", e.key, len(items), g)
	return nil
}

// ensureUser creates an enterprise user through POST
// /v1/enterprises/{id}/users unless the state file has its key already
// (the key is shown once; it goes away with `make down` like the ledger).
func (d *demo) ensureUser(ctx context.Context, e demoEnterprise, id, name, role string) error {
	v := userVar(e.key, name)
	d.stateMu.Lock()
	key := d.state.Keys[v]
	d.stateMu.Unlock()
	if key != "" {
		d.api.setKey(v, key)
		d.say("  用户 user %s (%s): 已存在 exists", name, role)
		return nil
	}
	var u struct {
		User   string `json:"user"`
		APIKey string `json:"apiKey"`
	}
	if _, err := d.api.call(ctx, platformAdmin, http.MethodPost, "/v1/enterprises/"+id+"/users", map[string]string{"name": name, "role": role}, &u); err != nil {
		return fmt.Errorf("user %s: %w", name, err)
	}
	if u.APIKey == "" {
		return fmt.Errorf("user %s: no apiKey in the answer", name)
	}
	d.stateMu.Lock()
	d.state.Keys[v] = u.APIKey
	d.stateMu.Unlock()
	d.api.setKey(v, u.APIKey)
	d.say("  用户 user %s (%s): 已创建 created, 证书含 idchain.enterprise=%s", u.User, role, id)
	return nil
}

// crossConsent: the grantor enterprise inspects one of its units (detail
// private), grants the grantee enterprise inspection.detail on its prefix,
// and the grantee's operator reads the detail under that consent.
func (d *demo) crossConsent(ctx context.Context, ids map[string]string) error {
	var gr demoEnterprise
	for _, e := range demoEnterprises {
		if e.key == entGrantor {
			gr = e
		}
	}
	grantee := ids[entGrantee]
	d.step("跨企业授权: 企业授权另一企业读取检验明细", "cross-enterprise consent: one enterprise lets another read inspection detail")
	unit := gr.prefix + "/" + d.state.Serials["ent:"+gr.key][0]
	qa, inspector, reader := userVar(gr.key, "qa"), userVar(gr.key, "inspector"), userVar(entGrantee, "operator")
	// The plan is the enterprise's own (plans are keyed by org, enterprise and model).
	if _, err := d.api.call(ctx, qa, http.MethodGet, "/v1/inspection-plans/"+gr.model, nil, nil); err != nil {
		plan := domain.ExampleGasStovePlan(gr.model)
		if _, err := d.api.call(ctx, qa, http.MethodPut, "/v1/inspection-plans/"+gr.model,
			map[string]any{"industry": plan.Industry, "items": plan.Items}, nil); err != nil {
			return fmt.Errorf("plan: %w", err)
		}
	}
	p, err := d.provenance(ctx, unit)
	if err != nil {
		return err
	}
	if len(p.Inspections) == 0 {
		in := stoveInspection(unit, 0.05, true)
		in.Model = gr.model
		var res domain.InspectionResult
		if _, err := d.api.call(ctx, inspector, http.MethodPost, "/v1/inspections", in, &res); err != nil {
			return fmt.Errorf("inspection: %w", err)
		}
		d.say("%s 的检验员检验 inspected %s: passed=%v", gr.key, unit, res.Passed)
	}
	var list struct {
		Records []domain.Consent `json:"records"`
	}
	if _, err := d.api.call(ctx, qa, http.MethodGet, "/v1/consents?direction=granted", nil, &list); err != nil {
		return err
	}
	purpose := "同行质量对标 peer quality benchmarking"
	cid := ""
	for _, c := range list.Records {
		if c.Grantee == grantee && c.RevokedAt == "" && c.Allows(grantee, domain.CategoryInspectionDetail, unit, time.Now()) == nil {
			cid, purpose = c.ID, c.Purpose
		}
	}
	if cid == "" {
		in := domain.ConsentInput{Grantee: grantee, Categories: []domain.Category{domain.CategoryInspectionDetail},
			Subjects: []string{gr.prefix}, Purpose: purpose, ValidUntil: time.Now().AddDate(1, 0, 0).UTC().Format(time.RFC3339)}
		var out domain.Consent
		if _, err := d.api.call(ctx, qa, http.MethodPost, "/v1/consents", in, &out); err != nil {
			return fmt.Errorf("consent: %w", err)
		}
		cid = out.ID
		d.say("授权 consent %s: 企业 %s (%s) → 企业 %s (%s)", cid, ids[gr.key], gr.key, grantee, entGrantee)
	} else {
		d.say("授权 consent %s: 已存在 exists", cid)
	}
	var shared domain.SharedDetail
	path := "/v1/items" + itemPath(unit) + "/shared/" + string(domain.CategoryInspectionDetail) + "?purpose=" + url.QueryEscape(purpose)
	if _, err := d.api.call(ctx, reader, http.MethodGet, path, nil, &shared); err != nil {
		return fmt.Errorf("被授权企业读取 grantee read: %w", err)
	}
	d.say("企业 %s 的操作员读取 grantee's operator read %s of %s: %d 字节 bytes, sha256 %.16s… (已记入访问审计 logged)",
		entGrantee, shared.Category, unit, len(shared.Data), shared.Hash)
	return nil
}
