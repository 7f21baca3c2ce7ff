package session

// The messages below are the wire protocol of a session's live stream,
// documented field by field in docs/protocol.md. Each is marshalled to one
// JSON object carrying its Type.

// Message types.
const (
	TypeSnapshot        = "snapshot"
	TypeProgress        = "progress"
	TypeLoss            = "loss"
	TypeLatent          = "latent"
	TypeReconstructions = "reconstructions"
	TypeState           = "state"
)

// LossPoint is one point of a loss curve.
type LossPoint struct {
	Step  int     `json:"step"`
	Epoch float64 `json:"epoch"`
	Loss  float64 `json:"loss"`
}

// Progress says how far a training has come.
type Progress struct {
	Type          string  `json:"type,omitempty"`
	Epoch         int     `json:"epoch"`
	Epochs        int     `json:"epochs"`
	Step          int     `json:"step"`
	TotalSteps    int     `json:"total_steps"`
	SamplesPerSec float64 `json:"samples_per_sec"`
	Elapsed       float64 `json:"elapsed_seconds"`
	ETA           float64 `json:"eta_seconds"`
}

// LossBatch carries the loss points recorded since the previous one.
type LossBatch struct {
	Type  string      `json:"type"`
	Train []LossPoint `json:"train"`
	Test  []LossPoint `json:"test"`
}

// Latent is the encoder's code of a fixed set of test examples, in 2-D.
type Latent struct {
	Type       string    `json:"type,omitempty"`
	Step       int       `json:"step"`
	Epoch      float64   `json:"epoch"`
	Projection string    `json:"projection"` // "identity" or "pca"
	Axes       [2]string `json:"axes"`
	X          []float32 `json:"x"`
	Y          []float32 `json:"y"`
	Labels     []int     `json:"labels"`
	ClassNames []string  `json:"class_names"`
}

// Reconstructions holds fixed test examples and the model's current
// reconstructions of them, quantised to bytes over [Lo, Hi] and base64
// encoded (the []byte fields marshal as base64).
type Reconstructions struct {
	Type            string    `json:"type,omitempty"`
	Step            int       `json:"step"`
	Epoch           float64   `json:"epoch"`
	Kind            string    `json:"kind"` // "image" or "vector"
	Width           int       `json:"width"`
	Height          int       `json:"height"`
	Count           int       `json:"count"`
	Labels          []int     `json:"labels"`
	Lo              float32   `json:"lo"`
	Hi              float32   `json:"hi"`
	Originals       []byte    `json:"originals"`
	Reconstructions []byte    `json:"reconstructions"`
	MSE             []float64 `json:"mse"`
}

// StateMsg announces a change of state.
type StateMsg struct {
	Type          string   `json:"type,omitempty"`
	State         State    `json:"state"`
	Error         string   `json:"error,omitempty"`
	TestLoss      *float64 `json:"test_loss"`
	QueuePosition int      `json:"queue_position"`
}

// Snapshot is everything a viewer needs to catch up: the first message of
// every stream.
type Snapshot struct {
	Type            string           `json:"type"`
	Session         Info             `json:"session"`
	Progress        *Progress        `json:"progress"`
	TrainLoss       []LossPoint      `json:"train_loss"`
	TestLoss        []LossPoint      `json:"test_loss"`
	Latent          *Latent          `json:"latent"`
	Reconstructions *Reconstructions `json:"reconstructions"`
	State           StateMsg         `json:"state"`
}
