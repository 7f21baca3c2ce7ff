// Package ae is a small, exact, allocation-free float32 engine for dense
// autoencoders, written to be read by students.
//
// # What an autoencoder is
//
// An autoencoder learns to copy its input to its output through a narrow
// middle layer. The encoder squeezes a K-dimensional input (a 28×28 image
// has K = 784) into a code of M ≪ K numbers, the latent vector; the decoder
// expands the code back to K numbers. Because the code is too small to hold
// everything, training (minimising the reconstruction loss between input and
// output) forces the network to keep what matters most about the data:
//
//	x (K) → encoder → z (M ≪ K) → decoder → x̂ (K),   minimise loss(x̂, x)
//
// Config.Sizes lists the layer widths, e.g. [784, 256, 50, 256, 784], and
// Config.Bottleneck the index of the latent layer (2 here). Encode, Decode
// and Reconstruct run the trained halves; the latent codes of 2-unit
// bottlenecks can be plotted directly.
//
// # How the engine computes
//
// Each layer is dense: for a batch of n inputs stored as the rows of a
// matrix x, z = x·W + b and a = f(z) (layer.go, activation.go). Training
// (TrainStep) runs the layers forward, computes the loss and its gradient
// with respect to the output layer's pre-activation (loss.go), then runs the
// layers backward with the chain rule to get the gradient of every weight,
// and finally lets the optimizer (sgd.go, momentum.go, adam.go) update them.
// Every op keeps its forward and backward side by side, and every one is
// checked against finite differences in the tests.
//
// Matrix products are single-precision GEMMs with the batch as the row
// dimension (package internal/gemm); W is stored in×out row-major so the
// forward product x·W and the backward products xᵀ·dz and dz·Wᵀ all read
// contiguous rows. All weights and biases live in one flat slice, so each
// optimizer is a single loop. Buffers are allocated by New and reused:
// TrainStep allocates nothing. The gradients and the batch buffers are one
// block; a model made by NewPooled gives it back to a ScratchPool with Park
// while it waits for its next turn (scratch.go), so that many models
// training in turns on a few cores share a few blocks.
//
// Weights start from He initialisation for ReLU-like layers and Glorot for
// the others (see initParams), drawn from one PCG seeded by Config.Seed.
// Results do not depend on Config.Workers or GOMAXPROCS: the same config
// and seed give the same loss history, step for step, bit for bit.
//
// # Variational autoencoders and regularisers
//
// With Config.Kind = VAE the encoder's last layer outputs the mean μ and
// the log-variance log σ² of a Gaussian over codes; the decoder reads a
// sample z = μ + σ·ε, ε ~ N(0, I) drawn from a PCG seeded by Config.Seed
// (vae.go), and the loss per example is the reconstruction loss summed over
// the features plus β·KL(q(z|x) ‖ N(0, I)). Encode returns μ; Generate
// decodes codes drawn from the prior N(0, I): new examples. Config.Sparsity
// (an L1 penalty on the code) and Config.WeightDecay (L2 on the weights,
// decoupled as in AdamW for Adam) work with both kinds (regularise.go).
// TrainStep reports the loss it minimises; LastParts and EvalParts split it
// into reconstruction, KL, sparsity and weight decay.
//
// # Convolutional autoencoders
//
// A convolutional autoencoder (Config.Conv, conv.go and convnet.go) puts
// convolutions before the dense layers and mirrors them in the decoder with
// transposed convolutions back to the input image. Each is one GEMM over
// the batch plus a gather of image patches (im2col) or its adjoint, a
// scatter-add (col2im), so it runs on the same kernels as the dense layers.
//
// PCA (pca.go) is the linear baseline: a linear autoencoder trained with MSE
// converges to the reconstruction error of the first M principal components.
//
// Classifier (classifier.go) is the same dense machinery with a softmax
// cross-entropy head over C classes (softmaxce.go); NewClassifierFromEncoder
// (pretrained.go) starts its first layers from a trained encoder, to test
// whether what an autoencoder learned without labels helps to learn from a
// few.
//
// Shape misuse (wrong slice lengths, too many rows) panics; user mistakes in
// a Config are returned as errors wrapping ErrInvalidConfig.
package ae
