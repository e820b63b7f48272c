/**
 * One cold sample of figure cold_alarm_to_call (tools/bench/figures/coldAlarmToCall.ts), run as a
 * fresh `node coldChild.cjs <bundle> <spec JSON>`: require the bundle, invoke its `handler` once with
 * the spec's event and a Lambda-like context, and print one JSON line:
 *   import_ms   require(bundle)
 *   call_ms     from before the require until the response of THE call arrived (the first outgoing
 *               node:http request to spec.mark: its port, and its method + path suffix or its
 *               X-Amz-Target), seen on the `http.client.response.finish` diagnostics channel
 *   handled_ms  from before the require until the handler's promise settled
 *   result      a short summary of what the handler returned (for the parent's checks)
 * Plain CommonJS on node builtins only, so the harness loads nothing a bundle could share.
 */
'use strict';
const { performance } = require('node:perf_hooks');
const diagnostics = require('node:diagnostics_channel');
const { randomUUID } = require('node:crypto');

const [bundle, specJson] = process.argv.slice(2);
const spec = JSON.parse(specJson);
const mark = spec.mark;

let started = 0;
let callMs;
const isTheCall = (request) => {
  const host = String(request.getHeader('host') ?? '');
  if (host.split(':').pop() !== String(mark.port)) return false;
  if (mark.amzTarget !== undefined) return String(request.getHeader('x-amz-target') ?? '') === mark.amzTarget;
  return request.method === mark.method && request.path.split('?')[0].endsWith(mark.pathSuffix);
};
diagnostics.subscribe('http.client.response.finish', ({ request }) => {
  if (callMs === undefined && isTheCall(request)) callMs = performance.now() - started;
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

started = performance.now();
const handler = require(bundle).handler;
const importMs = performance.now() - started;
Promise.resolve()
  .then(() => handler(spec.event, context))
  .then(
    (result) => {
      const handledMs = performance.now() - started;
      process.stdout.write(
        `${JSON.stringify({ import_ms: importMs, call_ms: callMs ?? null, handled_ms: handledMs, result: summary(result) })}\n`,
      );
      process.exit(0);
    },
    (error) => {
      process.stderr.write(`${error?.stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
