/**
 * One cold sample of figure cold_alarm_to_call (tools/bench/figures/coldAlarmToCall.ts), run as a
 * fresh `node coldChild.mjs <bundle> <spec JSON>`: require the bundle, invoke its `handler` once with
 * the spec's event and a Lambda-like context, and print one JSON line:
 *   import_ms   require(bundle)
 *   call_ms     from before the require until the response of THE call arrived (the first outgoing
 *               node:http request to spec.mark: its port, and its method + path suffix or its
 *               X-Amz-Target), seen on the `http.client.response.finish` diagnostics channel
 *   handled_ms  from before the require until the handler's promise settled
 *   first_request_ms  from before the require until the first outgoing node:http request of any kind
 *               started (what ran before the first round trip: the import, then the handler's own
 *               code up to its first AWS or Huawei call)
 *   requests    how many node:http requests had started by the call's response
 *   cpu_ms      CPU time (user + system) of this process from before the require until the call's
 *               response: steadier than wall time on a busy machine (it leaves out waiting)
 *   result      a short summary of what the handler returned (for the parent's checks)
 * An ES module, as the Lambda Node.js runtime's own bootstrap is (so Node's ES module loader is up
 * before the handler loads, as in Lambda: a bundle's first `import()` does not pay for starting it),
 * on node builtins only, so the harness loads nothing a bundle could share. The bundle (CommonJS, as
 * deployed) is loaded with require.
 */
import { randomUUID } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);

const [bundle, specJson] = process.argv.slice(2);
const spec = JSON.parse(specJson);
const mark = spec.mark;

let started = 0;
let cpuStarted;
let callMs;
let callCpuMs;
let firstRequestMs;
let requests = 0;
let requestsToCall;
diagnostics.subscribe('http.client.request.start', () => {
  requests += 1;
  firstRequestMs ??= performance.now() - started;
});
const isTheCall = (request) => {
  const host = String(request.getHeader('host') ?? '');
  if (host.split(':').pop() !== String(mark.port)) return false;
  if (mark.amzTarget !== undefined) return String(request.getHeader('x-amz-target') ?? '') === mark.amzTarget;
  return request.method === mark.method && request.path.split('?')[0].endsWith(mark.pathSuffix);
};
diagnostics.subscribe('http.client.response.finish', ({ request }) => {
  if (callMs === undefined && isTheCall(request)) {
    callMs = performance.now() - started;
    requestsToCall = requests;
    const cpu = process.cpuUsage(cpuStarted);
    callCpuMs = (cpu.user + cpu.system) / 1000;
  }
});

const deadline = Date.now() + 60_000;
const context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: spec.functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${spec.functionName}`,
  memoryLimitInMB: '512',
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/${spec.functionName}`,
  logStreamName: 'bench',
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

const summary = (result) => {
  if (result === null || typeof result !== 'object') return result ?? null;
  if ('statusCode' in result) return { statusCode: result.statusCode, body: String(result.body ?? '') };
  return JSON.parse(JSON.stringify(result));
};

cpuStarted = process.cpuUsage();
started = performance.now();
const handler = require(bundle).handler;
const importMs = performance.now() - started;
Promise.resolve()
  .then(() => handler(spec.event, context))
  .then(
    (result) => {
      const handledMs = performance.now() - started;
      process.stdout.write(
        `${JSON.stringify({ import_ms: importMs, call_ms: callMs ?? null, handled_ms: handledMs, cpu_ms: callCpuMs ?? null, first_request_ms: firstRequestMs ?? null, requests: requestsToCall ?? null, result: summary(result) })}\n`,
      );
      process.exit(0);
    },
    (error) => {
      process.stderr.write(`${error?.stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
