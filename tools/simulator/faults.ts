/**
 * Fault injection: the ordered rule list, the seeded PRNG (mulberry32) that decides `rate`, the
 * `times` budget, and the label written to the call log ('status:503:before', 'timeout:after'...).
 * Owns: choosing which fault (if any) applies to a call. Must not touch: sockets, state.
 */
import type { FaultCall, FaultRule } from './types.ts';

/** Small, fast, repeatable PRNG: the same seed gives the same sequence in [0, 1). */
export const mulberry32 = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** A fault chosen for one call, with its defaults resolved. */
export interface ChosenFault {
  kind: FaultRule['kind'];
  when: 'before' | 'after';
  status: number;
  body?: Record<string, unknown>;
  latencyMs: number;
  label: string;
}

export interface FaultRegistry {
  add(rule: FaultRule): () => void;
  clear(): void;
  pick(call: FaultCall): ChosenFault | undefined;
}

const validate = (rule: FaultRule): void => {
  const rate = rule.rate ?? 1;
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`fault rate must be within 0..1: ${rule.rate}`);
  if (rule.times !== undefined && !(rule.times >= 0)) throw new RangeError(`fault times must be >= 0`);
  if (rule.latencyMs !== undefined && !(rule.latencyMs >= 0)) throw new RangeError(`latencyMs must be >= 0`);
};

const labelOf = (rule: FaultRule, when: string, status: number, latencyMs: number): string => {
  switch (rule.kind) {
    case 'status':
      return `status:${status}:${when}`;
    case 'latency':
      return `latency:${latencyMs}`;
    default:
      return `${rule.kind}:${when}`;
  }
};

const routeMatches = (rule: FaultRule, call: FaultCall): boolean => {
  if (rule.route === undefined) return true;
  return Array.isArray(rule.route) ? rule.route.includes(call.route) : rule.route === call.route;
};

export const createFaults = (seed: number): FaultRegistry => {
  const rules: { rule: FaultRule; used: number }[] = [];
  const random = mulberry32(seed);

  const chosen = (rule: FaultRule): ChosenFault => {
    const when = rule.when ?? 'before';
    const status = rule.status ?? 503;
    const latencyMs = rule.latencyMs ?? 0;
    return {
      kind: rule.kind,
      when,
      status,
      ...(rule.body ? { body: rule.body } : {}),
      latencyMs,
      label: labelOf(rule, when, status, latencyMs),
    };
  };

  return {
    add(rule) {
      validate(rule);
      const entry = { rule, used: 0 };
      rules.push(entry);
      return () => {
        const index = rules.indexOf(entry);
        if (index >= 0) rules.splice(index, 1);
      };
    },
    clear() {
      rules.length = 0;
    },
    pick(call) {
      for (const entry of rules) {
        const { rule } = entry;
        if (rule.times !== undefined && entry.used >= rule.times) continue;
        if (!routeMatches(rule, call)) continue;
        if (rule.match && !rule.match(call)) continue;
        const rate = rule.rate ?? 1;
        // Roll only for real probabilities, so certain rules leave the sequence untouched.
        if (rate < 1 && !(random() < rate)) continue;
        entry.used += 1;
        return chosen(rule);
      }
      return undefined;
    },
  };
};
