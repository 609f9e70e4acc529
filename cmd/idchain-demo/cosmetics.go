package main

import (
	"context"
	"fmt"
	"net/http"

	"github.com/idchain/idchain/domain"
)

const (
	creamModel   = "CREAM-50ML"
	creamBatch   = cosmeticsPrefix + "/CREAM-B20261127"
	creamLot     = "B20261127"
	creamUnits   = 6
	recalledLot  = cosmeticsPrefix + "/MAT-HA-2026A" // the material lot the regulator recalls
	packedBatch  = cosmeticsPrefix + "/CREAM-B20261128"
	packedLot    = "B20261128"
	packedUnits  = 20000
	filingNumber = "粤G妆网备字2026000123"
	licence      = "粤妆20160001"
)

// cosmetics: raw-material lots transformed into a batch (filing number,
// production licence), batch inspection and release, serialized units, and
// a regulator's recall of one material lot that reaches every unit.
func (d *demo) cosmetics(ctx context.Context) error {
	g := gtin("690123456790")
	if err := d.creamBatch(ctx, g); err != nil {
		return err
	}
	if err := d.creamRelease(ctx); err != nil {
		return err
	}
	units, err := d.creamUnits(ctx, g)
	if err != nil {
		return err
	}
	if err := d.materialRecall(ctx, units); err != nil {
		return err
	}
	packed, err := d.creamPacked(ctx, g)
	if err != nil {
		return err
	}
	d.links = append(d.links,
		link{units[0], "面霜 (已召回) cream, recalled", true},
		link{units[1], "面霜 (已召回) cream, recalled", false},
		link{packed, "面霜 (整批赋码的单品) cream, a packed unit", false})
	return nil
}

// creamPacked registers a second batch whose 20,000 units are packed into
// the batch's one ledger record, inspects and releases it, and verifies
// one unit; it returns that unit's id.
func (d *demo) creamPacked(ctx context.Context, g string) (string, error) {
	d.step("化妆品: 整批赋码, 单品打包在批次记录中", "cosmetics: a batch of 20,000 units packed in its one record")
	batch := domain.ItemInput{ID: packedBatch, Kind: domain.KindBatch, Industry: domain.IndustryCosmetics,
		Model: creamModel, GTIN: g, Lot: packedLot, Units: packedUnits, Attributes: map[string]string{
			"productName": "玻尿酸保湿面霜 50ml hyaluronic moisturising cream", "productionDate": "2026-11-28",
			"expiryDate": "2029-11-27", "filingNo": filingNumber, "productionLicence": licence}}
	if err := d.register(ctx, "整批面霜 packed cream batch", []domain.ItemInput{batch}); err != nil {
		return "", err
	}
	tpc, ph, pb, hg, filed := 90.0, 6.1, 0.4, 0.04, true
	if err := d.inspectOnceAndRelease(ctx, inspectionRequest{
		InspectionInput: domain.InspectionInput{ID: packedBatch, Model: creamModel, Equipment: "QC-LAB-1",
			Results: []domain.TestResult{{Code: "TPC_CFU_G", Value: &tpc}, {Code: "PH", Value: &ph},
				{Code: "PB_MG_KG", Value: &pb}, {Code: "HG_MG_KG", Value: &hg}, {Code: "FILING_NO", Pass: &filed}}},
		Detail: map[string]any{"lab": "QC-LAB-1", "report": "QC-B20261128"},
	}); err != nil {
		return "", err
	}
	unit := domain.PackedUnitID(packedBatch, 12345)
	v, err := d.verify(ctx, unit)
	if err != nil {
		return "", err
	}
	if !v.Genuine || !v.Released {
		return "", fmt.Errorf("整批单品 packed unit %s: genuine %v, released %v", unit, v.Genuine, v.Released)
	}
	d.say("%d 个单品一条账本记录; 单品 unit %s: 真品 genuine, 已放行 released (批次 batch %s)", packedUnits, unit, packedBatch)
	return unit, nil
}

// creamBatch registers the material lots and the cream batch (GTIN g) and
// records the batch's transformation from them.
func (d *demo) creamBatch(ctx context.Context, g string) error {
	d.step("化妆品: 原料批次与生产批次", "cosmetics: raw-material lots and a production batch")
	mats := []struct{ id, lot, material, supplier string }{
		{cosmeticsPrefix + "/MAT-GLY-2026A", "GLY2026A", "甘油 glycerin", "广州某化工 Guangzhou supplier A"},
		{recalledLot, "HA2026A", "透明质酸钠 sodium hyaluronate", "山东某生物 Shandong supplier B"},
		{cosmeticsPrefix + "/MAT-AQUA-2026A", "AQ2026A", "纯化水 purified water", "自制 in-house"},
	}
	var items []domain.ItemInput
	var inputs []domain.Input
	for i, m := range mats {
		items = append(items, domain.ItemInput{ID: m.id, Kind: domain.KindMaterialLot, Industry: domain.IndustryCosmetics,
			Lot: m.lot, Attributes: map[string]string{"material": m.material, "supplier": m.supplier}})
		inputs = append(inputs, domain.Input{ID: m.id, Quantity: []float64{60, 1.5, 420}[i], Unit: "kg"})
	}
	items = append(items, domain.ItemInput{ID: creamBatch, Kind: domain.KindBatch, Industry: domain.IndustryCosmetics,
		Model: creamModel, GTIN: g, Lot: creamLot, Attributes: map[string]string{
			"productName": "玻尿酸保湿面霜 50ml hyaluronic moisturising cream", "productionDate": "2026-11-27",
			"expiryDate": "2029-11-26", "filingNo": filingNumber, "productionLicence": licence}})
	if err := d.register(ctx, "原料批次与面霜批次 material lots and cream batch", items); err != nil {
		return err
	}
	todo, err := d.missing(ctx, []domain.EventInput{{Type: domain.EventTransforming, ID: creamBatch, Inputs: inputs,
		ReadPoint: "GZ-MIX-2 乳化锅 emulsifier"}})
	if err != nil {
		return err
	}
	return d.record(ctx, makerOperator, "投料生产 transforming", todo)
}

// creamRelease inspects the batch against its plan and releases it.
func (d *demo) creamRelease(ctx context.Context) error {
	d.step("化妆品: 批检验与放行", "cosmetics: batch inspection and release")
	if err := d.ensurePlan(ctx, domain.ExampleCosmeticsBatchPlan(creamModel)); err != nil {
		return err
	}
	tpc, ph, pb, hg, filed := 120.0, 6.2, 0.5, 0.05, true
	return d.inspectOnceAndRelease(ctx, inspectionRequest{
		InspectionInput: domain.InspectionInput{ID: creamBatch, Model: creamModel, Equipment: "QC-LAB-1",
			Results: []domain.TestResult{{Code: "TPC_CFU_G", Value: &tpc}, {Code: "PH", Value: &ph},
				{Code: "PB_MG_KG", Value: &pb}, {Code: "HG_MG_KG", Value: &hg}, {Code: "FILING_NO", Pass: &filed}}},
		Detail: map[string]any{"lab": "QC-LAB-1", "report": "QC-B20261127", "tpcPlates": []int{118, 124, 119},
			"pbICPMS": 0.48, "hgAFS": 0.051, "formulaVersion": "F-2026-07"},
	})
}

// creamUnits registers the serialized units under the batch.
func (d *demo) creamUnits(ctx context.Context, g string) ([]string, error) {
	d.step("化妆品: 单品赋码", "cosmetics: serialize units under the batch")
	var units []string
	var items []domain.ItemInput
	for _, s := range d.state.serials("cosmetics", creamUnits) {
		id := cosmeticsPrefix + "/" + s
		units = append(units, id)
		items = append(items, domain.ItemInput{ID: id, Kind: domain.KindUnit, Industry: domain.IndustryCosmetics,
			Model: creamModel, GTIN: g, Lot: creamLot, Serial: s, Parent: creamBatch})
	}
	return units, d.register(ctx, "面霜单品 cream units", items)
}

// materialRecall has the regulator recall one material lot and checks the
// recall reaches the batch and every unit made from it.
func (d *demo) materialRecall(ctx context.Context, units []string) error {
	d.step("监管: 召回一个原料批次", "regulator: recall of one material lot")
	v, err := d.verify(ctx, recalledLot)
	if err != nil {
		return err
	}
	if v.Recalled {
		d.say("召回 recall %s: 已召回 already recalled", recalledLot)
	} else {
		body := map[string]string{"reason": "供应商通报该批透明质酸钠微生物超标 supplier reported microbial contamination of this lot"}
		if _, err := d.api.call(ctx, regulator, http.MethodPost, "/v1/items"+itemPath(recalledLot)+"/recall", body, nil); err != nil {
			return fmt.Errorf("recall: %w", err)
		}
		d.say("召回 recalled %s", recalledLot)
	}
	recalled := 0
	for _, u := range append([]string{creamBatch}, units...) {
		v, err := d.verify(ctx, u)
		if err != nil {
			return err
		}
		if v.Recalled {
			recalled++
		}
	}
	d.say("受影响 affected: 批次和 %d 个单品中 %d 个显示已召回 (batch + units showing recalled: %d of %d)",
		len(units), recalled, recalled, len(units)+1)
	if recalled != len(units)+1 {
		return fmt.Errorf("召回未传播到全部单品 recall did not reach every unit (%d of %d)", recalled, len(units)+1)
	}
	return nil
}
