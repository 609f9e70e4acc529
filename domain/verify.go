package domain

// Verification is the public view of an item (GET /v1/verify): only public
// data, never private detail.
type Verification struct {
	ID       string  `json:"id"`
	Genuine  bool    `json:"genuine"`
	Status   Status  `json:"status"`
	Released bool    `json:"released"`
	Recalled bool    `json:"recalled"`
	Recall   *Recall `json:"recall,omitempty"` // the recall that applies (own or an ancestor's)
	Maker    string  `json:"maker"`
	// MakerEnterprise names the enterprise that owns the item's prefix
	// (issue 15); nil when the org itself is the maker.
	MakerEnterprise *EnterpriseRef `json:"makerEnterprise,omitempty"`
	Kind            Kind           `json:"kind"`
	Industry        Industry       `json:"industry"`
	Model           string         `json:"model,omitempty"`
	GTIN            string         `json:"gtin,omitempty"`
	Lot             string         `json:"lot,omitempty"`
	Serial          string         `json:"serial,omitempty"`
	CreatedAt       string         `json:"createdAt"`
	ReleasedAt      string         `json:"releasedAt,omitempty"`
	// ReleasedWith names the lot/batch/panel whose release covers the item
	// (domain.ReleaseCovers); empty when the item was released itself.
	ReleasedWith string          `json:"releasedWith,omitempty"`
	Quality      *QualitySummary `json:"quality,omitempty"`
	Timeline     []TimelineEntry `json:"timeline,omitempty"`
	FirstScanAt  string          `json:"firstScanAt,omitempty"`
	Scans        int64           `json:"scans"`
}

// QualitySummary is the public quality verdict: passed and when, never values.
type QualitySummary struct {
	Passed      bool   `json:"passed"`
	InspectedAt string `json:"inspectedAt"`
}

// TimelineEntry is one public provenance step.
type TimelineEntry struct {
	Type EventType `json:"type"`
	At   string    `json:"at"`
	By   string    `json:"by"`
	Step string    `json:"step,omitempty"`
	// Subject and Via attribute an event of a related item: its id and how
	// it relates (ViaParent: the item's lot/batch/panel; ViaContainer: a
	// case or pallet holding it). Both empty for the item's own events.
	Subject string `json:"subject,omitempty"`
	Via     string `json:"via,omitempty"`
}

// Provenance is GET /v1/items/{id}/provenance.
type Provenance struct {
	Item        Item         `json:"item"`
	Events      []Event      `json:"events"`
	Ancestors   []string     `json:"ancestors"`
	Children    []string     `json:"children"`
	Inspections []Inspection `json:"inspections"`
	Release     *Release     `json:"release,omitempty"` // its own, else its lot's when that covers it (Release.ID names which)
	Recall      *Recall      `json:"recall,omitempty"`
}
