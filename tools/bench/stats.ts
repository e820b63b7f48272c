/**
 * Small statistics for the bench: nearest-rank percentiles, the median, and rounding for printing.
 * Owns: arithmetic only (no timing, no I/O).
 */

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN when there are none. */
export const percentile = (samples: readonly number[], p: number): number => {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
};

/** The median (mean of the two middle samples for an even count). */
export const median = (samples: readonly number[]): number => {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

export const ratio = (value: number, reference: number): number => round(value / reference, 2);

/**
 * The median of per-round ratios `values[i] / references[i]` (samples taken side by side in the same
 * round): steadier than the ratio of two medians when the machine's speed drifts during a run, since
 * a slow stretch slows both samples of a round alike. NaN when there are no pairs.
 */
export const pairedRatio = (values: readonly number[], references: readonly number[]): number => {
  const n = Math.min(values.length, references.length);
  const ratios = Array.from({ length: n }, (_, i) => (values[i] as number) / (references[i] as number));
  return round(median(ratios), 2);
};

/** Slope of y over x by least squares (e.g. MB per 1,000 requests). */
export const slope = (xs: readonly number[], ys: readonly number[]): number => {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return 0;
  const mx = xs.slice(0, n).reduce((a, b) => a + b, 0) / n;
  const my = ys.slice(0, n).reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    den += ((xs[i] as number) - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
};

export const mib = (bytes: number): number => round(bytes / (1024 * 1024), 1);
