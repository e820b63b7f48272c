/**
 * Cloud Eye routes and SMN topics: a Cloud Eye alarm acts only on a route in its topic's region and
 * project; a route may name its one `topic_urn` (checked against its region and project, and an
 * allowed topic); other sources are not concerned.
 */
import { describe, expect, it } from 'vitest';
import { mismatchesOf, routeSignal } from '../../lib/routing/match.ts';
import { routeTopicUrns, smnOriginMismatches } from '../../lib/routing/smnOrigin.ts';
import { parseCloudEyeAlarm } from '../../lib/sources/index.ts';
import { issueAt, PROJECT_ID, routesErrorOf, routesOf, routeWith, sampleRoutes } from './helpers.ts';

const TOPIC = `urn:smn:cn-north-4:${PROJECT_ID}:dws-prod-alarms`;
const OTHER_PROJECT = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';

/** The Cloud Eye signal of a DWSPrimaryDown alarm delivered through `topic` (labels as the parser sets them). */
const cloudEye = (topic: string) =>
  parseCloudEyeAlarm(
    {
      alarm_id: 'al1',
      alarm_name: 'DWSPrimaryDown',
      alarm_status: 'alarm',
      time: 1_714_557_600_000,
      namespace: 'SYS.DWS',
    },
    { message_id: 'm1', timestamp: '2024-05-01T10:00:02Z', topic_urn: topic },
  )[0]!;

const cloudEyeRoute = (match: Record<string, unknown> = {}) =>
  routeWith((r) => {
    r['name'] = 'dws-prod-failover-cloud-eye';
    r['match'] = { source: 'cloud-eye', alarm: 'DWSPrimaryDown', ...match };
  });

describe('a Cloud Eye alarm acts only in its topic’s region and project', () => {
  it('acts on a route in the topic’s region and project', () => {
    // Act
    const decisions = routeSignal(cloudEye(TOPIC), [cloudEyeRoute()]);

    // Assess
    expect(decisions.map((d) => d.act)).toEqual([true]);
  });

  it.each([
    [
      'another project (another account’s topic)',
      `urn:smn:cn-north-4:${OTHER_PROJECT}:dws-prod-alarms`,
      `SMN topic project is ${OTHER_PROJECT}, the route acts in project ${PROJECT_ID}`,
    ],
    [
      'another region',
      `urn:smn:ap-southeast-1:${PROJECT_ID}:dws-prod-alarms`,
      'SMN topic region is ap-southeast-1, the route acts in cn-north-4',
    ],
  ])('does not match a route when the topic is in %s, and says why', (_case, topic, why) => {
    // Prepare
    const route = cloudEyeRoute();

    // Act
    const decisions = routeSignal(cloudEye(topic), [route]);

    // Assess
    expect(decisions).toEqual([]);
    expect(mismatchesOf(cloudEye(topic), route)).toEqual([why]);
  });

  it('applies to a route with source `any` too', () => {
    // Prepare
    const route = routeWith((r) => {
      r['match'] = { source: 'any', alarm: 'DWSPrimaryDown' };
    });

    // Act
    const ours = routeSignal(cloudEye(TOPIC), [route]);
    const theirs = routeSignal(cloudEye(`urn:smn:cn-north-4:${OTHER_PROJECT}:t`), [route]);

    // Assess
    expect([ours.length, theirs.length]).toEqual([1, 0]);
  });

  it('refuses a Cloud Eye signal that names no topic', () => {
    // Prepare
    const signal = { ...cloudEye(TOPIC), labels: { namespace: 'SYS.DWS' } };

    // Act
    const why = smnOriginMismatches(signal, cloudEyeRoute());

    // Assess
    expect(why).toEqual(['the alarm names no SMN topic (urn:smn:<region>:<project_id>:<name>)']);
  });

  it('cannot be talked round by the message: a template variable named topic_urn or project_id is overridden', () => {
    // Prepare
    const [signal] = parseCloudEyeAlarm(
      {
        alarm_name: 'DWSPrimaryDown',
        alarm_status: 'alarm',
        time: 1,
        template_variable: { topic_urn: TOPIC, project_id: PROJECT_ID, region: 'cn-north-4' },
      },
      {
        message_id: 'm',
        timestamp: '2024-05-01T10:00:02Z',
        topic_urn: `urn:smn:cn-north-4:${OTHER_PROJECT}:t`,
      },
    );

    // Act
    const decisions = routeSignal(signal!, [cloudEyeRoute()]);

    // Assess
    expect(decisions).toEqual([]);
  });

  it('does not concern other sources', () => {
    // Prepare
    const route = routeWith(() => {});

    // Act
    const why = smnOriginMismatches(
      {
        source: 'alertmanager',
        shape: 'alertmanager/v4',
        name: 'DWSPrimaryDown',
        state: 'alarm',
        episode: 'e',
        labels: { cluster: 'prod' },
        occurred_at: '2024-05-01T10:00:00.000Z',
        raw: {},
      },
      route,
    );

    // Assess
    expect(why).toEqual([]);
  });
});

describe('topic_urn on a cloud-eye route', () => {
  it('binds the route to that one topic', () => {
    // Prepare
    const route = cloudEyeRoute({ topic_urn: TOPIC });
    const sibling = `urn:smn:cn-north-4:${PROJECT_ID}:other-alarms`;

    // Act
    const own = routeSignal(cloudEye(TOPIC), [route]);
    const other = mismatchesOf(cloudEye(sibling), route);

    // Assess
    expect(own.map((d) => d.act)).toEqual([true]);
    expect(other).toEqual([`SMN topic is ${sibling}, route wants ${TOPIC}`]);
  });

  it('is an allowed topic: routeTopicUrns lists each once', () => {
    // Prepare
    const raw = (name: string, match: Record<string, unknown>) => ({
      name,
      match,
      action: 'dws.dr.failover',
      region: 'cn-north-4',
      project_id: PROJECT_ID,
      params: { disaster_recovery_id: 'e59d6b86-9072-46eb-a996-13f8b44994c1' },
    });
    const routes = routesOf(
      raw('a', { source: 'cloud-eye', topic_urn: TOPIC }),
      raw('b', { source: 'cloud-eye', alarm: 'X', topic_urn: TOPIC }),
      raw('c', { source: 'cloud-eye', alarm: 'Y' }),
    );

    // Act
    const topics = routeTopicUrns(routes);

    // Assess
    expect(topics).toEqual([TOPIC]);
  });

  it('the sample routes name none: the local stack allows its topics with DR_SMN_TOPIC_URNS', () => {
    expect(routeTopicUrns(sampleRoutes())).toEqual([]);
  });

  it.each([
    [
      'a topic in another project',
      { source: 'cloud-eye', topic_urn: `urn:smn:cn-north-4:${OTHER_PROJECT}:dws-prod-alarms` },
      'routes[0] (dws-prod-failover).match.topic_urn',
      'an alarm from it could never act',
    ],
    [
      'a topic in another region',
      { source: 'cloud-eye', topic_urn: `urn:smn:sa-brazil-1:${PROJECT_ID}:dws-prod-alarms` },
      'routes[0] (dws-prod-failover).match.topic_urn',
      'is in sa-brazil-1',
    ],
    [
      'something that is not a topic URN',
      { source: 'cloud-eye', topic_urn: 'dws-prod-alarms' },
      'routes[0] (dws-prod-failover).match.topic_urn',
      'must be an SMN topic URN',
    ],
    [
      'a topic on a route of another source',
      { source: 'alertmanager', alarm: 'X', topic_urn: TOPIC },
      'routes[0] (dws-prod-failover).match.topic_urn',
      'only a route with source: cloud-eye',
    ],
  ])('refuses %s, naming the route and the field', (_case, match, path, message) => {
    // Act
    const error = routesErrorOf(() =>
      routesOf({
        name: 'dws-prod-failover',
        match,
        action: 'dws.dr.failover',
        region: 'cn-north-4',
        project_id: PROJECT_ID,
        params: { disaster_recovery_id: 'e59d6b86-9072-46eb-a996-13f8b44994c1' },
      }),
    );

    // Assess
    expect(issueAt(error, path).message).toContain(message);
  });
});
