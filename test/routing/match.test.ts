/**
 * Routing a signal: source, alarm glob and label filters; the transition rule; one decision per
 * matching route; the episode request_id and idempotency key.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { idempotencyKey, parseActionRequest } from '../../lib/actions/request.ts';
import { episodeRequestId, explainNoMatch, mismatchesOf, routeSignal } from '../../lib/routing/match.ts';
import { baseRoute, DR_ID, PROJECT_ID, routesOf, routeWith, sampleRoutes, signal } from './helpers.ts';

const actsOf = (decisions: ReturnType<typeof routeSignal>) => decisions.filter((d) => d.act);

describe('matching', () => {
  it('filters on source', () => {
    // Prepare
    const route = routeWith(() => {});

    // Act
    const same = routeSignal(signal({ source: 'alertmanager' }), [route]);
    const other = routeSignal(signal({ source: 'grafana', shape: 'grafana' }), [route]);

    // Assess
    expect(same).toHaveLength(1);
    expect(other).toHaveLength(0);
    expect(explainNoMatch(signal({ source: 'grafana', shape: 'grafana' }), [route])).toEqual([
      'dws-prod-failover: source is grafana, route wants alertmanager',
    ]);
  });

  it('matches every source when match.source is `any` (said explicitly)', () => {
    // Prepare
    const route = routeWith((r) => {
      r['match'] = { source: 'any', alarm: 'DWSPrimaryDown*' };
    });

    // Act
    // (a Cloud Eye alarm carries its SMN topic, in the route's region and project: smnOrigin.test.ts)
    const labels = { ...signal().labels, topic_urn: `urn:smn:cn-north-4:${PROJECT_ID}:dws-alarms` };
    const decisions = (['cloudwatch', 'alertmanager', 'grafana', 'cloud-eye'] as const).map(
      (source) => routeSignal(signal({ source, labels }), [route]).length,
    );

    // Assess
    expect(decisions).toEqual([1, 1, 1, 1]);
  });

  it('matches the alarm glob anchored: DWSPrimaryDown* takes DWSPrimaryDown-az1, not xDWSPrimaryDown', () => {
    // Prepare
    const route = routeWith(() => {});

    // Act
    const suffixed = routeSignal(signal({ name: 'DWSPrimaryDown-az1' }), [route]);
    const prefixed = routeSignal(signal({ name: 'xDWSPrimaryDown' }), [route]);

    // Assess
    expect(suffixed).toHaveLength(1);
    expect(prefixed).toHaveLength(0);
    expect(mismatchesOf(signal({ name: 'xDWSPrimaryDown' }), route)).toEqual([
      'name "xDWSPrimaryDown" does not match "DWSPrimaryDown*"',
    ]);
  });

  it('matches ? as exactly one character', () => {
    // Prepare
    const route = routeWith((r) => {
      r['match'] = { source: 'alertmanager', alarm: 'DWSPrimaryDown-az?' };
    });

    // Act
    const one = routeSignal(signal({ name: 'DWSPrimaryDown-az1' }), [route]);
    const two = routeSignal(signal({ name: 'DWSPrimaryDown-az12' }), [route]);
    const none = routeSignal(signal({ name: 'DWSPrimaryDown-az' }), [route]);

    // Assess
    expect([one.length, two.length, none.length]).toEqual([1, 0, 0]);
  });

  it('treats regex metacharacters in names literally', () => {
    // Prepare
    const route = routeWith((r) => {
      r['match'] = { source: 'alertmanager', alarm: 'disk.used(%)+[sda]' };
    });

    // Act
    const exact = routeSignal(signal({ name: 'disk.used(%)+[sda]' }), [route]);
    const regexLike = routeSignal(signal({ name: 'diskXused(%)))s' }), [route]);

    // Assess
    expect(exact).toHaveLength(1);
    expect(regexLike).toHaveLength(0);
  });

  it('requires every listed label: a missing label or a different value does not match', () => {
    // Prepare
    const route = routeWith((r) => {
      r['match'] = { source: 'alertmanager', labels: { cluster: 'prod', region: 'cn-north-4' } };
    });

    // Act
    const all = signal({ labels: { cluster: 'prod', region: 'cn-north-4', extra: 'x' } });
    const missing = signal({ labels: { cluster: 'prod' } });
    const different = signal({ labels: { cluster: 'staging', region: 'cn-north-4' } });

    // Assess
    expect(routeSignal(all, [route])).toHaveLength(1);
    expect(routeSignal(missing, [route])).toHaveLength(0);
    expect(routeSignal(different, [route])).toHaveLength(0);
    expect(mismatchesOf(missing, route)).toEqual(['label region is missing (route wants "cn-north-4")']);
    expect(mismatchesOf(different, route)).toEqual(['label cluster is "staging", route wants "prod"']);
  });

  it('matches label values as globs', () => {
    // Prepare
    const route = routeWith((r) => {
      r['match'] = { source: 'alertmanager', labels: { instance: 'dws-prod.*:8000' } };
    });

    // Act
    const hit = signal({ labels: { instance: 'dws-prod.cn-north-4.example.internal:8000' } });
    const miss = signal({ labels: { instance: 'dws-prod-dr.cn-north-4.example.internal:8000' } });

    // Assess
    expect(routeSignal(hit, [route])).toHaveLength(1);
    expect(routeSignal(miss, [route])).toHaveLength(0);
  });

  it('does not read inherited properties as labels', () => {
    // Prepare
    const route = routeWith((r) => {
      r['match'] = { source: 'alertmanager', labels: { toString: '*' } };
    });

    // Act
    const decisions = routeSignal(signal({ labels: {} }), [route]);

    // Assess
    expect(decisions).toHaveLength(0);
  });

  it('lists every reason a route does not match', () => {
    // Prepare
    const route = routeWith(() => {});

    // Act
    const why = explainNoMatch(
      signal({ source: 'grafana', shape: 'grafana', name: 'Other', labels: { cluster: 'dev' } }),
      [route],
    );

    // Assess
    expect(why).toEqual([
      'dws-prod-failover: source is grafana, route wants alertmanager; name "Other" does not match "DWSPrimaryDown*"; label cluster is "dev", route wants "prod"',
    ]);
  });
});

describe('transitions', () => {
  it('acts on alarm with previous ok', () => {
    // Act
    const [decision] = routeSignal(signal({ state: 'alarm', previous_state: 'ok' }), [routeWith(() => {})]);

    // Assess
    expect(decision!.act).toBe(true);
  });

  it('acts on alarm with no previous state (Alertmanager firing)', () => {
    // Act
    const [decision] = routeSignal(signal({ state: 'alarm' }), [routeWith(() => {})]);

    // Assess
    expect(decision!.act).toBe(true);
  });

  it('acts on alarm after insufficient data', () => {
    // Act
    const [decision] = routeSignal(signal({ state: 'alarm', previous_state: 'insufficient' }), [
      routeWith(() => {}),
    ]);

    // Assess
    expect(decision!.act).toBe(true);
  });

  it('does not act on alarm with previous alarm (a repeat)', () => {
    // Act
    const [decision] = routeSignal(signal({ state: 'alarm', previous_state: 'alarm' }), [
      routeWith(() => {}),
    ]);

    // Assess
    expect(decision).toMatchObject({
      act: false,
      reason: 'not a transition: previous state is already alarm',
    });
  });

  it('does nothing on ok unless on lists ok', () => {
    // Prepare
    const resolved = signal({ state: 'ok', previous_state: 'alarm' });

    // Act
    const [plain] = routeSignal(resolved, [routeWith(() => {})]);
    const [onOk] = routeSignal(resolved, [
      routeWith((r) => {
        r['on'] = ['ok'];
      }),
    ]);

    // Assess
    expect(plain).toMatchObject({ act: false, reason: 'state ok is not in on: [alarm]' });
    expect(onOk!.act).toBe(true);
  });

  it('does nothing on insufficient unless on lists insufficient', () => {
    // Prepare
    const insufficient = signal({ state: 'insufficient', previous_state: 'ok' });

    // Act
    const [plain] = routeSignal(insufficient, [routeWith(() => {})]);
    const [listed] = routeSignal(insufficient, [
      routeWith((r) => {
        r['on'] = ['alarm', 'insufficient'];
      }),
    ]);
    const [repeat] = routeSignal({ ...insufficient, previous_state: 'insufficient' }, [
      routeWith((r) => {
        r['on'] = ['alarm', 'insufficient'];
      }),
    ]);

    // Assess
    expect(plain).toMatchObject({ act: false, reason: 'state insufficient is not in on: [alarm]' });
    expect(listed!.act).toBe(true);
    expect(repeat).toMatchObject({
      act: false,
      reason: 'not a transition: previous state is already insufficient',
    });
  });
});

describe('decisions and keys', () => {
  it('gives one decision per matching route, each acting', () => {
    // Prepare
    const routes = routesOf(
      baseRoute(),
      { ...baseRoute(), name: 'second', match: { source: 'any', alarm: 'DWS*' } },
      { ...baseRoute(), name: 'unrelated', match: { source: 'any', alarm: 'Redis*' } },
    );

    // Act
    const decisions = routeSignal(signal(), routes);

    // Assess
    expect(decisions.map((d) => [d.route.name, d.act])).toEqual([
      ['dws-prod-failover', true],
      ['second', true],
    ]);
    const keys = actsOf(decisions).map((d) => (d.act ? d.key : ''));
    expect(new Set(keys).size).toBe(2); // each route has its own key
  });

  it('builds request_id as alarm:<route>:<first 32 hex of sha256(episode)>', () => {
    // Prepare
    const episode = 'b2f6d1c3a4e59087@2024-05-01T09:59:30.512Z';
    const hash = createHash('sha256').update(episode).digest('hex').slice(0, 32);

    // Act
    const [decision] = routeSignal(signal({ episode }), [routeWith(() => {})]);

    // Assess
    if (!decision?.act) throw new Error('expected an action');
    expect(decision.request.request_id).toBe(`alarm:dws-prod-failover:${hash}`);
    expect(decision.request.request_id).toMatch(/^alarm:dws-prod-failover:[0-9a-f]{32}$/);
    expect(decision.key).toBe(decision.request.request_id);
    expect(decision.key).toBe(idempotencyKey(decision.request));
    expect(episodeRequestId('dws-prod-failover', episode)).toBe(decision.key);
  });

  it('gives the same key for the same episode (redelivery, re-notification, HA peer) and a new key for a new episode', () => {
    // Prepare
    const route = routeWith(() => {});
    const first = signal({ episode: 'fp@2024-05-01T09:59:30.512Z', raw: { from: 'alertmanager-0' } });
    const peer = signal({ episode: 'fp@2024-05-01T09:59:30.512Z', raw: { from: 'alertmanager-1' } });
    const next = signal({ episode: 'fp@2024-05-02T03:00:00.000Z' });

    // Act
    const [a] = routeSignal(first, [route]);
    const [b] = routeSignal(peer, [route]);
    const [c] = routeSignal(next, [route]);

    // Assess
    if (!a?.act || !b?.act || !c?.act) throw new Error('expected actions');
    expect(b.key).toBe(a.key);
    expect(c.key).not.toBe(a.key);
  });

  it('builds a request that validates as an ActionRequest and carries the route action', () => {
    // Act
    const [decision] = routeSignal(signal(), [routeWith(() => {})]);

    // Assess
    if (!decision?.act) throw new Error('expected an action');
    expect(parseActionRequest(decision.request)).toEqual(decision.request);
    expect(decision.request).toMatchObject({
      action: 'dws.dr.failover',
      region: 'cn-north-4',
      project_id: PROJECT_ID,
      params: { disaster_recovery_id: DR_ID },
    });
  });

  it("gives a decision that does not act the key its episode acts under (so a resolution finds the episode's request)", () => {
    // Prepare
    const route = routeWith(() => {});
    const episode = 'fp@2024-05-01T09:59:30.512Z';

    // Act
    const [fired] = routeSignal(signal({ episode }), [route]);
    const [resolved] = routeSignal(signal({ episode, state: 'ok', previous_state: 'alarm' }), [route]);
    const [repeat] = routeSignal(signal({ episode, previous_state: 'alarm' }), [route]);
    const [suppressed] = routeSignal(signal({ episode, actions_suppressed_by: 'maintenance' }), [route]);

    // Assess
    if (!fired?.act) throw new Error('expected an action');
    for (const decision of [resolved, repeat, suppressed]) {
      expect(decision).toMatchObject({ act: false, key: fired.key });
    }
    expect(resolved).toMatchObject({ reason: 'state ok is not in on: [alarm]' });
  });

  it('gives a decision that does not act no key of another episode or route', () => {
    // Prepare
    const route = routeWith(() => {});
    const other = routeWith((r) => (r['name'] = 'other-route'));
    const resolved = signal({ episode: 'fp@2024-05-01T09:59:30.512Z', state: 'ok', previous_state: 'alarm' });

    // Act
    const [here] = routeSignal(resolved, [route]);
    const [there] = routeSignal(resolved, [other]);
    const [later] = routeSignal({ ...resolved, episode: 'fp@2024-05-02T03:00:00.000Z' }, [route]);

    // Assess
    expect(here?.key).toBe(episodeRequestId('dws-prod-failover', 'fp@2024-05-01T09:59:30.512Z'));
    expect(there?.key).toBe(episodeRequestId('other-route', 'fp@2024-05-01T09:59:30.512Z'));
    expect(later?.key).not.toBe(here?.key);
  });

  it('keeps the longest route name within the request_id limit', () => {
    // Prepare
    const name = 'n'.repeat(64);

    // Act
    const [decision] = routeSignal(signal(), [routeWith((r) => (r['name'] = name))]);

    // Assess
    if (!decision?.act) throw new Error('expected an action');
    expect(decision.request.request_id!.length).toBeLessThanOrEqual(128);
  });
});

describe('the sample routes against the sample signals', () => {
  it('routes the Alertmanager DWSPrimaryDown alert to the alertmanager failover route only', () => {
    // Act
    const decisions = routeSignal(
      signal({ labels: { alertname: 'DWSPrimaryDown', cluster: 'prod', service: 'dws' } }),
      sampleRoutes(),
    );

    // Assess
    expect(decisions.map((d) => d.route.name)).toEqual(['dws-prod-failover']);
  });
});
