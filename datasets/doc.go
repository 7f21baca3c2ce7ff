// Package datasets provides the data that students train autoencoders on:
// MNIST (embedded in the binary), Fashion-MNIST (read from disk when
// installed), small generated sets for teaching (swiss roll, S-curve, blobs,
// concentric spheres, sine waves with anomalies) and CSV files that users
// upload.
//
// Every dataset is a [Dataset]: a training and a test [Split], each a
// row-major N×K matrix of float32 with one class index per row. A [Registry]
// lists the datasets without decoding them and loads each one at most once;
// the returned *Dataset is shared by every caller and must be treated as
// read-only.
//
// The package is pure computation: no HTTP, no sessions, no global state
// besides the decoded copy of the embedded MNIST files.
//
// # Value ranges
//
// Image sets hold pixel/255 in [0,1]. Generated sets are scaled to [0,1] by
// min–max over their training split (see each set's Description for the
// exact rule); test values outside that range are clipped, so both splits lie
// in [Dataset.ValueRange]. A ValueRange inside [0,1] means the data fits a
// sigmoid output and binary cross-entropy loss.
package datasets
