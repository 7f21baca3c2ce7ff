package session

// ResumePoint is where an interrupted session resumed from: the epochs
// completed and the step of the checkpoint it continued from.
type ResumePoint struct {
	Epoch int `json:"epoch"`
	Step  int `json:"step"`
}
