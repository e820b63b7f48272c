/**
 * The alarm routes, validated: a parsed routes document (`{routes: [...]}`) turned into Route
 * objects (defaults applied), or one ValidationError listing every problem, each naming the route and
 * the field (and its line, when the caller knows lines). The action part of each route (action,
 * region, project_id, params) is validated exactly as an ActionRequest: the catalogue's schema.
 * Also the functions' loader of the compiled routes (JSON written by `dr-relay routes compile` at
 * package time), so no YAML parser ships in a Lambda bundle.
 * Owns: that validation. Must not touch: YAML (routes.ts), matching (match.ts), execution.
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

export type LineOf = (segments: readonly Segment[]) => number | undefined;

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
    ...(f.approval?.required ? { approval: f.approval } : {}),
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

/** Reads a routes file's text; a missing or unreadable file is a ValidationError naming it as `shownAs`. */
export const readRoutesText = (path: string, shownAs: string = path): string => {
  try {
    return readFileSync(path, 'utf8');
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
};

/**
 * The functions' loader: the compiled routes (JSON, `{"routes": [...]}`, written by
 * `dr-relay routes compile` when the stack is packaged, and by the local stack), validated again.
 */
export const loadCompiledRoutes = (path: string, shownAs: string = path): Route[] => {
  const text = readRoutesText(path, shownAs);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw routesError(
      [
        {
          path: '(file)',
          message:
            'is not compiled routes (JSON): the functions read `npx dr-relay routes compile <routes.yml> <out.json>` output, which packaging writes',
        },
      ],
      shownAs,
    );
  }
  return validateRoutes(document, shownAs);
};
