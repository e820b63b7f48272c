/**
 * The soak's printed report: the counts, one line per invariant (✔ / ✖ with its numbers and the first
 * offenders), and as the last line one JSON object `{"soak":"passed"|"failed", ...counts}`.
 * Owns: the text. Must not touch: the numbers (checks.ts).
 */
import type { SoakResult } from './run.ts';

const flat = (value: unknown): string =>
  typeof value === 'object' && value !== null
    ? Object.entries(value)
        .map(([k, v]) => `${k} ${typeof v === 'object' && v !== null ? `{${flat(v)}}` : String(v)}`)
        .join(', ')
    : String(value);

export const reportLines = (result: SoakResult): string[] => {
  const c = result.counts;
  const lines = [
    '',
    'dr-relay soak',
    ...Object.entries(c).map(([name, value]) => `  ${name.padEnd(22)} ${flat(value)}`),
    '',
    'invariants',
  ];
  for (const invariant of result.invariants) {
    lines.push(`  ${invariant.ok ? '✔' : '✖'} ${invariant.name}: ${invariant.detail}`);
    for (const offender of invariant.offenders ?? [])
      lines.push(`      ${offender.split('\n').join('\n      ')}`);
  }
  if (!result.passed) lines.push('', `logs (backend, worker, routes): ${result.logDir}`);
  lines.push('', JSON.stringify({ soak: result.passed ? 'passed' : 'failed', ...c }));
  return lines;
};
