/**
 * Building the flat string labels of an AlarmSignal. Owns: precedence (later groups win) and keeping
 * odd keys such as `__proto__` as plain own data (Object.fromEntries never touches a prototype).
 * Must not touch: which labels a source contributes (each source decides).
 */
export type LabelEntry = readonly [key: string, value: string | undefined];

/** Merges label groups in order (a later group overrides an earlier one); empty values are left out. */
export const buildLabels = (...groups: Iterable<LabelEntry>[]): Record<string, string> => {
  const merged = new Map<string, string>();
  for (const group of groups) {
    for (const [key, value] of group) {
      if (key !== '' && value !== undefined && value !== '') merged.set(key, value);
    }
  }
  return Object.fromEntries(merged);
};
