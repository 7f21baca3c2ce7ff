// Decoding of the reconstructions message's quantised pixels (docs/protocol.md): base64 of bytes,
// byte b standing for lo + b/255 · (hi − lo).

/** decodeBase64 turns a base64 string into its bytes. */
export function decodeBase64(b64) {
  const bin = atob(String(b64 ?? ''));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** dequantise maps bytes back to values: b → lo + b/255 · (hi − lo). */
export function dequantise(bytes, lo, hi) {
  const out = new Float32Array(bytes.length);
  const scale = (hi - lo) / 255;
  for (let i = 0; i < bytes.length; i++) out[i] = lo + bytes[i] * scale;
  return out;
}

/**
 * examples splits `count` examples of `size` values each out of a flat array (example after
 * example). Missing trailing bytes give shorter slices rather than an error.
 */
export function examples(flat, count, size) {
  const out = [];
  for (let i = 0; i < count; i++) out.push(flat.subarray(i * size, Math.min(flat.length, (i + 1) * size)));
  return out;
}
