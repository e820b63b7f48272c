/**
 * Figure rss_10k: the memory of the process running handlers/requests.ts while it handles 10,000
 * requests (1,000 invocations of 10 records, a fresh key and instance each, default TTLs), sampled
 * every 1,000 after global.gc(): RSS and heapUsed. The stack runs in the backend child, so
 * dynalite's growing tables and the simulator's call log are not in these figures; the child's own
 * RSS is reported beside for contrast, not judged.
 * Rule: met when RSS grew by < 20 MiB or < 10 % from the first sample (1k) to the last (10k).
 * Owns: that measurement.
 */
import { type BenchContext, type Figure, invoke, newContext } from '../context.ts';
import { mib, round, slope } from '../stats.ts';
import { dcsRestores, instanceIds, sqsEvent } from '../workload.ts';

export interface RssSizes {
  readonly total: number;
  readonly every: number;
  readonly batch: number;
}

const GROWTH_MIB = 20;
const GROWTH_PCT = 10;

const sample = () => {
  globalThis.gc?.();
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
};

export const rssGrowth = async (ctx: BenchContext, sizes: RssSizes): Promise<Figure> => {
  const gcExposed = typeof globalThis.gc === 'function';
  let failures = 0;
  const chunk = async (count: number) => {
    const requests = dcsRestores(count);
    await ctx.backend.call('seedDcs', { ids: instanceIds(requests) });
    for (let i = 0; i < requests.length; i += sizes.batch) {
      failures += await invoke(ctx.handler, sqsEvent(requests.slice(i, i + sizes.batch)), newContext());
    }
  };
  await chunk(Math.min(sizes.every, 200)); // warm-up, not counted
  failures = 0;
  const at: number[] = [0];
  const mem = [sample()];
  const child = [await ctx.backend.call('memory')];
  const started = Date.now();
  for (let done = 0; done < sizes.total; ) {
    const count = Math.min(sizes.every, sizes.total - done);
    await chunk(count);
    done += count;
    at.push(done);
    mem.push(sample());
    child.push(await ctx.backend.call('memory'));
    ctx.progress(`rss_10k: ${done}/${sizes.total} requests, rss ${mib(mem.at(-1)!.rss)} MiB`);
  }
  const seconds = (Date.now() - started) / 1000;
  const first = mem[1] ?? mem[0]!;
  const last = mem.at(-1)!;
  const growthMib = mib(last.rss - first.rss);
  const growthPct = round(((last.rss - first.rss) / first.rss) * 100, 1);
  const heapGrowthMib = mib(last.heapUsed - first.heapUsed);
  const met = growthMib < GROWTH_MIB || growthPct < GROWTH_PCT;
  const xs = at.slice(1).map((n) => n / 1000);
  return {
    figure: 'rss_10k',
    requests: sizes.total,
    sample_every: sizes.every,
    requests_at: at,
    rss_mib: mem.map((m) => mib(m.rss)),
    heap_used_mib: mem.map((m) => mib(m.heapUsed)),
    rss_growth_mib: growthMib,
    rss_growth_pct: growthPct,
    heap_used_growth_mib: heapGrowthMib,
    heap_used_slope_kib_per_1k: round(
      slope(
        xs,
        mem.slice(1).map((m) => m.heapUsed),
      ) / 1024,
      1,
    ),
    stack_child_rss_mib: child.map((m) => mib(m.rss)),
    failed_records: failures,
    requests_per_s: round(sizes.total / seconds, 0),
    gc_exposed: gcExposed,
    rule: `growth from the ${at[1]}-request sample to the ${sizes.total}-request sample: RSS < ${GROWTH_MIB} MiB or < ${GROWTH_PCT} %; samples after global.gc() (run node with --expose-gc)`,
    note: 'dynalite, fauxqs and the simulator run in a child process (tools/bench/backend.ts): dynalite keeps all 10k records and the simulator its call log in memory, which would otherwise be counted as handler growth; stack_child_rss_mib shows that growth, not judged',
    target: `no RSS growth beyond noise over ${sizes.total} requests`,
    met,
  };
};
