/**
 * An alert's fingerprint computed exactly as Alertmanager computes it, for senders that leave it
 * out (Alertmanager before 0.19 sends webhook version 4 without `fingerprint`), so that one alert
 * gives one episode whichever Alertmanager version delivers it.
 *
 * Alertmanager's `fingerprint` is `alert.Labels.Fingerprint().String()`, from prometheus/common
 * model: `labelSetToFingerprint` (model/signature.go) hashes, for each label name in sorted order
 * (Go string order: byte-wise over UTF-8), the name, the separator byte 0xff, the value and 0xff
 * again, with 64-bit FNV-1a (hash/fnv New64a: offset basis 14695981039346656037, prime
 * 1099511628211); `Fingerprint.String()` (model/fingerprinting.go) is `%016x`. An empty label set
 * hashes to the offset basis.
 * Owns: that computation. Must not touch: the alert schema (alerts.ts), episodes.
 */

const SEPARATOR = 0xff;
/** 64-bit FNV offset basis, as two 32-bit halves. */
const OFFSET_HI = 0xcbf29ce4;
const OFFSET_LO = 0x84222325;
/** The low bits of the 64-bit FNV prime 2^40 + 0x1b3. */
const PRIME_LOW = 0x1b3;
const TWO_32 = 0x1_0000_0000;

const utf8 = new TextEncoder();

/** Byte-wise comparison of UTF-8 encodings: Go's string order (JS `<` compares UTF-16 code units). */
const byBytes = (a: { bytes: Uint8Array }, b: { bytes: Uint8Array }): number => {
  const x = a.bytes;
  const y = b.bytes;
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
};

/**
 * FNV-1a 64 over `chunks`, in two exact 32-bit halves (no BigInt: a label set of a hostile payload
 * may be large). h * prime mod 2^64 = h * 0x1b3 + (h << 40): both products stay below 2^53.
 */
const fnv1a64 = (chunks: readonly Uint8Array[]): string => {
  let hi = OFFSET_HI;
  let lo = OFFSET_LO;
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) {
      lo = (lo ^ chunk[i]!) >>> 0;
      const low = lo * PRIME_LOW;
      const carry = Math.floor(low / TWO_32);
      hi = (hi * PRIME_LOW + carry + (lo & 0xff_ffff) * 0x100) >>> 0;
      lo = low >>> 0;
    }
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
};

/** The 16 lower-case hex digits Alertmanager sends as an alert's `fingerprint`, for its label set. */
export const labelSetFingerprint = (labels: Readonly<Record<string, string>>): string => {
  const entries = Object.keys(labels)
    .map((name) => ({ bytes: utf8.encode(name), value: utf8.encode(labels[name]!) }))
    .sort(byBytes);
  const separator = Uint8Array.of(SEPARATOR);
  return fnv1a64(entries.flatMap((e) => [e.bytes, separator, e.value, separator]));
};
