/**
 * Figure cold_alarm_to_call: what an alarm meets when the function is cold (almost always, for DR).
 * Every sample is a fresh `node` process (tools/bench/coldChild.mjs) that requires one bundle, built
 * as serverless-esbuild builds it (figures/bundles.ts), and invokes its handler once against the local
 * stack in the backend child; timed from before the require until the response of THE call:
 *   alarms   handlers/alarms.ts gets one CloudWatch alarm (EventBridge shape, routed to a DWS failover
 *            of a DR pair of its own) and acts itself: the call is the failover POST to the simulator.
 *            Baseline: a bundle that imports the bare SQS client (as the bundle figures' reference)
 *            and makes the same signed failover POST (lib/huawei/signer.ts + node:http, as dr-relay's
 *            Huawei client). Also, informational: the signed POST alone, no SQS client.
 *   webhook  handlers/webhook.ts gets one Alertmanager webhook (API Gateway payload 2.0, a route of
 *            its own): it hands alerts to the request queue, so its call is the SendMessage to the
 *            request queue. Baseline: the bare SQS client bundle sending one message to the same queue.
 * Each dr-relay process reads a routes file of its own: the example routes (events/routes/routes.yml,
 * compiled as packaging compiles it) and the sample's route, as a deployment has a handful, not the
 * hundreds the other figures' backend routes. Processes interleaved over the 5 kinds, one unmeasured round first (file cache warm for all alike);
 * min / median / max per side; the target is judged at the median. Everything before the call (routing,
 * the idempotency and cooldown claims, the preflight read) is dr-relay's and is in its time.
 * Owns: that measurement. Leaves the request queue purged (the webhook's hand-offs and the baseline's
 * messages are not for the request function).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { compileRoutes } from '../../../lib/routing/routes.ts';
import type { BenchContext, Figure } from '../context.ts';
import { pinnedTo, spawnNodeSync } from '../pin.ts';
import { median, ratio, round } from '../stats.ts';
import type { Tree } from '../tree.ts';
import { alertmanagerFiring, apiGatewayPost, cloudWatchAlarm, PROJECT, REGION } from '../workload.ts';
import { BARE_CLIENT, buildHandler, buildSource, childEnv } from './bundles.ts';

const CHILD = fileURLToPath(new URL('../coldChild.mjs', import.meta.url));
const TARGET_RATIO = 1.5;
const ALERTS_PATH = '/v1/alerts/alertmanager';
const EXAMPLE_ROUTES = fileURLToPath(new URL('../../../events/routes/routes.yml', import.meta.url));

const failoverRoute = (name: string, match: Record<string, unknown>, drId: string) => ({
  name,
  match,
  action: 'dws.dr.failover',
  region: REGION,
  project_id: PROJECT,
  params: { disaster_recovery_id: drId },
});

export interface ColdSizes {
  readonly runs: number;
}

/** The alarm baseline: a signed failover POST on node:http, with or without the SQS client imported. */
const signedPostSource = (withSqsClient: boolean) => `import { request } from 'node:http';
import { sign } from './lib/huawei/signer.ts';
${
  withSqsClient
    ? `import { SQSClient } from '@aws-sdk/client-sqs';
let sqs;
// Imported and built on first use, as the bare client bundle does; this handler's one call is the POST.
export const queue = () => (sqs ??= new SQSClient({ useQueueUrlAsEndpoint: false }));
`
    : ''
}const post = (url, headers) =>
  new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end();
  });
export const handler = async (event) => {
  const url = event.endpoint + '/v2/' + event.projectId + '/disaster-recovery/' + event.drId + '/failover';
  const headers = sign(
    { method: 'POST', url, headers: { 'content-type': 'application/json', 'x-project-id': event.projectId }, body: '' },
    { ak: process.env.HUAWEICLOUD_SDK_AK, sk: process.env.HUAWEICLOUD_SDK_SK },
  );
  const status = await post(url, headers);
  if (status < 200 || status >= 300) throw new Error('failover answered ' + status);
  return { statusCode: status };
};
`;

type Kind =
  | 'alarms'
  | 'alarms_baseline'
  | 'alarms_bare_post'
  | 'webhook'
  | 'webhook_baseline'
  | 'alarms_against'
  | 'webhook_against'
  | 'alarms_baseline_against'
  | 'webhook_baseline_against';
const BASE_KINDS: readonly Kind[] = [
  'alarms',
  'alarms_baseline',
  'alarms_bare_post',
  'webhook',
  'webhook_baseline',
];

interface Sample {
  readonly toCallMs: number;
  readonly importMs: number;
  readonly handledMs: number;
  readonly processMs: number;
  readonly cpuMs: number;
  readonly firstRequestMs: number;
  readonly requests: number;
}

interface ChildAnswer {
  readonly import_ms: number;
  readonly call_ms: number | null;
  readonly handled_ms: number;
  readonly cpu_ms: number | null;
  readonly first_request_ms: number | null;
  readonly requests: number | null;
  readonly result: unknown;
}

const portOf = (url: string) => new URL(url).port;

const spread = (values: readonly number[]) => ({
  min: round(Math.min(...values), 2),
  median: round(median(values), 2),
  max: round(Math.max(...values), 2),
});

/** DR pairs each kind needs: a round of warm-up and `runs` (twice with --against: that tree's samples). */
export const coldPairsNeeded = (sizes: ColdSizes, against: boolean) => (sizes.runs + 1) * (against ? 2 : 1);

export const coldAlarmToCall = async (
  ctx: BenchContext,
  sizes: ColdSizes,
  against?: Tree,
): Promise<Figure> => {
  const KINDS: readonly Kind[] = against
    ? [
        ...BASE_KINDS,
        'alarms_against',
        'alarms_baseline_against',
        'webhook_against',
        'webhook_baseline_against',
      ]
    : BASE_KINDS;
  const { urls, env: stackEnv, coldTargets, token } = ctx.backend.ready;
  const requestQueueUrl = stackEnv['REQUEST_QUEUE_URL'] ?? '';
  const account = (stackEnv['DR_AWS_ACCOUNT_IDS'] ?? '').split(',')[0] ?? '';
  const rounds = sizes.runs + 1;
  const available = Math.min(
    coldTargets.alarms.length,
    coldTargets.webhook.length,
    coldTargets.baseline.length,
    coldTargets.barePost.length,
  );
  if (available < coldPairsNeeded(sizes, against !== undefined))
    throw new Error(`cold_alarm_to_call: ${rounds} targets needed, ${available} seeded`);

  const outdir = mkdtempSync(join(tmpdir(), 'dr-relay-bench-cold-'));
  try {
    ctx.progress('cold_alarm_to_call: building the alarms and webhook bundles and the baselines');
    const bundles: Partial<Record<Kind, string>> = {
      ...(against
        ? {
            alarms_against: (await buildHandler('alarms', join(outdir, 'against'), against.root)).file,
            webhook_against: (await buildHandler('webhook', join(outdir, 'against'), against.root)).file,
            // The baselines built with that tree's settings too (they decide how the SDK loads node:http).
            alarms_baseline_against: await buildSource(
              signedPostSource(true),
              join(outdir, 'against', 'signed-post-sqs-client.cjs'),
              against.root,
            ),
            webhook_baseline_against: await buildSource(
              BARE_CLIENT,
              join(outdir, 'against', 'bare-sqs-client.cjs'),
              against.root,
            ),
          }
        : {}),
      alarms: (await buildHandler('alarms', outdir)).file,
      webhook: (await buildHandler('webhook', outdir)).file,
      alarms_baseline: await buildSource(signedPostSource(true), join(outdir, 'signed-post-sqs-client.cjs')),
      alarms_bare_post: await buildSource(signedPostSource(false), join(outdir, 'signed-post.cjs')),
      webhook_baseline: await buildSource(BARE_CLIENT, join(outdir, 'bare-sqs-client.cjs')),
    };
    const simulatorCall = { port: portOf(urls.simulator), method: 'POST', pathSuffix: '/failover' };
    const queueCall = { port: portOf(urls.sqs), amzTarget: 'AmazonSQS.SendMessage' };
    const baseEnv = childEnv();
    const example = (JSON.parse(compileRoutes(EXAMPLE_ROUTES)) as { routes: unknown[] }).routes;
    /** A compiled routes file: the example routes and this sample's own. */
    const routesFile = (name: string, own: Record<string, unknown>) => {
      const file = join(outdir, `routes-${name}.json`);
      writeFileSync(file, JSON.stringify({ routes: [...example, own] }));
      return file;
    };

    /** The event, the call to wait for and the check of the answer, for sample `i` of `kind`. */
    const specOf = (kind: Kind, i: number) => {
      switch (kind) {
        case 'alarms_against':
        case 'alarms': {
          // The --against tree's samples act on pairs of their own, after the working tree's.
          const [alarm, drId] = coldTargets.alarms[kind === 'alarms' ? i : rounds + i]!;
          const route = failoverRoute(`bench-cold-${i}`, { source: 'cloudwatch', alarm }, drId);
          return {
            drId,
            routes: routesFile(alarm, route),
            spec: {
              functionName: 'dr-relay-bench-alarms',
              mark: simulatorCall,
              event: cloudWatchAlarm(alarm, account),
            },
            ok: (result: unknown) =>
              (result as { results?: { result?: string }[] }).results?.[0]?.result === 'executed',
          };
        }
        case 'alarms_baseline':
        case 'alarms_baseline_against':
        case 'alarms_bare_post': {
          const drId =
            kind === 'alarms_bare_post'
              ? coldTargets.barePost[i]!
              : coldTargets.baseline[kind === 'alarms_baseline' ? i : rounds + i]!;
          return {
            drId,
            spec: {
              functionName: `dr-relay-bench-${kind}`,
              mark: simulatorCall,
              event: { endpoint: urls.simulator, projectId: PROJECT, drId },
            },
            ok: (result: unknown) => (result as { statusCode?: number }).statusCode === 200,
          };
        }
        case 'webhook_against':
        case 'webhook': {
          const [label, drId] = coldTargets.webhook[kind === 'webhook' ? i : rounds + i]!;
          const match = { source: 'alertmanager', alarm: 'BenchDown', labels: { dr: label } };
          const body = JSON.stringify(alertmanagerFiring(label));
          const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
          return {
            drId: undefined,
            routes: routesFile(label, failoverRoute(`bench-cold-${label}`, match, drId)),
            spec: {
              functionName: 'dr-relay-bench-webhook',
              mark: queueCall,
              event: apiGatewayPost(ALERTS_PATH, headers, body),
            },
            ok: (result: unknown) => (result as { statusCode?: number }).statusCode === 202,
          };
        }
        case 'webhook_baseline':
        case 'webhook_baseline_against':
          return {
            drId: undefined,
            spec: {
              functionName: 'dr-relay-bench-webhook-baseline',
              mark: queueCall,
              event: { queueUrl: requestQueueUrl, body: JSON.stringify(alertmanagerFiring(`q${i}`)) },
            },
            ok: (result: unknown) => typeof result === 'object' && result !== null,
          };
      }
    };

    const samples = new Map<Kind, Sample[]>(KINDS.map((k) => [k, []]));
    const drIds = new Map<Kind, string[]>(KINDS.map((k) => [k, []]));
    const errors = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
    const one = (kind: Kind, i: number, measured: boolean) => {
      const { spec, ok, drId, routes } = specOf(kind, i);
      const env = {
        ...baseEnv,
        AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
        ...(routes === undefined ? {} : { DR_ROUTES_FILE: routes }),
      };
      const started = performance.now();
      const child = spawnNodeSync([CHILD, bundles[kind]!, JSON.stringify(spec)], {
        env,
        encoding: 'utf8',
        timeout: 60_000,
      });
      const processMs = performance.now() - started;
      let answer: ChildAnswer | undefined;
      try {
        answer =
          child.status === 0
            ? (JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as ChildAnswer)
            : undefined;
      } catch {
        answer = undefined;
      }
      if (!answer || answer.call_ms === null || !ok(answer.result)) {
        if (measured) errors[kind] += 1;
        ctx.progress(
          `cold_alarm_to_call: ${kind} #${i} failed (${child.status}): ${(child.stderr || child.stdout).slice(0, 400)}`,
        );
        return;
      }
      if (!measured) return;
      if (drId !== undefined) drIds.get(kind)!.push(drId);
      samples.get(kind)!.push({
        toCallMs: answer.call_ms,
        importMs: answer.import_ms,
        handledMs: answer.handled_ms,
        processMs,
        cpuMs: answer.cpu_ms ?? Number.NaN,
        firstRequestMs: answer.first_request_ms ?? Number.NaN,
        requests: answer.requests ?? Number.NaN,
      });
    };

    for (const kind of KINDS) one(kind, 0, false);
    for (let run = 0; run < sizes.runs; run++) {
      for (let k = 0; k < KINDS.length; k++) one(KINDS[(run + k) % KINDS.length]!, run + 1, true);
      if ((run + 1) % 5 === 0) ctx.progress(`cold_alarm_to_call: ${run + 1}/${sizes.runs} rounds`);
    }
    await ctx.backend.call('purgeRequests');

    // Each failover the alarm kinds reported is in the simulator's log, accepted.
    const accepted = async (kind: Kind) =>
      (await ctx.backend.call('failovers', { ids: drIds.get(kind)! })).filter(
        (c) => c.status >= 200 && c.status < 300,
      ).length;
    const failoverCalls = {
      alarms: await accepted('alarms'),
      alarms_baseline: await accepted('alarms_baseline'),
      alarms_bare_post: await accepted('alarms_bare_post'),
      ...(against
        ? {
            alarms_against: await accepted('alarms_against'),
            alarms_baseline_against: await accepted('alarms_baseline_against'),
          }
        : {}),
    };

    const of = (kind: Kind, field: keyof Sample) => samples.get(kind)!.map((s) => s[field]);
    const side = (kind: Kind) => ({
      to_call_ms: spread(of(kind, 'toCallMs')),
      cpu_to_call_ms: round(median(of(kind, 'cpuMs')), 2),
      import_ms: round(median(of(kind, 'importMs')), 2),
      first_request_ms: round(median(of(kind, 'firstRequestMs')), 2),
      requests_to_call: median(of(kind, 'requests')),
      handled_ms: round(median(of(kind, 'handledMs')), 2),
      process_ms: round(median(of(kind, 'processMs')), 2),
    });
    const judged = (kind: Kind, baseline: Kind) => {
      const r = ratio(median(of(kind, 'toCallMs')), median(of(baseline, 'toCallMs')));
      return { ratio_median: r, met: Number.isFinite(r) && r <= TARGET_RATIO && errors[kind] === 0 };
    };
    const alarms = judged('alarms', 'alarms_baseline');
    const webhook = judged('webhook', 'webhook_baseline');
    /** The --against tree's side and its ratio to its baseline, built with its settings (not judged). */
    const againstOf = (kind: Kind, baseline: Kind) =>
      against
        ? {
            against: {
              ref: against.ref,
              commit: against.commit,
              ...side(kind),
              baseline: side(baseline),
              ratio_median: ratio(median(of(kind, 'toCallMs')), median(of(baseline, 'toCallMs'))),
            },
          }
        : {};
    return {
      figure: 'cold_alarm_to_call',
      alarms: {
        dr_relay: side('alarms'),
        baseline: side('alarms_baseline'),
        ...alarms,
        bare_post: side('alarms_bare_post'),
        ratio_median_vs_bare_post: ratio(
          median(of('alarms', 'toCallMs')),
          median(of('alarms_bare_post', 'toCallMs')),
        ),
        ...againstOf('alarms_against', 'alarms_baseline_against'),
      },
      webhook: {
        dr_relay: side('webhook'),
        baseline: side('webhook_baseline'),
        ...webhook,
        ...againstOf('webhook_against', 'webhook_baseline_against'),
      },
      ratio_median: { alarms: alarms.ratio_median, webhook: webhook.ratio_median },
      runs: sizes.runs,
      failover_calls: failoverCalls,
      errors,
      method: `per sample a fresh node process (${pinnedTo()}): require(bundle) + one invocation (dr-relay: the example routes + its own), timed from before the require to the response of the call (alarms: the DWS failover POST to the simulator; webhook: its call is the SendMessage of the hand-off to the request queue, the webhook does not call Huawei); cpu_to_call_ms (the child's CPU time over the same span: steadier on a busy machine), import_ms, first_request_ms (until the first outgoing request of any kind started: the import and the handler's code before its first round trip), requests_to_call (outgoing requests started by the call's answer, the call included), handled_ms (handler settled), process_ms (spawn to exit) are medians; bundles built with serverless.yml custom.esbuild; 5 kinds interleaved after one unmeasured round (9 with --against: that commit's alarms and webhook bundles and the two baselines built with its settings, shown under \`against\`); baselines: alarms = bare SQS client imported + the same signed POST on node:http, webhook = bare SQS client sending one message to the same queue; bare_post = the signed POST alone (informational)`,
      target: `to the call <=${TARGET_RATIO}x the bare baseline at the median, alarms and webhook`,
      met: alarms.met && webhook.met,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
};
