package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/idchain/idchain/domain"
	"github.com/idchain/idchain/identifier"
)

const (
	pcbModel = "PCB-4L-100"
	panelID  = pcbPrefix + "/PNL-20261127-01"
	boards   = 4
)

// pcb: a panel with its boards, every process step from cutting to the
// electrical test (parameters stay private, their hash is on the ledger),
// AOI and E-test results judged against the plan, and release.
func (d *demo) pcb(ctx context.Context) error {
	d.step("PCB: 拼板与单板登记", "pcb: register a panel and its boards")
	items := []domain.ItemInput{{ID: panelID, Kind: domain.KindPanel, Industry: domain.IndustryPCB, Model: pcbModel,
		Lot: "P20261127", Attributes: map[string]string{"layers": "4", "material": "FR-4 TG150", "size": "100x80mm"}}}
	var boardIDs []string
	for i := 1; i <= boards; i++ {
		id := fmt.Sprintf("%s/BRD-20261127-01-%02d", pcbPrefix, i)
		boardIDs = append(boardIDs, id)
		items = append(items, domain.ItemInput{ID: id, Kind: domain.KindBoard, Industry: domain.IndustryPCB,
			Model: pcbModel, Parent: panelID, Attributes: map[string]string{"position": fmt.Sprint(i)}})
	}
	if err := d.register(ctx, "拼板与单板 panel and boards", items); err != nil {
		return err
	}

	d.step("PCB: 工序记录", "pcb: process steps")
	var steps []domain.EventInput
	for i, s := range identifier.PCBSteps() {
		if s.Code == identifier.StepFinalInspection {
			continue
		}
		params := fmt.Sprintf(`{"step":%q,"recipe":"R-%02d","lineSpeed":%d}`, s.Code, i+1, 3+i%4)
		sum := sha256.Sum256([]byte(params))
		steps = append(steps, domain.EventInput{Type: domain.EventProcessStep, ID: panelID, Step: s.Code,
			Equipment: fmt.Sprintf("SZ-%s-%02d", s.Code, 1+i%3), ParamsHash: hex.EncodeToString(sum[:]),
			ReadPoint: "深圳宝安 PCB 厂 Shenzhen Bao'an fab"})
	}
	todo, err := d.missing(ctx, steps)
	if err != nil {
		return err
	}
	if err := d.record(ctx, makerOperator, "开料…电测 cutting … electrical_test", todo); err != nil {
		return err
	}

	d.step("PCB: AOI 与电测检验, 放行", "pcb: AOI and E-test inspection, release")
	if err := d.ensurePlan(ctx, domain.ExamplePCBPanelPlan(pcbModel)); err != nil {
		return err
	}
	aoi, zero := true, 0.0
	if err := d.inspectOnceAndRelease(ctx, inspectionRequest{
		InspectionInput: domain.InspectionInput{ID: panelID, Model: pcbModel, Equipment: "AOI-3 / ET-2",
			Results: []domain.TestResult{{Code: "AOI", Pass: &aoi}, {Code: "ET_OPENS", Value: &zero}, {Code: "ET_SHORTS", Value: &zero}}},
		Detail: map[string]any{"aoiImages": 48, "aoiFalseCalls": 3, "etNets": 412, "etVoltage": 250, "fixture": "FX-100-4L"},
	}); err != nil {
		return err
	}
	d.links = append(d.links,
		link{panelID, "PCB 拼板 panel", false},
		link{boardIDs[0], "PCB 单板 board", false})
	return nil
}
