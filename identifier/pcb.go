package identifier

import "strconv"

// PCBStep is one step of the printed-circuit-board process vocabulary used in
// trace events.
type PCBStep struct {
	Code    string `json:"code"`    // stable snake_case code stored on the ledger
	Name    string `json:"name"`    // Chinese name shown to users
	English string `json:"english"` // English name
}

// PCB process step codes, in process order.
const (
	StepCutting         = "cutting"
	StepInnerImaging    = "inner_imaging"
	StepEtching         = "etching"
	StepAOI             = "aoi"
	StepLamination      = "lamination"
	StepDrilling        = "drilling"
	StepPlating         = "plating"
	StepOuterImaging    = "outer_imaging"
	StepSolderMask      = "solder_mask"
	StepSilkscreen      = "silkscreen"
	StepSurfaceFinish   = "surface_finish"
	StepElectricalTest  = "electrical_test"
	StepFinalInspection = "final_inspection"
)

var pcbSteps = [...]PCBStep{
	{StepCutting, "开料", "Cutting"},
	{StepInnerImaging, "内层图形", "Inner-layer imaging"},
	{StepEtching, "蚀刻", "Etching"},
	{StepAOI, "自动光学检测", "Automated optical inspection (AOI)"},
	{StepLamination, "层压", "Lamination"},
	{StepDrilling, "钻孔", "Drilling"},
	{StepPlating, "电镀", "Plating"},
	{StepOuterImaging, "外层图形", "Outer-layer imaging"},
	{StepSolderMask, "阻焊", "Solder mask"},
	{StepSilkscreen, "丝印", "Silkscreen"},
	{StepSurfaceFinish, "表面处理", "Surface finish"},
	{StepElectricalTest, "电测", "Electrical test"},
	{StepFinalInspection, "终检", "Final inspection"},
}

// PCBSteps lists the PCB process steps in process order.
func PCBSteps() []PCBStep { return append([]PCBStep(nil), pcbSteps[:]...) }

// ParsePCBStep looks up a step by its code (exact, lower-case). Errors have
// code INVALID_CODE.
func ParsePCBStep(code string) (PCBStep, error) {
	for _, s := range pcbSteps {
		if s.Code == code {
			return s, nil
		}
	}
	return PCBStep{}, newError(CodeInvalidCode, -1, "unknown PCB process step "+strconv.Quote(code))
}
