/**
 * The soak's options: sizes, the kill count, the seed and the global deadline, with the two presets
 * (the full `npm run soak` and the reduced run `npm test` makes), and the command-line parser.
 * Owns: defaults and limits. Must not touch: what a run does with them.
 */

export interface SoakOptions {
  /** Requests in all (queue + API + alarms), each delivered 1 to 3 times. */
  readonly requests: number;
  /** Distinct targets (DR pairs, CSBS checkpoint items, DCS instances, CBR backups); the rest are companion requests. */
  readonly targets: number;
  /** Times the worker is SIGKILLed while a batch is in flight. */
  readonly kills: number;
  readonly seed: number;
  /** Everything (start, traffic, settling, redrive, checks) ends by then, or the run fails. */
  readonly deadlineMs: number;
  /** How long the traffic is spread over. */
  readonly trafficMs: number;
  /** Keep the logs and the observations file even when the run passed. */
  readonly keepLogs?: boolean;
}

export const FULL: SoakOptions = {
  requests: 2_000,
  targets: 1_200,
  kills: 5,
  seed: 1,
  deadlineMs: 10 * 60_000,
  trafficMs: 60_000,
};

export const REDUCED: SoakOptions = {
  requests: 300,
  targets: 160,
  kills: 2,
  seed: 7,
  deadlineMs: 3 * 60_000,
  trafficMs: 15_000,
};

/** Companion requests go to DWS pairs only (two per pair at most): half the targets are DWS pairs. */
export const maxRequestsFor = (targets: number): number => targets + 2 * Math.ceil(targets / 2);

/** The options' own consistency; throws a RangeError saying what is wrong. */
export const checkOptions = (options: SoakOptions): SoakOptions => {
  const { requests, targets, kills, seed, deadlineMs, trafficMs } = options;
  const integer = (name: string, value: number, min: number) => {
    if (!Number.isSafeInteger(value) || value < min)
      throw new RangeError(`${name} must be an integer >= ${min}`);
  };
  integer('--requests', requests, 1);
  integer('--targets', targets, 1);
  integer('--kills', kills, 0);
  integer('--seed', seed, 0);
  integer('--deadline', deadlineMs, 1_000);
  integer('traffic time', trafficMs, 0);
  if (targets > requests)
    throw new RangeError(`--targets (${targets}) must be at most --requests (${requests})`);
  if (requests > maxRequestsFor(targets)) {
    throw new RangeError(
      `--requests ${requests} needs --targets >= ${Math.ceil(requests / 2)}: companion requests go to DWS pairs, at most two per pair`,
    );
  }
  return options;
};

export const USAGE =
  'usage: scripts/soak.ts [--requests N (2000)] [--targets T (>= 300; default 60% of N)] [--kills K (5)] ' +
  '[--seed S (1)] [--deadline SECONDS (600)] [--keep-logs] | --reduced (the npm test size: 300 requests, 160 targets, 2 kills)';

/** Parses argv (without node and the script). Throws RangeError with the usage on anything wrong. */
export const parseSoakArgs = (argv: readonly string[]): SoakOptions => {
  const values = new Map<string, number>();
  let reduced = false;
  let keepLogs = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--reduced' || arg === '--keep-logs') {
      if (arg === '--reduced') reduced = true;
      else keepLogs = true;
      continue;
    }
    const [name, inline] = arg.includes('=') ? arg.split('=', 2) : [arg, undefined];
    if (!['--requests', '--targets', '--kills', '--seed', '--deadline'].includes(name ?? '')) {
      throw new RangeError(`unknown argument ${arg}\n${USAGE}`);
    }
    const text = inline ?? argv[++i];
    const value = Number(text);
    if (text === undefined || text.trim() === '' || !Number.isFinite(value)) {
      throw new RangeError(`${name} needs a number\n${USAGE}`);
    }
    values.set(name ?? '', value);
  }
  const base = reduced ? REDUCED : FULL;
  const requests = values.get('--requests') ?? base.requests;
  const targets =
    values.get('--targets') ?? (values.has('--requests') ? Math.round(requests * 0.6) : base.targets);
  if (!reduced && targets < 300) {
    throw new RangeError(
      `--targets must be at least 300 (got ${targets}); --reduced for a small run\n${USAGE}`,
    );
  }
  const deadline = values.get('--deadline');
  return checkOptions({
    ...base,
    requests,
    targets,
    kills: values.get('--kills') ?? base.kills,
    seed: values.get('--seed') ?? base.seed,
    ...(deadline === undefined ? {} : { deadlineMs: Math.round(deadline * 1000) }),
    // The traffic is spread over about 30 ms per request (60 s for 2,000), at least 10 s.
    trafficMs: values.has('--requests') ? Math.max(10_000, requests * 30) : base.trafficMs,
    ...(keepLogs ? { keepLogs } : {}),
  });
};
