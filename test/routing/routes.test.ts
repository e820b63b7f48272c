/**
 * The routes file: the sample parses with defaults applied; every kind of mistake is reported with
 * the route's name, the field's path and its line, all in one ValidationError.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseActionRequest } from '../../lib/actions/request.ts';
import { loadRoutes, parseRoutes, RoutesFileSchema } from '../../lib/routing/routes.ts';
import {
  baseRoute,
  DR_ID,
  INVALID_ROUTES_PATH,
  issueAt,
  PROJECT_ID,
  routesErrorOf,
  routesOf,
  routesYaml,
  routeWith,
  SAMPLE_ROUTES_PATH,
  sampleRoutes,
} from './helpers.ts';

describe('the sample routes file', () => {
  it('parses, with defaults applied where the file leaves them out', () => {
    // Prepare
    const path = fileURLToPath(SAMPLE_ROUTES_PATH);

    // Act
    const routes = loadRoutes(path);

    // Assess
    expect(routes.map((r) => r.name)).toEqual([
      'dws-prod-failover',
      'dws-prod-failover-grafana',
      'dws-prod-failover-cloudwatch',
      'dws-prod-failover-cloud-eye',
      'redis-sessions-restore',
      'dws-prod-failover-cloudwatch-composite',
    ]);
    const grafana = routes[1]!;
    expect(grafana.on).toEqual(['alarm']); // not in the file: default
    expect(grafana.cooldown_seconds).toBe(3600); // not in the file: default
    expect(routes[4]!.cooldown_seconds).toBe(86400);
    expect(routes[0]!.match).toEqual({
      source: 'alertmanager',
      alarm: 'DWSPrimaryDown*',
      labels: { cluster: 'prod' },
    });
    expect(routes.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('holds each route action as a valid ActionRequest (the catalogue validated it)', () => {
    // Act
    const routes = sampleRoutes();

    // Assess
    for (const route of routes) {
      const request = parseActionRequest({
        action: route.action,
        region: route.region,
        project_id: route.project_id,
        params: route.params,
      });
      expect(request.params).toEqual(route.params);
    }
    expect(routes.map((r) => r.action)).toEqual([
      'dws.dr.failover',
      'dws.dr.failover',
      'dws.dr.failover',
      'dws.dr.failover',
      'dcs.restore',
      'dws.dr.failover',
    ]);
  });

  it('returns frozen routes (configuration read once at cold start is never changed by accident)', () => {
    // Act
    const [route] = sampleRoutes();

    // Assess
    expect(Object.isFrozen(route)).toBe(true);
    expect(Object.isFrozen(route!.match)).toBe(true);
    expect(Object.isFrozen(route!.params)).toBe(true);
  });
});

describe('defaults and normalisation', () => {
  it('fills on: [alarm] and cooldown_seconds: 3600 when left out', () => {
    // Act
    const route = routeWith((r) => {
      delete r['on'];
      delete r['cooldown_seconds'];
    });

    // Assess
    expect(route.on).toEqual(['alarm']);
    expect(route.cooldown_seconds).toBe(3600);
  });

  it('accepts cooldown_seconds: 0 (no cooldown) and keeps each listed state once', () => {
    // Act
    const route = routeWith((r) => {
      r['cooldown_seconds'] = 0;
      r['on'] = ['alarm', 'insufficient', 'alarm'];
    });

    // Assess
    expect(route.cooldown_seconds).toBe(0);
    expect(route.on).toEqual(['alarm', 'insufficient']);
  });

  it('lower-cases ids as the ActionRequest schema does', () => {
    // Act
    const route = routeWith((r) => {
      r['project_id'] = PROJECT_ID.toUpperCase();
      r['params'] = { disaster_recovery_id: DR_ID.toUpperCase() };
    });

    // Assess
    expect(route.project_id).toBe(PROJECT_ID);
    expect(route.params).toEqual({ disaster_recovery_id: DR_ID });
  });

  it('reads JSON (valid YAML) as well', () => {
    // Act
    const routes = parseRoutes(JSON.stringify({ routes: [baseRoute()] }), 'routes.json');

    // Assess
    expect(routes).toHaveLength(1);
    expect(routes[0]!.name).toBe('dws-prod-failover');
  });

  it('accepts a match with only a source, or `any` source with labels', () => {
    // Act
    const routes = routesOf(
      { ...baseRoute(), name: 'a', match: { source: 'cloud-eye' } },
      { ...baseRoute(), name: 'b', match: { source: 'any', labels: { cluster: 'prod' } } },
    );

    // Assess
    expect(routes.map((r) => r.match)).toEqual([
      { source: 'cloud-eye' },
      { source: 'any', labels: { cluster: 'prod' } },
    ]);
  });

  it('keeps an approval that is required, with its approvers; none when it is not required or left out', () => {
    // Act
    const asked = routeWith((r) => {
      r['approval'] = {
        required: true,
        timeout_seconds: 1800,
        on_timeout: 'proceed',
        approvers: ['alice', 'ops-bot'],
      };
    });
    const notRequired = routeWith((r) => {
      r['approval'] = { required: false, timeout_seconds: 1800, on_timeout: 'cancel' };
    });
    const plain = routeWith(() => {});

    // Assess
    expect(asked.approval).toEqual({
      required: true,
      timeout_seconds: 1800,
      on_timeout: 'proceed',
      approvers: ['alice', 'ops-bot'],
    });
    expect(notRequired).not.toHaveProperty('approval');
    expect(plain).not.toHaveProperty('approval');
  });

  it('parses the approval routes sample (events/routes/approval-routes.yml)', () => {
    // Act
    const routes = loadRoutes(
      fileURLToPath(new URL('../../events/routes/approval-routes.yml', import.meta.url)),
    );

    // Assess
    expect(routes.map((r) => [r.name, r.approval])).toEqual([
      [
        'dws-prod-failover-approved',
        { required: true, timeout_seconds: 1800, on_timeout: 'cancel', approvers: ['alice', 'ops-bot'] },
      ],
      ['dws-prod-failover-deadman', { required: true, timeout_seconds: 900, on_timeout: 'proceed' }],
    ]);
  });

  it('keeps a label named __proto__ as a plain label (never silently drops a condition)', () => {
    // Prepare
    const text = `routes:\n  - name: odd\n    match: { source: alertmanager, labels: { __proto__: x, cluster: prod } }\n    action: dws.dr.failover\n    region: cn-north-4\n    project_id: ${PROJECT_ID}\n    params: { disaster_recovery_id: ${DR_ID} }\n`;

    // Act
    const [route] = parseRoutes(text);

    // Assess
    expect(Object.keys(route!.match.labels!)).toEqual(['__proto__', 'cluster']);
    expect(Object.getPrototypeOf(route!.match.labels)).toBe(Object.prototype);
  });
});

describe('mistakes, each named by route and field', () => {
  const cases: {
    what: string;
    change: (r: Record<string, unknown>) => void;
    path: string;
    message: RegExp;
  }[] = [
    {
      what: 'an unknown key',
      change: (r) => {
        r['cooldown'] = 60;
      },
      path: 'routes[0] (dws-prod-failover).cooldown',
      message: /^unknown field$/,
    },
    {
      what: 'an unknown key inside match',
      change: (r) => {
        r['match'] = { alarms: 'X' };
      },
      path: 'routes[0] (dws-prod-failover).match.alarms',
      message: /^unknown field$/,
    },
    {
      what: 'a request_id (each alarm episode gets its own)',
      change: (r) => {
        r['request_id'] = 'fixed';
      },
      path: 'routes[0] (dws-prod-failover).request_id',
      message: /^unknown field$/,
    },
    {
      what: 'a bad action',
      change: (r) => {
        r['action'] = 'dws.dr.failback';
      },
      path: 'routes[0] (dws-prod-failover).action',
      message: /must be one of dws\.dr\.start, dws\.dr\.failover/,
    },
    {
      what: 'a bad UUID in params',
      change: (r) => {
        r['params'] = { disaster_recovery_id: 'e59d6b86-9072-46eb-a996' };
      },
      path: 'routes[0] (dws-prod-failover).params.disaster_recovery_id',
      message: /must be a UUID/,
    },
    {
      what: 'a missing param',
      change: (r) => {
        r['params'] = {};
      },
      path: 'routes[0] (dws-prod-failover).params.disaster_recovery_id',
      message: /^is required: must be a UUID/,
    },
    {
      what: 'an unknown param',
      change: (r) => {
        r['params'] = { disaster_recovery_id: DR_ID, force: true };
      },
      path: 'routes[0] (dws-prod-failover).params.force',
      message: /^unknown field$/,
    },
    {
      what: 'a bad project id',
      change: (r) => {
        r['project_id'] = '89cd04f168b84af6';
      },
      path: 'routes[0] (dws-prod-failover).project_id',
      message: /32 hexadecimal characters/,
    },
    {
      what: 'a bad region',
      change: (r) => {
        r['region'] = 'Beijing';
      },
      path: 'routes[0] (dws-prod-failover).region',
      message: /region id such as cn-north-4/,
    },
    {
      what: 'a bad on state',
      change: (r) => {
        r['on'] = ['alarm', 'firing'];
      },
      path: 'routes[0] (dws-prod-failover).on[1]',
      message: /must be one of alarm, ok, insufficient/,
    },
    {
      what: 'on given as an empty list',
      change: (r) => {
        r['on'] = [];
      },
      path: 'routes[0] (dws-prod-failover).on',
      message: /at least one state/,
    },
    {
      what: 'a negative cooldown',
      change: (r) => {
        r['cooldown_seconds'] = -1;
      },
      path: 'routes[0] (dws-prod-failover).cooldown_seconds',
      message: /0 \(no cooldown\) or more/,
    },
    {
      what: 'a fractional cooldown',
      change: (r) => {
        r['cooldown_seconds'] = 1.5;
      },
      path: 'routes[0] (dws-prod-failover).cooldown_seconds',
      message: /whole number/,
    },
    {
      what: 'a glob that is not a string',
      change: (r) => {
        r['match'] = { alarm: ['DWS*'] };
      },
      path: 'routes[0] (dws-prod-failover).match.alarm',
      message: /must be a string \(a glob/,
    },
    {
      what: 'a label value that YAML read as a number',
      change: (r) => {
        r['match'] = { labels: { shard: 1 } };
      },
      path: 'routes[0] (dws-prod-failover).match.labels.shard',
      message: /Quote numbers/,
    },
    {
      what: 'a bad source',
      change: (r) => {
        r['match'] = { source: 'prometheus' };
      },
      path: 'routes[0] (dws-prod-failover).match.source',
      message: /one of cloudwatch, alertmanager, grafana, cloud-eye/,
    },
    {
      what: 'a match that names no sender (a route trusts one sender, or says `any`)',
      change: (r) => {
        r['match'] = { alarm: 'DWS*' };
      },
      path: 'routes[0] (dws-prod-failover).match.source',
      message: /must name the sender: one of cloudwatch, alertmanager, grafana, cloud-eye, or `any`/,
    },
    {
      what: 'a match that would match every alarm from every sender',
      change: (r) => {
        r['match'] = { source: 'any', labels: {} };
      },
      path: 'routes[0] (dws-prod-failover).match',
      message: /with source `any`, must name an alarm or labels/,
    },
    {
      what: 'a missing match',
      change: (r) => {
        delete r['match'];
      },
      path: 'routes[0] (dws-prod-failover).match',
      message: /^is required/,
    },
    {
      what: 'a bad name',
      change: (r) => {
        r['name'] = 'dws prod';
      },
      path: 'routes[0] (dws prod).name',
      message: /1-64 characters/,
    },
    {
      what: 'an approval timeout under a minute',
      change: (r) => {
        r['approval'] = { required: true, timeout_seconds: 30, on_timeout: 'cancel' };
      },
      path: 'routes[0] (dws-prod-failover).approval.timeout_seconds',
      message: /^must be at least 60$/,
    },
    {
      what: 'an approval timeout over 7 days',
      change: (r) => {
        r['approval'] = { required: true, timeout_seconds: 604_801, on_timeout: 'cancel' };
      },
      path: 'routes[0] (dws-prod-failover).approval.timeout_seconds',
      message: /^must be at most 604800 \(7 days\)$/,
    },
    {
      what: 'an unknown on_timeout',
      change: (r) => {
        r['approval'] = { required: true, timeout_seconds: 1800, on_timeout: 'wait' };
      },
      path: 'routes[0] (dws-prod-failover).approval.on_timeout',
      message: /^must be cancel or proceed$/,
    },
    {
      what: 'an approval without on_timeout',
      change: (r) => {
        r['approval'] = { required: true, timeout_seconds: 1800 };
      },
      path: 'routes[0] (dws-prod-failover).approval.on_timeout',
      message: /must be cancel or proceed/,
    },
    {
      what: 'an empty approvers list',
      change: (r) => {
        r['approval'] = { required: true, timeout_seconds: 1800, on_timeout: 'cancel', approvers: [] };
      },
      path: 'routes[0] (dws-prod-failover).approval.approvers',
      message: /must name at least one approver/,
    },
    {
      what: 'an approver name with a space',
      change: (r) => {
        r['approval'] = {
          required: true,
          timeout_seconds: 1800,
          on_timeout: 'cancel',
          approvers: ['alice', 'bob smith'],
        };
      },
      path: 'routes[0] (dws-prod-failover).approval.approvers[1]',
      message: /1-64 characters/,
    },
    {
      what: 'an unknown field in the approval',
      change: (r) => {
        r['approval'] = { required: true, timeout_seconds: 1800, on_timeout: 'cancel', timeout: 60 };
      },
      path: 'routes[0] (dws-prod-failover).approval.timeout',
      message: /^unknown field$/,
    },
    {
      what: 'an approval that is not a mapping',
      change: (r) => {
        r['approval'] = true;
      },
      path: 'routes[0] (dws-prod-failover).approval',
      message: /must be a mapping with required, timeout_seconds, on_timeout/,
    },
  ];

  for (const { what, change, path, message } of cases) {
    it(`reports ${what}`, () => {
      // Prepare
      const raw = baseRoute();
      change(raw);

      // Act
      const error = routesErrorOf(() => routesOf(raw));

      // Assess
      expect(issueAt(error, path).message).toMatch(message);
      expect(error.message).toMatch(/^invalid routes file test\.yml: /);
    });
  }

  it('reports a project id YAML read as a number, with a hint to quote it', () => {
    // Prepare
    const text = routesYaml({ ...baseRoute(), project_id: '__P__' }).replace(
      '__P__',
      '12345678901234567890123456789012',
    );
    expect(text).toContain('project_id: 12345678901234567890123456789012');

    // Act
    const error = routesErrorOf(() => parseRoutes(text));

    // Assess
    expect(issueAt(error, 'routes[0] (dws-prod-failover).project_id').message).toMatch(/quote it in YAML/);
  });

  it('reports duplicate names at the second route, naming the first', () => {
    // Act
    const error = routesErrorOf(() =>
      routesOf(baseRoute(), { ...baseRoute(), match: { source: 'alertmanager', alarm: 'Other' } }),
    );

    // Assess
    expect(issueAt(error, 'routes[1] (dws-prod-failover).name').message).toBe('duplicate: routes[0] has it');
    expect(error.issues).toHaveLength(1);
  });

  it('gives the line of each problem', () => {
    // Prepare
    const text = [
      'routes:', //                                                         1
      '  - name: a', //                                                     2
      '    match: { source: any, alarm: A }', //                            3
      '    action: dws.dr.failover', //                                     4
      '    region: cn-north-4', //                                          5
      `    project_id: ${PROJECT_ID}`, //                                   6
      '    params: { disaster_recovery_id: nope }', //                      7
      '    cooldown_seconds: -5', //                                        8
    ].join('\n');

    // Act
    const error = routesErrorOf(() => parseRoutes(text, 'r.yml'));

    // Assess
    expect(issueAt(error, 'routes[0] (a).params.disaster_recovery_id').line).toBe(7);
    expect(issueAt(error, 'routes[0] (a).cooldown_seconds').line).toBe(8);
    expect(error.message).toContain('(line 7)');
  });

  it('reports a YAML syntax error with its line', () => {
    // Prepare
    const text = 'routes:\n  - name: a\n    match: { alarm: [A\n    action: dws.dr.failover\n';

    // Act
    const error = routesErrorOf(() => parseRoutes(text, 'broken.yml'));

    // Assess
    const issue = error.issues[0]!;
    expect(issue.path).toBe('(yaml)');
    expect(issue.message).toMatch(/^syntax error: /);
    expect((issue as { line?: number }).line).toBeGreaterThanOrEqual(3);
    expect(error.message).toMatch(/^invalid routes file broken\.yml: /);
  });

  it('reports a duplicate key in one mapping as a YAML error', () => {
    // Act
    const error = routesErrorOf(() => parseRoutes('routes: []\nroutes: []\n'));

    // Assess
    expect(error.issues[0]!.message).toMatch(/unique/);
    expect((error.issues[0] as { line?: number }).line).toBe(2);
  });

  it('refuses a file that is not a mapping with a routes list', () => {
    // Act
    const empty = routesErrorOf(() => parseRoutes(''));
    const list = routesErrorOf(() => parseRoutes('- a\n- b\n'));
    const extra = routesErrorOf(() => parseRoutes('routes: []\nversion: 2\n'));
    const notList = routesErrorOf(() => parseRoutes('routes: {a: 1}\n'));

    // Assess
    expect(empty.issues[0]!.path).toBe('(root)');
    expect(list.issues[0]!.path).toBe('(root)');
    expect(issueAt(extra, 'version').message).toBe('unknown field');
    expect(issueAt(notList, 'routes').message).toMatch(/list of routes/);
  });

  it('refuses a route that is not a mapping, naming its position', () => {
    // Act
    const error = routesErrorOf(() => routesOf('just a string'));

    // Assess
    expect(issueAt(error, 'routes[0]').message).toMatch(/must be a mapping/);
  });

  it('refuses an alias bomb instead of expanding it', () => {
    // Prepare
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i += 1)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    lines.push('routes: []');

    // Act
    const error = routesErrorOf(() => parseRoutes(lines.join('\n')));

    // Assess
    expect(error.issues[0]!.path).toBe('(yaml)');
  });

  it('lists every problem of the invalid sample in one error, in file order', () => {
    // Act
    const error = routesErrorOf(() => loadRoutes(fileURLToPath(INVALID_ROUTES_PATH), 'invalid-routes.yml'));

    // Assess
    expect(error.issues.map((i) => i.path)).toEqual([
      'routes[0] (dws-prod-failover).on[0]',
      'routes[0] (dws-prod-failover).params.disaster_recovery_id',
      'routes[0] (dws-prod-failover).cooldown',
      'routes[1] (dws-prod-failback).match.source',
      'routes[1] (dws-prod-failback).match.alarm',
      'routes[1] (dws-prod-failback).action',
      'routes[2] (dws-prod-failover).name',
      'routes[2] (dws-prod-failover).project_id',
      'routes[2] (dws-prod-failover).cooldown_seconds',
      'routes[3] (redis restore).name',
      'routes[3] (redis restore).match',
      'routes[3] (redis restore).params.backup_id',
      'routes[3] (redis restore).params.priority',
    ]);
    expect(error.message).toMatch(/^invalid routes file invalid-routes\.yml: 13 problems: /);
  });
});

describe('loadRoutes', () => {
  it('reports a missing file as a ValidationError naming it', () => {
    // Act
    const error = routesErrorOf(() => loadRoutes('/nonexistent/dr-relay/routes.yml'));

    // Assess
    expect(issueAt(error, '(file)').message).toMatch(/^not found/);
    expect(error.message).toContain('/nonexistent/dr-relay/routes.yml');
  });

  it('reports a directory as not a routes file', () => {
    // Act
    const error = routesErrorOf(() => loadRoutes(fileURLToPath(new URL('.', SAMPLE_ROUTES_PATH))));

    // Assess
    expect(issueAt(error, '(file)').message).toMatch(/directory/);
  });
});

describe('RoutesFileSchema', () => {
  it('describes the file structure: a routes list and nothing else', () => {
    // Act
    const ok = RoutesFileSchema.safeParse({ routes: [] });
    const extra = RoutesFileSchema.safeParse({ routes: [], other: 1 });

    // Assess
    expect(ok.success).toBe(true);
    expect(extra.success).toBe(false);
  });
});
