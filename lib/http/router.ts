/**
 * A tiny router: method + path template (`/v1/requests/{request_id}`) -> handler.
 * Unknown path -> 404; known path, other method -> 405 with Allow. Owns: matching only.
 */
import { problem } from './problem.ts';
import type { HttpRequest, HttpResponse, InvocationContext } from './types.ts';

export type RouteHandler = (request: HttpRequest, invocation: InvocationContext) => Promise<HttpResponse>;
export interface HttpRoute {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly handler: RouteHandler;
}

const compile = (template: string): RegExp =>
  new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}/?$`);

export const createRouter = (routes: readonly HttpRoute[]) => {
  const compiled = routes.map((route) => ({ ...route, pattern: compile(route.path) }));
  return (request: Omit<HttpRequest, 'params'>, invocation: InvocationContext): Promise<HttpResponse> => {
    const matches = compiled
      .map((route) => ({ route, groups: route.pattern.exec(request.path)?.groups }))
      .filter((m) => m.groups !== undefined || m.route.pattern.test(request.path));
    if (matches.length === 0)
      return Promise.resolve(problem(404, 'Not Found', `no route for ${request.path}`));
    const match = matches.find((m) => m.route.method === request.method.toUpperCase());
    if (!match) {
      const allow = [...new Set(matches.map((m) => m.route.method))].join(', ');
      return Promise.resolve(
        problem(405, 'Method Not Allowed', `${request.method} is not allowed here`, {}, { allow }),
      );
    }
    let params: Record<string, string>;
    try {
      params = Object.fromEntries(
        Object.entries(match.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v ?? '')]),
      );
    } catch {
      return Promise.resolve(problem(400, 'Bad Request', 'the path is not valid percent-encoding'));
    }
    return match.route.handler({ ...request, params }, invocation);
  };
};
