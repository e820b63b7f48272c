/**
 * Shared by the routing tests: the sample routes file, a valid route to vary, signals to route, and
 * catching the ValidationError a routes file must produce. Owns: test plumbing only.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { stringify } from 'yaml';
import { ValidationError } from '../../lib/errors.ts';
import { parseRoutes, type Route } from '../../lib/routing/routes.ts';
import type { AlarmSignal } from '../../lib/sources/index.ts';

export const SAMPLE_ROUTES_PATH = new URL('../../events/routes/routes.yml', import.meta.url);
export const INVALID_ROUTES_PATH = new URL('../../events/routes/invalid-routes.yml', import.meta.url);

export const PROJECT_ID = '89cd04f168b84af6be287f71730fdb4b';
export const DR_ID = 'e59d6b86-9072-46eb-a996-13f8b44994c1';

export const sampleRoutesText = (): string => readFileSync(SAMPLE_ROUTES_PATH, 'utf8');
export const sampleRoutes = (): Route[] => parseRoutes(sampleRoutesText(), 'routes.yml');

/** A valid route as written in a file (a fresh copy each call). */
export const baseRoute = (): Record<string, unknown> => ({
  name: 'dws-prod-failover',
  match: { source: 'alertmanager', alarm: 'DWSPrimaryDown*', labels: { cluster: 'prod' } },
  on: ['alarm'],
  action: 'dws.dr.failover',
  region: 'cn-north-4',
  project_id: PROJECT_ID,
  params: { disaster_recovery_id: DR_ID },
  cooldown_seconds: 3600,
});

/** The YAML text of a routes file holding `routes`. */
export const routesYaml = (...routes: unknown[]): string => stringify({ routes });

/** Parses a routes file holding these routes. */
export const routesOf = (...routes: unknown[]): Route[] => parseRoutes(routesYaml(...routes), 'test.yml');

/** A single route built from `baseRoute()` after `change` (a convenient one-liner). */
export const routeWith = (change: (r: Record<string, unknown>) => void): Route => {
  const raw = baseRoute();
  change(raw);
  const [route] = routesOf(raw);
  return route!;
};

/** An Alertmanager-like firing signal; override anything. */
export const signal = (overrides: Partial<AlarmSignal> = {}): AlarmSignal => ({
  source: 'alertmanager',
  shape: 'alertmanager/v4',
  name: 'DWSPrimaryDown',
  state: 'alarm',
  episode: 'b2f6d1c3a4e59087@2024-05-01T09:59:30.512Z',
  labels: { alertname: 'DWSPrimaryDown', cluster: 'prod' },
  occurred_at: '2024-05-01T09:59:30.512Z',
  raw: {},
  ...overrides,
});

/** Runs `act` and returns the ValidationError it must throw (every issue named in its message). */
export const routesErrorOf = (act: () => unknown): ValidationError => {
  let thrown: unknown;
  try {
    act();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected a ValidationError, nothing was thrown').toBeInstanceOf(ValidationError);
  const error = thrown as ValidationError;
  expect(error.issues.length).toBeGreaterThan(0);
  for (const issue of error.issues) expect(error.message).toContain(`${issue.path}: ${issue.message}`);
  return error;
};

/** The issue at `path` (fails the test when there is none). */
export const issueAt = (
  error: ValidationError,
  path: string,
): { path: string; message: string; line?: number } => {
  const issue = error.issues.find((i) => i.path === path);
  expect(issue, `no issue at ${path}; issues: ${JSON.stringify(error.issues)}`).toBeDefined();
  return issue!;
};
