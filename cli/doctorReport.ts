/**
 * How `dr-relay doctor` reads: one line per target (target, verdict and why, then the actions and
 * where they come from, reachability, signature, permission and the state seen) and a summary line
 * (`N targets: N ok, N would fail`); or one JSON document.
 * Owns: that text and that document. Must not touch: what is checked (cli/doctorChecks.ts), the
 * network (only cli/doctor.ts reads).
 */
import type { TargetReport } from './doctorChecks.ts';
import { plural } from './format.ts';

export interface DoctorReport {
  readonly ok: boolean;
  /** True when the checks ran against the local stack of `npm start` (nothing configured). */
  readonly local: boolean;
  readonly summary: { readonly targets: number; readonly ok: number; readonly would_fail: number };
  readonly targets: readonly TargetReport[];
}

export const doctorReport = (targets: readonly TargetReport[], local: boolean): DoctorReport => {
  const ok = targets.filter((t) => t.verdict === 'ok').length;
  return {
    ok: ok === targets.length,
    local,
    summary: { targets: targets.length, ok, would_fail: targets.length - ok },
    targets,
  };
};

const yesNo = (value: boolean | null, yes: string, no: string, unknown: string): string =>
  value === null ? unknown : value ? yes : no;

/** `route a, b; request x.json`: the places, by kind. */
const fromText = (from: readonly string[]): string => {
  const routes = from.filter((f) => f.startsWith('route ')).map((f) => f.slice('route '.length));
  const requests = from.filter((f) => f.startsWith('request ')).map((f) => f.slice('request '.length));
  return [
    routes.length === 0 ? undefined : `${routes.length === 1 ? 'route' : 'routes'} ${routes.join(', ')}`,
    requests.length === 0
      ? undefined
      : `${requests.length === 1 ? 'request' : 'requests'} ${requests.join(', ')}`,
  ]
    .filter(Boolean)
    .join('; ');
};

export const targetLine = (t: TargetReport): string => {
  const access = [
    t.reachable ? 'reachable' : 'unreachable',
    t.reachable
      ? yesNo(t.signature_accepted, 'signature accepted', 'signature refused', 'signature unknown')
      : undefined,
    t.reachable ? yesNo(t.permission, 'permitted', 'no permission', 'permission unknown') : undefined,
  ].filter(Boolean);
  return (
    `${t.target}  ${t.verdict}${t.reason === undefined ? '' : `: ${t.reason}`}` +
    `  [${t.actions.join(', ')} for ${fromText(t.from)}; ${access.join(', ')}` +
    `${t.state === undefined ? '' : `; ${t.state}`}]`
  );
};

export const summaryLine = (report: DoctorReport): string =>
  `${plural(report.summary.targets, 'target')}: ${report.summary.ok} ok, ${report.summary.would_fail} would fail`;

export const doctorText = (report: DoctorReport): string =>
  [...report.targets.map(targetLine), summaryLine(report)].join('\n');
