package domain

// Example inspection plans for the demo and tests. They are ILLUSTRATIVE
// EXAMPLES, NOT REGULATORY VALUES: limits loosely follow the kind of checks
// the industry guides ask for (line-end electrical safety for kitchen
// appliances, batch microbiology and heavy metals for cosmetics, AOI and
// electrical test for PCB panels) and must not be read as the limits of any
// standard. Each call returns a fresh copy marked Example.

func f64(v float64) *float64 { return &v }

// ExampleGasStovePlan is an example line-end plan for a kitchen gas stove
// with electronic ignition (kitchen_bath profile; judged per unit).
func ExampleGasStovePlan(model string) Plan {
	return Plan{
		Model: model, Industry: IndustryKitchenBath, Example: true,
		Items: []PlanItem{
			{Code: "EARTH_OHM", Name: "接地电阻 earth continuity", Unit: "ohm", Kind: TestNumeric, Max: f64(0.1), Required: true},
			{Code: "HIPOT", Name: "电气强度 electric strength", Kind: TestBoolean, Required: true},
			{Code: "LEAK_MA", Name: "泄漏电流 leakage current", Unit: "mA", Kind: TestNumeric, Max: f64(0.75), Required: true},
			{Code: "GAS_TIGHT", Name: "气密性 gas tightness", Kind: TestBoolean, Required: true},
			{Code: "IGNITION_S", Name: "点火时间 ignition time (advisory)", Unit: "s", Kind: TestNumeric, Max: f64(4), Required: false},
		},
	}
}

// ExampleCosmeticsBatchPlan is an example batch-release plan for a
// cosmetics batch (cosmetics profile; the batch's own inspection suffices).
func ExampleCosmeticsBatchPlan(model string) Plan {
	return Plan{
		Model: model, Industry: IndustryCosmetics, Example: true,
		Items: []PlanItem{
			{Code: "TPC_CFU_G", Name: "菌落总数 total plate count", Unit: "CFU/g", Kind: TestNumeric, Max: f64(1000), Required: true},
			{Code: "PH", Name: "pH", Kind: TestNumeric, Min: f64(4.0), Max: f64(8.5), Required: true},
			{Code: "PB_MG_KG", Name: "铅 lead", Unit: "mg/kg", Kind: TestNumeric, Max: f64(10), Required: true},
			{Code: "HG_MG_KG", Name: "汞 mercury", Unit: "mg/kg", Kind: TestNumeric, Max: f64(1), Required: true},
			{Code: "FILING_NO", Name: "备案编号 filing number present", Kind: TestBoolean, Required: true},
		},
	}
}

// ExamplePCBPanelPlan is an example plan for a PCB panel (pcb profile;
// judged per panel): automated optical inspection and bare-board
// electrical test with zero opens and zero shorts.
func ExamplePCBPanelPlan(model string) Plan {
	return Plan{
		Model: model, Industry: IndustryPCB, Example: true,
		Items: []PlanItem{
			{Code: "AOI", Name: "自动光学检测 AOI", Kind: TestBoolean, Required: true},
			{Code: "ET_OPENS", Name: "电测开路 E-test opens", Unit: "count", Kind: TestNumeric, Min: f64(0), Max: f64(0), Required: true},
			{Code: "ET_SHORTS", Name: "电测短路 E-test shorts", Unit: "count", Kind: TestNumeric, Min: f64(0), Max: f64(0), Required: true},
		},
	}
}

// ExamplePlans returns the three example plans with the demo's model names.
func ExamplePlans() []Plan {
	return []Plan{
		ExampleGasStovePlan("JZT-2B"),
		ExampleCosmeticsBatchPlan("CREAM-50ML"),
		ExamplePCBPanelPlan("PCB-4L-100"),
	}
}
