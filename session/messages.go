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
	TypeMetrics         = "metrics"
	TypeAnomaly         = "anomaly"
	TypeChange          = "change"
)

// LossPoint is one point of a loss curve. Loss is the reconstruction loss
// (for a VAE: reconstruction + KL, the negative ELBO per example). The parts
// are present only where they exist: Reconstruction and KL for a VAE,
// Sparsity and WeightDecay when those penalties are on (training points
// only).
type LossPoint struct {
	Step           int      `json:"step"`
	Epoch          float64  `json:"epoch"`
	Loss           float64  `json:"loss"`
	Reconstruction *float64 `json:"reconstruction,omitempty"`
	KL             *float64 `json:"kl,omitempty"`
	Sparsity       *float64 `json:"sparsity,omitempty"`
	WeightDecay    *float64 `json:"weight_decay,omitempty"`
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
	// Inputs are the corrupted inputs of a denoising run (same encoding as
	// Originals, which stay the clean targets); absent otherwise.
	Inputs []byte `json:"inputs,omitempty"`
}

// MetricPoint is one value of a named per-epoch measure.
type MetricPoint struct {
	Step  int     `json:"step"`
	Epoch float64 `json:"epoch"`
	Value float64 `json:"value"`
}

// Metrics carries new points of named measures (e.g. "psnr_noisy" and
// "psnr_denoised" of a denoising run), like LossBatch does for losses.
type Metrics struct {
	Type   string                   `json:"type,omitempty"`
	Points map[string][]MetricPoint `json:"points"`
}

// Anomaly scores every test example by its reconstruction error, for a run
// trained on some classes only: the other classes are the anomalies.
type Anomaly struct {
	Type          string     `json:"type,omitempty"`
	Step          int        `json:"step"`
	Epoch         float64    `json:"epoch"`
	NormalClasses []int      `json:"normal_classes"`
	Scores        []float64  `json:"scores"` // per test example: mean squared reconstruction error
	Labels        []int      `json:"labels"` // per test example: class index
	AUC           float64    `json:"auc"`    // area under the ROC curve (1 = perfect, 0.5 = chance)
	ROC           []ROCPoint `json:"roc"`    // at most ~200 points, from (0,0) to (1,1)
	Gallery       Gallery    `json:"gallery"`
}

// ROCPoint is a point of a receiver operating characteristic curve.
type ROCPoint struct {
	FPR       float64 `json:"fpr"`
	TPR       float64 `json:"tpr"`
	Threshold float64 `json:"threshold"`
}

// Gallery is a set of examples with their reconstructions, encoded like
// Reconstructions: the highest-scoring test examples of an anomaly run.
type Gallery struct {
	Kind            string    `json:"kind"`
	Width           int       `json:"width"`
	Height          int       `json:"height"`
	Count           int       `json:"count"`
	Indices         []int     `json:"indices"`
	Labels          []int     `json:"labels"`
	Scores          []float64 `json:"scores"`
	Lo              float32   `json:"lo"`
	Hi              float32   `json:"hi"`
	Originals       []byte    `json:"originals"`
	Reconstructions []byte    `json:"reconstructions"`
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
	Type            string                   `json:"type"`
	Session         Info                     `json:"session"`
	Progress        *Progress                `json:"progress"`
	TrainLoss       []LossPoint              `json:"train_loss"`
	TestLoss        []LossPoint              `json:"test_loss"`
	Latent          *Latent                  `json:"latent"`
	Reconstructions *Reconstructions         `json:"reconstructions"`
	State           StateMsg                 `json:"state"`
	Metrics         map[string][]MetricPoint `json:"metrics"`
	Anomaly         *Anomaly                 `json:"anomaly"`
	// Changes are the settings changed while the run trained, oldest first.
	Changes []Change `json:"changes"`
}
