/**
 * `explain`'s report as text for a terminal: the event, each signal, each route's outcome, and for
 * an action the approval its route asks for, the key, target, cooldown, exact call and the run-time checks.
 * Owns: that layout. Must not touch: what the report says (explainReport.ts).
 */
import type { ExplainReport, RouteOutcome, SignalReport } from './explainReport.ts';
import { labelText, plural } from './format.ts';

const indent = (text: string, by: string): string =>
  text
    .split('\n')
    .map((line) => `${by}${line}`)
    .join('\n');

const outcomeLines = (outcome: RouteOutcome): string[] => {
  if (!outcome.matched) return [`  [no match]  ${outcome.route}: ${outcome.why.join('; ')}`];
  if (!outcome.act) return [`  [no act]    ${outcome.route}: matched, but ${outcome.reason}`];
  const body = outcome.call.body === undefined ? '(none)' : JSON.stringify(outcome.call.body, null, 2);
  const { approval } = outcome;
  return [
    approval
      ? `  [ACT]       ${outcome.route}: matched, would propose ${outcome.request.action} (${outcome.request.region}) for approval`
      : `  [ACT]       ${outcome.route}: matched, would ${outcome.request.action} (${outcome.request.region})`,
    ...(approval
      ? [
          `      approval  required: ${approval.timeout_seconds} s for a decision by ${
            approval.approvers ? approval.approvers.join(', ') : 'anyone who can sign a request'
          }, then on_timeout ${approval.on_timeout}; no call is made until it is decided`,
        ]
      : []),
    `      key       ${outcome.key}`,
    `      target    ${outcome.target}`,
    `      cooldown  ${outcome.cooldown_seconds > 0 ? `${outcome.cooldown_seconds} s` : 'none'}`,
    `      call      ${outcome.call.method} ${outcome.call.url}`,
    `      body      ${body.includes('\n') ? `\n${indent(body, '        ')}` : body}`,
    '      at run time:',
    ...outcome.at_run_time.map((note) => `        - ${note}`),
  ];
};

const signalLines = (signal: SignalReport, n: number, of: number): string[] => [
  '',
  `signal ${n} of ${of}: ${signal.name} (${signal.source}, ${signal.shape})`,
  `  state     ${signal.state} (previous: ${signal.previous_state ?? 'not given'})`,
  `  episode   ${signal.episode}`,
  `  occurred  ${signal.occurred_at}`,
  `  labels    ${labelText(signal.labels)}`,
  ...(signal.routes.length === 0
    ? ['  (the routes file has no routes)']
    : signal.routes.flatMap(outcomeLines)),
  ...(signal.routes.length > 0 && signal.routes.every((r) => !r.matched) ? ['  => no route matched'] : []),
];

/** What would be done: taken, proposed for approval, or some of each. */
const resultLine = (report: ExplainReport): string => {
  const keys = plural(report.distinct_keys, 'idempotency key');
  if (report.awaiting_approval === report.actions)
    return `result: ${plural(report.actions, 'action')} would be proposed for approval (${keys}); nothing is called until it is decided; nothing was sent`;
  const approved =
    report.awaiting_approval > 0 ? `, ${report.awaiting_approval} of them only once approved` : '';
  return `result: ${plural(report.actions, 'action')} would be taken (${keys})${approved}; nothing was sent`;
};

export const explainText = (report: ExplainReport): string => {
  const n = report.signals.length;
  const lines = [
    `event   ${report.event}`,
    `shape   ${report.recognised.description}: ${plural(n, 'signal')}`,
    `routes  ${report.routes_file} (${plural(report.route_count, 'route')})`,
    ...report.notes.map((note) => `note    ${note}`),
    ...report.signals.flatMap((signal, i) => signalLines(signal, i + 1, n)),
    '',
    report.actions > 0
      ? resultLine(report)
      : `result: nothing would happen (${report.signals.length === 0 ? 'no alarm signal' : 'no route acts on these signals'})`,
  ];
  return lines.join('\n');
};
