// Package analysis holds the computations behind the labs that show what
// autoencoders are for. It is pure computation on float32 matrices stored
// row-major, like package ae, and knows nothing of sessions or HTTP.
//
// # Compression (bits.go, psnr.go)
//
// An image of K 8-bit pixels costs 8·K bits; its code costs 32·M bits as
// float32s, or fewer once each latent value is rounded to a few bits
// (QuantizeLatent). Decoding the code shows what the saving costs: the mean
// squared error (MSE) and the peak signal-to-noise ratio, PSNR =
// 10·log₁₀(peak²/MSE) in decibels, where higher is better.
//
// # Denoising (noise.go, psnr.go)
//
// A denoising autoencoder is trained to map a corrupted input back to the
// clean one, so it has to learn what real data looks like rather than copy
// pixels. Noise adds Gaussian noise, masks pixels to black, or flips pixels
// to black or white (salt and pepper); the PSNR of the noisy input against
// that of the denoised output measures how much the network repairs.
//
// # Anomaly detection (roc.go, histogram.go)
//
// An autoencoder trained only on normal examples reconstructs them well and
// anything unlike them badly, so the reconstruction error (RowMSE) is an
// anomaly score. Flagging every score above a threshold gives a precision,
// a recall and their F1; sweeping the threshold gives the ROC curve, whose
// area (AUC) is the chance that an anomaly scores higher than a normal
// example: 1 is perfect, 0.5 is guessing.
//
// # Feature extraction (knn.go, logreg.go, kmeans.go, purity.go)
//
// If the code captures what matters, simple methods on the codes should do
// as well as on the raw pixels, with far fewer numbers. A k-nearest-neighbour
// classifier and a logistic regression, trained on a few labelled codes,
// measure how well the classes separate (Accuracy); k-means finds groups
// without labels, and Purity, AdjustedRandIndex and NMI score how well those
// groups match the classes.
//
// # Latent explorer (latent.go)
//
// Decoding chosen codes shows what the decoder has learned: a regular Grid
// over a 2-D code space draws the learned manifold, and decoding codes
// Interpolated between two examples morphs one into the other. The variance
// of each latent unit reveals dead units, and Bounds gives the range over
// which the codes really lie.
//
// # Conventions
//
// As in gonum, destination slices come first, shape misuse (slices of the
// wrong length) panics with a message saying what was expected, and user
// mistakes (a noise level out of range, k larger than the training set) are
// returned as errors wrapping ErrInvalidInput. Random choices draw from a
// *rand.Rand passed in, so a seed gives the same result every time.
package analysis
