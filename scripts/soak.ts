/**
 * `npm run soak`: the local stack driven through all three entry paths at once (the request queue,
 * signed POST /v1/requests, alarms from every source) with at least 2,000 requests over at least
 * 300 targets, simulator faults, duplicate deliveries, and the request worker SIGKILLed mid-batch;
 * then every dead letter redriven once the faults stop. Prints the counts and checks the invariants;
 * the last line is `{"soak":"passed"|"failed", ...counts}`. Bounded in count and time, loopback only.
 * Exit 0 passed, 1 failed, 2 usage. Progress goes to stderr.
 *
 *   node --disable-warning=ExperimentalWarning scripts/soak.ts [--requests N] [--targets T]
 *        [--kills K] [--seed S] [--deadline SECONDS] | --reduced
 */
import { parseSoakArgs, type SoakOptions } from '../tools/soak/options.ts';
import { reportLines } from '../tools/soak/report.ts';
import { runSoak } from '../tools/soak/run.ts';

let options: SoakOptions;
try {
  options = parseSoakArgs(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}

const started = Date.now();
const progress = (line: string) =>
  process.stderr.write(`soak ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s ${line}\n`);
// The run bounds itself; should anything hang anyway, this ends it (the children exit with their parent).
const watchdog = setTimeout(() => {
  process.stdout.write(
    `${JSON.stringify({ soak: 'failed', reason: 'watchdog: the run did not end after its deadline' })}\n`,
  );
  process.exit(1);
}, options.deadlineMs + 60_000);
watchdog.unref();
const result = await runSoak(options, progress);
clearTimeout(watchdog);
process.stdout.write(`${reportLines(result).join('\n')}\n`);
process.exitCode = result.passed ? 0 : 1;
