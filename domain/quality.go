package domain

// TestKind is how a test item is judged.
type TestKind string

const (
	TestNumeric TestKind = "numeric"
	TestBoolean TestKind = "boolean"
)

// PlanItem is one test item of an inspection plan.
type PlanItem struct {
	Code     string   `json:"code"`
	Name     string   `json:"name,omitempty"`
	Unit     string   `json:"unit,omitempty"`
	Kind     TestKind `json:"kind,omitempty"` // numeric unless "boolean"
	Min      *float64 `json:"min,omitempty"`
	Max      *float64 `json:"max,omitempty"`
	Required bool     `json:"required"`
}

// Plan is a versioned inspection plan for a product model, owned by a maker.
type Plan struct {
	Model    string   `json:"model"`
	Industry Industry `json:"industry"`
	Owner    string   `json:"owner"`
	// Enterprise is the USCC of the enterprise (hosted by Owner) the plan
	// belongs to, "" for the org's own plan.
	Enterprise string     `json:"enterprise,omitempty"`
	Version    int        `json:"version"`
	Items      []PlanItem `json:"items"`
	Example    bool       `json:"example,omitempty"` // demo plans: not regulatory values
	UpdatedAt  string     `json:"updatedAt"`
	UpdatedBy  string     `json:"updatedBy,omitempty"`
	TxID       string     `json:"txId"`
}

// TestResult is one measured result of an inspection.
type TestResult struct {
	Code  string   `json:"code"`
	Value *float64 `json:"value,omitempty"`
	Pass  *bool    `json:"pass,omitempty"`
}

// InspectionInput is POST /v1/inspections (detail travels as transient data,
// never as a proposal argument).
type InspectionInput struct {
	ID        string       `json:"id"`
	Model     string       `json:"model"`
	Results   []TestResult `json:"results"`
	Equipment string       `json:"equipment,omitempty"`
}

// Judgement is the on-chain verdict of an inspection against a plan.
type Judgement struct {
	Passed  bool     `json:"passed"`
	Failed  []string `json:"failed"`  // required items out of limits, plan order
	Missing []string `json:"missing"` // required items without a result, plan order
	// Advisory lists non-required items that failed; they never block.
	Advisory []string `json:"advisory,omitempty"`
}

// Inspection is the public record of an inspection.
type Inspection struct {
	InspectionInput
	Judgement
	ID           string `json:"id"` // the inspected item
	PlanVersion  int    `json:"planVersion"`
	Inspector    string `json:"inspector"`
	InspectorMSP string `json:"inspectorMsp"`
	DetailHash   string `json:"detailHash,omitempty"`
	At           string `json:"at"`
	TxID         string `json:"txId"`
}

// InspectionResult is what RecordInspection returns.
type InspectionResult struct {
	Judgement
	PlanVersion int    `json:"planVersion"`
	TxID        string `json:"txId"`
}

// Recall is a recall order on an item (usually a lot, batch or material lot);
// every descendant reads as recalled.
type Recall struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
	At     string `json:"at"`
	By     string `json:"by"` // MSP ID of the recalling org
	ByUser string `json:"byUser,omitempty"`
	TxID   string `json:"txId"`
}

// Release is the record of a quality release.
type Release struct {
	ID     string `json:"id"`
	At     string `json:"at"`
	By     string `json:"by"`
	ByUser string `json:"byUser,omitempty"`
	TxID   string `json:"txId"`
}
