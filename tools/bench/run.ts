/**
 * The bench run: sizes (full, or a smoke size for the test), the order of the figures, the backend
 * and the requests handler set up once, one figure object per line through `emit`, and a summary.
 * Order: bundles first (no stack running beside the cold imports), then the stack in a child
 * process, cold_alarm_to_call (fresh processes against that stack), request_latency, batch_speedup,
 * alarm_to_failover, rss_10k. The summary names every target met / not met (also on stderr).
 * Owns: orchestration. Must not touch: how a figure is measured.
 */
import type { SqsHandler } from '../local/poller.ts';
import { startBackend } from './backendClient.ts';
import type { BenchContext, Figure } from './context.ts';
import { alarmToFailover } from './figures/alarmToFailover.ts';
import { batchSpeedup } from './figures/batchSpeedup.ts';
import { bundleFigures } from './figures/bundles.ts';
import { coldAlarmToCall, coldPairsNeeded } from './figures/coldAlarmToCall.ts';
import { requestLatency } from './figures/requestLatency.ts';
import { rssGrowth } from './figures/rss.ts';
import { createIoCounter } from './io.ts';
import { round } from './stats.ts';
import { extractTree, type Tree } from './tree.ts';

export interface BenchSizes {
  readonly request: { readonly n: number; readonly warmup: number };
  readonly batch: { readonly reps: number; readonly batch: number; readonly latencyMs: number };
  readonly alarm: { readonly n: number; readonly warmup: number };
  readonly bundles: { readonly runs: number };
  readonly cold: { readonly runs: number };
  readonly rss: { readonly total: number; readonly every: number; readonly batch: number };
}

export const FULL: BenchSizes = {
  request: { n: 400, warmup: 50 },
  batch: { reps: 7, batch: 10, latencyMs: 50 },
  alarm: { n: 200, warmup: 10 },
  bundles: { runs: 21 },
  cold: { runs: 21 },
  rss: { total: 10_000, every: 1_000, batch: 10 },
};

/** For the smoke test: every figure, tiny. */
export const SMOKE: BenchSizes = {
  request: { n: 6, warmup: 2 },
  batch: { reps: 1, batch: 10, latencyMs: 20 },
  alarm: { n: 3, warmup: 1 },
  bundles: { runs: 1 },
  cold: { runs: 1 },
  rss: { total: 40, every: 20, batch: 10 },
};

export const FIGURES = [
  'bundles',
  'cold_alarm_to_call',
  'request_latency',
  'batch_speedup',
  'alarm_to_failover',
  'rss_10k',
] as const;
export type FigureGroup = (typeof FIGURES)[number];

export interface BenchOptions {
  readonly sizes: BenchSizes;
  readonly only?: ReadonlySet<FigureGroup>;
  /** A git ref whose bundles are measured beside the working tree's (bundles, cold_alarm_to_call). */
  readonly against?: string;
  readonly emit: (figure: Figure) => void;
  readonly progress: (line: string) => void;
}

/** The figures, in order: the bundles, then those needing the stack (started in a child for them). */
const runFigures = async (
  options: BenchOptions,
  wanted: (group: FigureGroup) => boolean,
  emit: (figure: Figure) => void,
  against: Tree | undefined,
): Promise<void> => {
  const { sizes, progress } = options;
  if (wanted('bundles')) {
    progress('bundles: building with the serverless.yml esbuild settings');
    for (const figure of await bundleFigures(sizes.bundles, progress, against)) emit(figure);
  }

  const stackFigures = FIGURES.filter((f) => f !== 'bundles' && wanted(f));
  if (stackFigures.length > 0) {
    progress('starting the local stack in a child process');
    const backend = await startBackend({
      alarmPairs: sizes.alarm.n + sizes.alarm.warmup,
      coldPairs: wanted('cold_alarm_to_call') ? coldPairsNeeded(sizes.cold, against !== undefined) : 0,
    });
    const io = createIoCounter(backend.ready.urls);
    try {
      // The handler reads its configuration from the environment the stack set, as in startLocalStack.
      Object.assign(process.env, backend.ready.env);
      const { handler } = (await import('../../handlers/requests.ts')) as { handler: SqsHandler };
      const ctx: BenchContext = { backend, handler, io, progress };
      if (wanted('cold_alarm_to_call')) emit(await coldAlarmToCall(ctx, sizes.cold, against));
      if (wanted('request_latency')) emit(await requestLatency(ctx, sizes.request));
      if (wanted('batch_speedup')) emit(await batchSpeedup(ctx, sizes.batch));
      if (wanted('alarm_to_failover')) emit(await alarmToFailover(ctx, sizes.alarm));
      if (wanted('rss_10k')) emit(await rssGrowth(ctx, sizes.rss));
    } finally {
      io.close();
      await backend.stop();
    }
  }
};

export const runBench = async (options: BenchOptions): Promise<Figure[]> => {
  const { progress } = options;
  const started = Date.now();
  const wanted = (group: FigureGroup) => !options.only || options.only.has(group);
  const figures: Figure[] = [];
  const emit = (figure: Figure) => {
    figures.push(figure);
    options.emit(figure);
  };

  let against: Tree | undefined;
  if (options.against !== undefined) {
    against = extractTree(options.against);
    progress(
      `against ${against.ref} (${against.commit}): its bundles are measured beside the working tree's`,
    );
  }
  try {
    await runFigures(options, wanted, emit, against);
  } finally {
    against?.remove();
  }

  const judged = figures.filter((f) => f.met !== null);
  for (const f of figures) {
    progress(
      `${f.figure}: ${f.met === null ? 'informational' : f.met ? 'met' : 'NOT MET'} (target: ${f.target ?? 'none'})`,
    );
  }
  emit({
    figure: 'summary',
    targets: Object.fromEntries(
      figures.map((f) => [f.figure, f.met === null ? 'informational' : f.met ? 'met' : 'not met']),
    ),
    missed: judged.filter((f) => f.met === false).map((f) => f.figure),
    duration_s: round((Date.now() - started) / 1000, 1),
    target: 'every target of the figures above',
    met: judged.every((f) => f.met === true),
  });
  return figures;
};
