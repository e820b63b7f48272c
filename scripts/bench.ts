/**
 * `npm run bench`: measures dr-relay against minimal hand-written baselines, side by side in one run,
 * on loopback only, and prints ONE JSON OBJECT PER LINE per figure (progress goes to stderr):
 * bundle_requests, bundle_alarms, bundle_webhook, cold_alarm_to_call, request_latency, batch_speedup,
 * alarm_to_failover, rss_10k, summary. Each figure carries its `target` and whether it was `met`;
 * stderr ends with one line per figure: met / NOT MET / informational.
 * It asserts nothing and exits 0 whatever the figures (1 only if the bench itself failed).
 *
 *   node --disable-warning=ExperimentalWarning --expose-gc scripts/bench.ts [--smoke] [--only=a,b] [--against=REF]
 *     --smoke    every figure at a tiny size (for test/bench; the numbers mean nothing)
 *     --only     bundles, cold_alarm_to_call, request_latency, batch_speedup, alarm_to_failover, rss_10k
 *     --against  a git ref (e.g. HEAD, main~3): its handler bundles are measured beside the working
 *                tree's in the same interleaved runs (bundles, cold_alarm_to_call: field `against`)
 */
import { FIGURES, type FigureGroup, FULL, runBench, SMOKE } from '../tools/bench/run.ts';

const args = process.argv.slice(2);
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
  .filter(Boolean);
const unknown = (only ?? []).filter((f) => !(FIGURES as readonly string[]).includes(f));
const against = args.find((a) => a.startsWith('--against='))?.slice('--against='.length);
if (
  unknown.length > 0 ||
  against === '' ||
  args.some((a) => a !== '--smoke' && !a.startsWith('--only=') && !a.startsWith('--against='))
) {
  process.stderr.write(`usage: scripts/bench.ts [--smoke] [--only=${FIGURES.join(',')}] [--against=REF]\n`);
  process.exit(2);
}
if (typeof globalThis.gc !== 'function') {
  process.stderr.write('bench: run node with --expose-gc for rss_10k (samples are taken after gc)\n');
}

try {
  await runBench({
    sizes: args.includes('--smoke') ? SMOKE : FULL,
    ...(only ? { only: new Set(only as FigureGroup[]) } : {}),
    ...(against === undefined ? {} : { against }),
    emit: (figure) => process.stdout.write(`${JSON.stringify(figure)}\n`),
    progress: (line) => process.stderr.write(`bench: ${line}\n`),
  });
} catch (error) {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
}
