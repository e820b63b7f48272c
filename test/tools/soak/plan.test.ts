/**
 * The soak's helpers, without running anything: option parsing and limits, the plan (targets,
 * companions, paths, deliveries), the alarm side (valid routes, one expected key per alarm request,
 * SMN deliveries that verify against the test certificate), the deliveries, the fault rates.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { idempotencyKey } from '../../../lib/actions/request.ts';
import { validateRoutes } from '../../../lib/routing/routes.ts';
import { routeTopicUrns } from '../../../lib/routing/smnOrigin.ts';
import { handleSmnDelivery, SmnVerifier } from '../../../lib/sources/index.ts';
import { LOCAL } from '../../../tools/local/constants.ts';
import { buildAlarmSide } from '../../../tools/soak/alarms.ts';
import { soakFaults } from '../../../tools/soak/faults.ts';
import { checkOptions, FULL, parseSoakArgs, REDUCED } from '../../../tools/soak/options.ts';
import { makePlan, randomOf } from '../../../tools/soak/plan.ts';
import { buildSends } from '../../../tools/soak/sends.ts';

describe('soak options', () => {
  it('defaults to the full run and knows the reduced one', () => {
    expect(parseSoakArgs([])).toEqual(FULL);
    expect(parseSoakArgs(['--reduced'])).toEqual(REDUCED);
    expect(FULL.requests).toBeGreaterThanOrEqual(2_000);
    expect(FULL.targets).toBeGreaterThanOrEqual(300);
    expect(FULL.kills).toBeGreaterThanOrEqual(5);
    expect(parseSoakArgs(['--requests', '3000', '--kills=7', '--seed', '9'])).toMatchObject({
      requests: 3000,
      targets: 1800,
      kills: 7,
      seed: 9,
    });
  });

  it('refuses what cannot run', () => {
    expect(() => parseSoakArgs(['--targets', '299'])).toThrow(/at least 300/);
    expect(() => parseSoakArgs(['--requests', '2000', '--targets', '900'])).toThrow(/--targets >= 1000/);
    expect(() => parseSoakArgs(['--bogus'])).toThrow(/unknown argument/);
    expect(() => parseSoakArgs(['--kills'])).toThrow(/needs a number/);
    expect(() => checkOptions({ ...REDUCED, targets: REDUCED.requests + 1 })).toThrow(/at most --requests/);
  });
});

describe('soak plan', () => {
  const plan = makePlan({ requests: 300, targets: 160, seed: 3 });
  const alarms = buildAlarmSide(plan.run, plan.requests, randomOf(3));

  it('has one primary per target, companions on DWS pairs only, every path, 1-3 deliveries', () => {
    expect(plan.primaries).toHaveLength(160);
    const primaries = plan.requests.filter((r) => r.role === 'primary');
    const companions = plan.requests.filter((r) => r.role === 'companion');
    expect(primaries).toHaveLength(160);
    expect(companions).toHaveLength(140);
    for (const c of companions) {
      const primary = plan.primaries[c.target];
      expect(primary?.action).toMatch(/^dws\.dr\.(start|failover)$/);
      expect(c.request.action).not.toBe(primary?.action);
    }
    expect(new Set(plan.requests.map((r) => r.path))).toEqual(
      new Set(['queue', 'api', 'queue+api', 'alarm']),
    );
    for (const r of plan.requests) {
      expect(r.deliveries).toBeGreaterThanOrEqual(r.path === 'queue+api' ? 2 : 1);
      expect(r.deliveries).toBeLessThanOrEqual(3);
    }
  });

  it('gives every alarm request a valid route and its own expected key', () => {
    expect(() => validateRoutes(alarms.routesDocument)).not.toThrow();
    const alarmed = plan.requests.filter((r) => r.path === 'alarm');
    expect(alarms.expected.size).toBe(alarmed.length);
    const keys = [
      ...plan.requests.filter((r) => r.path !== 'alarm').map((r) => idempotencyKey(r.request)),
      ...[...alarms.expected.values()].map((e) => e.key),
    ];
    expect(new Set(keys).size).toBe(plan.requests.length);
    for (const r of alarmed) {
      const { request, key } = alarms.expected.get(r.index) ?? {};
      expect(key).toMatch(/^alarm:soak-a\d+:[0-9a-f]{32}$/);
      expect({ ...request, request_id: undefined }).toEqual({ ...r.request, request_id: undefined });
    }
  });

  it('signs Cloud Eye deliveries so that the local certificate verifies them', async () => {
    const pem = readFileSync(LOCAL.smnCertFile, 'utf8');
    const verifier = new SmnVerifier({ fetch: async () => ({ status: 200, text: async () => pem }) });
    const delivery = alarms.episodes.flat().find((d) => d.via === 'cloud-eye');
    expect(delivery).toBeDefined();
    const result = await handleSmnDelivery(delivery?.headers ?? {}, delivery?.body ?? '', {
      verifier,
      fetch: async () => ({ status: 500, text: async () => '' }),
      // The soak's cloud-eye routes name its topic, which allows it.
      topics: async () => routeTopicUrns(validateRoutes(alarms.routesDocument)),
    });
    expect(result.kind).toBe('notification');
  });

  it('sends every delivery once, some duplicates in bursts, queue+api both ways', () => {
    const { sends, burstDuplicates } = buildSends(plan.run, plan.requests, alarms, randomOf(3));
    const perRequest = new Map<number, number>();
    for (const send of sends) for (const i of send.requests) perRequest.set(i, (perRequest.get(i) ?? 0) + 1);
    for (const r of plan.requests.filter(
      (x) => x.alarmSource !== 'alertmanager' && x.alarmSource !== 'grafana',
    )) {
      expect(perRequest.get(r.index), `request ${r.index}`).toBe(r.deliveries);
    }
    for (const r of plan.requests.filter((x) => x.path === 'queue+api')) {
      const kinds = new Set(sends.filter((s) => s.requests.includes(r.index)).map((s) => s.kind));
      expect(kinds).toEqual(new Set(['queue', 'api']));
    }
    expect(burstDuplicates).toBeGreaterThan(0);
  });
});

describe('soak faults', () => {
  it('fail about 30% of the effectful calls, evenly over seven kinds', () => {
    const effectful = soakFaults().filter((r) => Array.isArray(r.route) && r.route.includes('dcs.restore'));
    expect(effectful).toHaveLength(7);
    let passed = 1;
    const shares = effectful.map((r) => {
      const share = passed * (r.rate ?? 1);
      passed -= share;
      return share;
    });
    expect(1 - passed).toBeCloseTo(0.3, 5);
    for (const share of shares) expect(share).toBeCloseTo(0.3 / 7, 5);
  });
});
