package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/idchain/idchain/apiclient"
	"github.com/idchain/idchain/domain"
)

// API users of the demo, as the env file names their keys (IDCHAIN_KEY_<user>).
const (
	platformAdmin   = "PLATFORM_ADMIN"
	makerOperator   = "MAKER_OPERATOR"
	makerInspector  = "MAKER_INSPECTOR"
	makerQA         = "MAKER_QA"
	partnerOperator = "PARTNER_OPERATOR"
	regulator       = "REGULATOR"
)

// step prints a heading for the next part of the story.
func (d *demo) step(zh, en string) {
	fmt.Fprintf(d.out, "\n▶ %s · %s\n", zh, en)
}

func (d *demo) say(format string, args ...any) {
	fmt.Fprintf(d.out, "  "+format+"\n", args...)
}

// ensurePrefix assigns prefix to owner; an existing assignment to the same
// owner is fine.
func (d *demo) ensurePrefix(ctx context.Context, prefix, owner string) error {
	_, err := d.api.call(ctx, platformAdmin, http.MethodPost, "/v1/prefixes", domain.Prefix{Prefix: prefix, Owner: owner}, nil)
	if err == nil {
		d.say("前缀 prefix %s → %s (已分配 assigned)", prefix, owner)
		return nil
	}
	if !isCode(err, domain.CodeConflict) {
		return err
	}
	var list struct {
		Records []domain.Prefix `json:"records"`
	}
	if _, err := d.api.call(ctx, platformAdmin, http.MethodGet, "/v1/prefixes?owner="+owner, nil, &list); err != nil {
		return err
	}
	if !slices.ContainsFunc(list.Records, func(p domain.Prefix) bool { return p.Prefix == prefix }) {
		return fmt.Errorf("前缀 %s 已分配给其他组织 (assigned to another org, not %s)", prefix, owner)
	}
	d.say("前缀 prefix %s → %s (已存在 already assigned)", prefix, owner)
	return nil
}

// ensureGCP assigns a GS1 company prefix to owner; an existing assignment
// to the same owner is fine.
func (d *demo) ensureGCP(ctx context.Context, gcp, owner string) error {
	_, err := d.api.call(ctx, platformAdmin, http.MethodPost, "/v1/gs1-prefixes", map[string]string{"gcp": gcp, "owner": owner}, nil)
	if err == nil {
		d.say("GS1 厂商识别代码 GCP %s → %s (已分配 assigned)", gcp, owner)
		return nil
	}
	if !isCode(err, domain.CodeConflict) {
		return err
	}
	var list struct {
		Records []domain.GCP `json:"records"`
	}
	if _, err := d.api.call(ctx, platformAdmin, http.MethodGet, "/v1/gs1-prefixes?owner="+owner, nil, &list); err != nil {
		return err
	}
	if !slices.ContainsFunc(list.Records, func(g domain.GCP) bool { return g.GCP == gcp }) {
		return fmt.Errorf("GCP %s 已分配给其他组织 (assigned to another org, not %s)", gcp, owner)
	}
	d.say("GS1 厂商识别代码 GCP %s → %s (已存在 already assigned)", gcp, owner)
	return nil
}

// register registers items as the maker's operator; unchanged is fine.
func (d *demo) register(ctx context.Context, what string, items []domain.ItemInput) error {
	res, err := d.api.batch(ctx, makerOperator, apiclient.KindItems, items)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := batchOK(what, res); err != nil {
		return err
	}
	created := 0
	for _, r := range res.Results {
		if r.Status == domain.ResultCreated {
			created++
		}
	}
	d.say("登记 registered %s: %d 新建 created, %d 已存在 unchanged", what, created, len(items)-created)
	return nil
}

// record records events as user.
func (d *demo) record(ctx context.Context, user, what string, events []domain.EventInput) error {
	if len(events) == 0 {
		d.say("%s: 已记录 already recorded", what)
		return nil
	}
	res, err := d.api.batch(ctx, user, apiclient.KindEvents, events)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := batchOK(what, res); err != nil {
		return err
	}
	d.say("%s: 记录 %d 个事件 recorded %d events", what, len(events), len(events))
	return nil
}

// provenance reads an item's provenance (events, inspections, release…).
func (d *demo) provenance(ctx context.Context, id string) (domain.Provenance, error) {
	var p domain.Provenance
	_, err := d.api.call(ctx, makerOperator, http.MethodGet, "/v1/items"+itemPath(id)+"/provenance", nil, &p)
	return p, err
}

// missing keeps the events whose subject has no event of the same type
// (and step) yet, so a re-run records nothing twice.
func (d *demo) missing(ctx context.Context, events []domain.EventInput) ([]domain.EventInput, error) {
	var out []domain.EventInput
	seen := map[string]domain.Provenance{}
	for _, e := range events {
		p, ok := seen[e.ID]
		if !ok {
			var err error
			if p, err = d.provenance(ctx, e.ID); err != nil {
				return nil, err
			}
			seen[e.ID] = p
		}
		if !slices.ContainsFunc(p.Events, func(x domain.Event) bool { return x.Type == e.Type && x.Step == e.Step }) {
			out = append(out, e)
		}
	}
	return out, nil
}

// ensurePlan puts an example inspection plan unless the model has one.
func (d *demo) ensurePlan(ctx context.Context, plan domain.Plan) error {
	_, err := d.api.call(ctx, makerQA, http.MethodGet, "/v1/inspection-plans/"+plan.Model, nil, nil)
	if err == nil {
		d.say("检验方案 plan %s: 已存在 exists", plan.Model)
		return nil
	}
	// Any failure to read means "put it": a plan PUT is idempotent apart
	// from its version number.
	body := map[string]any{"industry": plan.Industry, "items": plan.Items}
	if _, err := d.api.call(ctx, makerQA, http.MethodPut, "/v1/inspection-plans/"+plan.Model, body, nil); err != nil {
		return fmt.Errorf("plan %s: %w", plan.Model, err)
	}
	d.say("检验方案 plan %s: %d 项 items (示例, 非法规限值 example values, not regulatory limits)", plan.Model, len(plan.Items))
	return nil
}

// inspectionRequest is POST /v1/inspections.
type inspectionRequest struct {
	domain.InspectionInput
	Detail any `json:"detail,omitempty"`
}

// inspect records an inspection as the maker's inspector.
func (d *demo) inspect(ctx context.Context, in inspectionRequest) (domain.InspectionResult, error) {
	var res domain.InspectionResult
	_, err := d.api.call(ctx, makerInspector, http.MethodPost, "/v1/inspections", in, &res)
	if err != nil {
		return res, fmt.Errorf("inspection of %s: %w", in.ID, err)
	}
	verdict := "合格 passed"
	if !res.Passed {
		verdict = fmt.Sprintf("不合格 failed %v", res.Failed)
	}
	d.say("检验 inspected %s: %s", in.ID, verdict)
	return res, nil
}

// inspectOnceAndRelease records inspection in unless its item has one
// already, then releases the item.
func (d *demo) inspectOnceAndRelease(ctx context.Context, in inspectionRequest) error {
	p, err := d.provenance(ctx, in.ID)
	if err != nil {
		return err
	}
	if len(p.Inspections) == 0 {
		if _, err := d.inspect(ctx, in); err != nil {
			return err
		}
		if p, err = d.provenance(ctx, in.ID); err != nil {
			return err
		}
	}
	return d.release(ctx, in.ID, p)
}

// release releases id as the maker's QA unless it already is.
func (d *demo) release(ctx context.Context, id string, p domain.Provenance) error {
	if p.Release != nil || p.Item.Status == domain.StatusReleased {
		d.say("放行 release %s: 已放行 already released", id)
		return nil
	}
	if _, err := d.api.call(ctx, makerQA, http.MethodPost, "/v1/items"+itemPath(id)+"/release", struct{}{}, nil); err != nil {
		return err
	}
	d.say("放行 released %s", id)
	return nil
}

// verify reads the public verification of id (no key).
func (d *demo) verify(ctx context.Context, id string) (domain.Verification, error) {
	var v domain.Verification
	_, err := d.api.call(ctx, "", http.MethodGet, "/v1/verify"+itemPath(id), nil, &v)
	return v, err
}
