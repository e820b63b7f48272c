/**
 * The request pipeline of the simulator: read the exact body, route, verify the signature, check
 * the project id, pick a fault, run the service (before/after the fault), answer in Huawei's
 * shape with X-Request-Id, and log exactly one call-log entry per request. Also owns the timers
 * and sockets that faults hold, so close() can release them promptly.
 * Must not touch: service state (only through the service handlers).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { verifyRequest } from './auth.ts';
import type { CallLog } from './callLog.ts';
import { defaultFaultBody, errorCodeOf, fail, PROJECT_ID, unknownApi } from './errors.ts';
import type { FaultRegistry } from './faults.ts';
import { matchRoute, resourceIdOf } from './routes.ts';
import type { CallLogEntry, RouteId, ServiceHandler, ServiceResult } from './types.ts';

export interface PipelineDeps {
  now: () => number;
  hangMs: number;
  /** AK -> SK. */
  credentials: ReadonlyMap<string, string>;
  faults: FaultRegistry;
  log: CallLog;
  handlers: Readonly<Partial<Record<RouteId, ServiceHandler>>>;
}

export interface Pipeline {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Clears pending latency/hang timers and destroys held sockets. */
  release(): void;
}

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

const parseBody = (raw: string): unknown => {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
};

const send = (
  res: ServerResponse,
  status: number,
  body: Record<string, unknown>,
  requestId: string,
  empty = false,
): void => {
  if (status === 204 || empty) {
    res.writeHead(status);
    res.end();
    return;
  }
  const payload = status >= 400 && !('request_id' in body) ? { ...body, request_id: requestId } : body;
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json;charset=UTF-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
};

export const createPipeline = (deps: PipelineDeps): Pipeline => {
  const timers = new Set<NodeJS.Timeout>();
  const held = new Set<IncomingMessage>();

  const later = (ms: number, action: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, ms);
    timers.add(timer);
  };
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => later(ms, resolve));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const at = deps.now();
    const requestId = randomUUID().replaceAll('-', '');
    res.setHeader('X-Request-Id', requestId);
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const raw = await readBody(req);
    const body = parseBody(raw.toString('utf8'));
    const url = new URL(`http://simulator.invalid${path.startsWith('/') ? path : `/${path}`}`);
    const matched = matchRoute(method, url.pathname);
    const auth = verifyRequest({
      method,
      path,
      headers: req.headers,
      rawBody: raw,
      credentials: deps.credentials,
      now: at,
    });
    const resourceId = matched && resourceIdOf(matched, body);
    const base = {
      at,
      method,
      path,
      route: matched?.route ?? ('unknown' as const),
      ...(matched ? { projectId: matched.projectId } : {}),
      ...(resourceId === undefined ? {} : { resourceId }),
      ...(body === undefined ? {} : { body }),
      requestId,
      authorized: auth.ok,
    };
    const record = (status: number, result: Partial<ServiceResult>, fault?: string): void => {
      const code = errorCodeOf(result.body);
      const entry: Omit<CallLogEntry, 'seq'> = {
        ...base,
        status,
        ...(typeof code === 'string' ? { errorCode: code } : {}),
        ...(fault ? { fault } : {}),
        effectApplied: result.effectApplied ?? false,
      };
      deps.log.append(entry);
    };
    const answer = (result: ServiceResult, fault?: string): void => {
      record(result.status, result, fault);
      send(res, result.status, result.body, requestId, result.empty === true);
    };

    if (!matched) return answer(unknownApi());
    if (!auth.ok) return answer(fail(401, 'APIGW.0301', auth.message));
    const { route, projectId } = matched;
    if (!PROJECT_ID.test(projectId)) {
      return answer(fail(400, 'APIG.0201', 'API request error: the project id must be 32 hex characters.'));
    }
    const handler = deps.handlers[route];
    if (!handler) return answer(unknownApi());
    const run = (): ServiceResult =>
      handler({
        projectId,
        ...(matched.id ? { id: matched.id } : {}),
        version: matched.version,
        body,
        query: url.searchParams,
        now: deps.now(),
      });

    const fault = deps.faults.pick({ route, projectId, ...(resourceId ? { resourceId } : {}), body });
    if (fault && fault.latencyMs > 0) await sleep(fault.latencyMs);
    if (!fault || fault.kind === 'latency') return answer(run(), fault?.label);

    // 'after': the service runs (and changes state) first, then the fault replaces its answer:
    // a 500 / 502 after the effect is the ambiguous case a caller must reconcile.
    const effectApplied = fault.when === 'after' ? run().effectApplied : false;
    if (fault.kind === 'status') {
      const dcsVersion = matched.version === 'v1.0' ? 'v1.0' : 'v2';
      const faultBody = fault.body ?? defaultFaultBody(fault.status, route, dcsVersion);
      return answer({ status: fault.status, body: faultBody, effectApplied }, fault.label);
    }
    record(0, { effectApplied }, fault.label);
    if (fault.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    held.add(req);
    later(deps.hangMs, () => {
      held.delete(req);
      req.socket.destroy();
    });
  };

  const release = (): void => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    for (const req of held) req.socket.destroy();
    held.clear();
  };

  return {
    handle: async (req, res) => {
      try {
        await handle(req, res);
      } catch (error) {
        if (res.headersSent || res.destroyed) return;
        const message = error instanceof Error ? error.message : String(error);
        const requestId = String(res.getHeader('x-request-id') ?? '');
        send(res, 500, { error_code: 'APIG.0201', error_msg: `Simulator error: ${message}` }, requestId);
      }
    },
    release,
  };
};
