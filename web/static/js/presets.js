// Presets of the new-session form: one click fills the fields of a classic set-up (the user can
// still change any of them before pressing Train). Pure data plus one function that applies it.

/** PRESETS maps a preset name to form values (field name → text); fields not named are kept. */
export const PRESETS = {
  plain: {
    kind: 'ae', beta: '', conv: '', encoder: '256', bottleneck: '50', decoder: '', bottleneck_activation: 'linear',
    loss: 'mse', sparsity: '', weight_decay: '', learning_rate: '0.001', batch_size: '64', epochs: '5',
    noise: 'none', noise_level: '',
  },
  // The PyTorch examples' VAE with a 2-D code that can be plotted: 784 → 400 → (2) → 400 → 784, BCE.
  vae2: {
    kind: 'vae', beta: '1', conv: '', encoder: '400', bottleneck: '2', decoder: '', bottleneck_activation: 'linear',
    loss: 'bce', output_activation: 'sigmoid', sparsity: '', weight_decay: '', learning_rate: '0.001',
    batch_size: '128', epochs: '10', noise: 'none', noise_level: '',
  },
  // The convolutional autoencoder of the PyTorch comparison (ae.CAEConfig): two 3×3 stride-2
  // convolutions of 16 and 32 filters, a linear 32-unit code, mirrored back to the image.
  conv: {
    kind: 'ae', beta: '', conv: '16, 32', encoder: '', bottleneck: '32', decoder: '', bottleneck_activation: 'linear',
    loss: 'mse', output_activation: 'sigmoid', sparsity: '', weight_decay: '', learning_rate: '0.001',
    batch_size: '64', epochs: '3', noise: 'none', noise_level: '',
  },
  // A sparse autoencoder: a code wider than the plain one (128 units, ReLU so that units can be
  // exactly off) with an L1 penalty on its activity, so that few units fire for each example.
  sparse: {
    kind: 'ae', beta: '', conv: '', encoder: '256', bottleneck: '128', decoder: '', bottleneck_activation: 'relu',
    loss: 'mse', output_activation: 'sigmoid', sparsity: '0.01', weight_decay: '', learning_rate: '0.001',
    batch_size: '64', epochs: '5', noise: 'none', noise_level: '',
  },
  // A denoising autoencoder: 30% of the input pixels masked to 0 while training, clean targets.
  denoising: {
    kind: 'ae', beta: '', conv: '', encoder: '256', bottleneck: '50', decoder: '', bottleneck_activation: 'linear',
    loss: 'mse', output_activation: 'sigmoid', sparsity: '', weight_decay: '', learning_rate: '0.001',
    batch_size: '64', epochs: '5', noise: 'masking', noise_level: '0.3',
  },
};

/**
 * applyPreset writes preset `name` into `form` (an HTMLFormElement) and returns the names of the
 * fields it changed; the caller then refreshes what depends on them.
 */
export function applyPreset(form, name) {
  const values = PRESETS[name];
  if (!values) return [];
  const changed = [];
  for (const [field, value] of Object.entries(values)) {
    const el = form.elements.namedItem(field);
    if (!el || el.value === value) continue;
    el.value = value;
    changed.push(field);
  }
  return changed;
}
