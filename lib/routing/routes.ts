/**
 * The alarm routes file: read, validate, and turn into Route objects (defaults applied), or one
 * ValidationError listing every problem, each naming the route and the field (and its line).
 * The action part of each route (action, region, project_id, params) is validated exactly as an
 * ActionRequest: the catalogue's schema, never a copy of it.
 * Owns: that validation and the file's loading. Must not touch: matching signals (match.ts),
 * cooldowns and execution (later layers), the per-action schemas (lib/actions).
 */
import { readFileSync } from 'node:fs';
import { ActionRequestSchema } from '../actions/request.ts';
import { isRecord } from '../json.ts';
import {
  formatSegments,
  type RawIssue,
  type RouteIssue,
  rawIssuesOf,
  routeLabel,
  routesError,
  type Segment,
} from './issues.ts';
import {
  DEFAULT_COOLDOWN_SECONDS,
  DEFAULT_ON,
  type Route,
  type RouteAction,
  RouteFieldsSchema,
  RoutesFileSchema,
} from './schema.ts';
import { topicUrnProblem } from './smnOrigin.ts';
import { readYaml } from './yamlDoc.ts';

export type { RouteIssue } from './issues.ts';
export {
  DEFAULT_COOLDOWN_SECONDS,
  DEFAULT_ON,
  type Route,
  type RouteAction,
  RouteFieldsSchema,
  type RouteMatch,
  RouteMatchSchema,
  type RouteSettings,
  RoutesFileSchema,
} from './schema.ts';

type LineOf = (segments: readonly Segment[]) => number | undefined;

const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
};

/** Validates one route; returns it, or the problems (segments relative to the file root). */
const checkRoute = (item: unknown, index: number): { route?: Route; problems: RawIssue[] } => {
  const at: Segment[] = ['routes', index];
  const fields = RouteFieldsSchema.safeParse(item);
  const problems = fields.success ? [] : rawIssuesOf(fields.error, item, at);
  if (!isRecord(item)) return { problems };
  const envelope = {
    action: item['action'],
    region: item['region'],
    project_id: item['project_id'],
    params: item['params'],
  };
  const action = ActionRequestSchema.safeParse(envelope);
  if (!action.success) problems.push(...rawIssuesOf(action.error, envelope, at));
  if (!fields.success || !action.success) return { problems };
  const f = fields.data;
  const route = {
    ...(action.data as RouteAction),
    name: f.name,
    index,
    match: {
      source: f.match.source,
      ...(f.match.alarm === undefined ? {} : { alarm: f.match.alarm }),
      ...(f.match.labels === undefined ? {} : { labels: f.match.labels }),
      ...(f.match.topic_urn === undefined ? {} : { topic_urn: f.match.topic_urn }),
    },
    on: f.on ?? [...DEFAULT_ON],
    cooldown_seconds: f.cooldown_seconds ?? DEFAULT_COOLDOWN_SECONDS,
  } as Route;
  const topicProblem = topicUrnProblem(route);
  if (topicProblem !== undefined) {
    return { problems: [{ segments: [...at, 'match', 'topic_urn'], message: topicProblem }] };
  }
  return { route, problems };
};

/** `routes[1] (name).params.x` for segments under a route, else the plain path. */
const pathOf = (segments: readonly Segment[], items: readonly unknown[]): string => {
  const [head, index, ...rest] = segments;
  if (head === 'routes' && typeof index === 'number') {
    const item = items[index];
    return `${routeLabel(index, isRecord(item) ? item['name'] : undefined)}${formatSegments(rest)}`;
  }
  return segments.length === 0 ? '(root)' : formatSegments(segments).replace(/^\./, '');
};

/**
 * Validates an already-parsed routes document (`{routes: [...]}`). Throws one ValidationError
 * (issues `{path, message, line?}`) naming every problem, duplicate names included.
 */
export const validateRoutes = (document: unknown, file?: string, lineOf?: LineOf): Route[] => {
  const locate = (raw: RawIssue, items: readonly unknown[]): RouteIssue => {
    const line = lineOf?.(raw.segments);
    return {
      path: pathOf(raw.segments, items),
      message: raw.message,
      ...(line === undefined ? {} : { line }),
    };
  };
  const parsedFile = RoutesFileSchema.safeParse(document);
  if (!parsedFile.success)
    throw routesError(
      rawIssuesOf(parsedFile.error, document).map((r) => locate(r, [])),
      file,
    );
  const items = parsedFile.data.routes;
  const problems: RawIssue[] = [];
  const routes: Route[] = [];
  const firstByName = new Map<string, number>();
  items.forEach((item, index) => {
    const checked = checkRoute(item, index);
    problems.push(...checked.problems);
    if (checked.route) routes.push(checked.route);
    const name = isRecord(item) ? item['name'] : undefined;
    if (typeof name !== 'string') return;
    const first = firstByName.get(name);
    if (first === undefined) firstByName.set(name, index);
    else
      problems.push({ segments: ['routes', index, 'name'], message: `duplicate: routes[${first}] has it` });
  });
  if (problems.length > 0)
    throw routesError(
      problems.map((r) => locate(r, items)),
      file,
    );
  return deepFreeze(routes);
};

/** Parses the text of a routes file (YAML or JSON). Throws ValidationError (with lines) on any problem. */
export const parseRoutes = (text: string, file?: string): Route[] => {
  const yaml = readYaml(text, file);
  return validateRoutes(yaml.value, file, yaml.lineOf);
};

/**
 * Reads and parses a routes file; a missing or unreadable file is a ValidationError too.
 * Messages name the file as `shownAs` (default: `path`).
 */
export const loadRoutes = (path: string, shownAs: string = path): Route[] => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? 'not found (set DR_ROUTES_FILE or give the path)'
        : code === 'EISDIR'
          ? 'is a directory, not a routes file'
          : `cannot be read (${code ?? (error as Error).message})`;
    throw routesError([{ path: '(file)', message }], shownAs);
  }
  return parseRoutes(text, shownAs);
};
