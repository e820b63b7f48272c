/**
 * `npm run bench`: measures dr-relay against minimal hand-written baselines, side by side in one run,
 * on loopback only, and prints ONE JSON OBJECT PER LINE per figure (progress goes to stderr):
 * bundle_requests, bundle_alarms, bundle_webhook, request_latency, batch_speedup,
 * alarm_to_failover, rss_10k, summary. Each figure carries its `target` and whether it was `met`.
 * It asserts nothing and exits 0 whatever the figures (1 only if the bench itself failed).
 *
 *   node --disable-warning=ExperimentalWarning --expose-gc scripts/bench.ts [--smoke] [--only=a,b]
 *     --smoke   every figure at a tiny size (for test/bench; the numbers mean nothing)
 *     --only    bundles, request_latency, batch_speedup, alarm_to_failover, rss_10k
 */
import { FIGURES, type FigureGroup, FULL, runBench, SMOKE } from '../tools/bench/run.ts';

const args = process.argv.slice(2);
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
  .filter(Boolean);
const unknown = (only ?? []).filter((f) => !(FIGURES as readonly string[]).includes(f));
if (unknown.length > 0 || args.some((a) => a !== '--smoke' && !a.startsWith('--only='))) {
  process.stderr.write(`usage: scripts/bench.ts [--smoke] [--only=${FIGURES.join(',')}]\n`);
  process.exit(2);
}
if (typeof globalThis.gc !== 'function') {
  process.stderr.write('bench: run node with --expose-gc for rss_10k (samples are taken after gc)\n');
}

try {
  await runBench({
    sizes: args.includes('--smoke') ? SMOKE : FULL,
    ...(only ? { only: new Set(only as FigureGroup[]) } : {}),
    emit: (figure) => process.stdout.write(`${JSON.stringify(figure)}\n`),
    progress: (line) => process.stderr.write(`bench: ${line}\n`),
  });
} catch (error) {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
}
