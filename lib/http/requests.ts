/**
 * The request routes:
 *   `POST /v1/requests`: a signed ActionRequest (X-DR-Signature), optionally with an Idempotency-Key,
 *     recorded as `queued` and put on the request queue; answers 202 {request_id, status}.
 *   `GET /v1/requests/{request_id}`: the public projection of its status record (signed over the empty body),
 *     with the operation the accepted call started, as followed so far (`operation`), and the approval
 *     of a request that awaits one or was decided (`approval`).
 *   `POST /v1/requests/{request_id}/approval`: a signed decision {decision, by, reason?, via?} on a
 *     request that awaits approval (lib/approval/desk.ts): 200 with the status, 409 with the decision
 *     already recorded (or after the deadline), 403 for someone not among the route's approvers, 404.
 * Checks in this order: size (413), content type (415), signature (401), JSON (400), fields (400),
 * Idempotency-Key (400 / 422 / 409 / the stored answer). Every refusal is a problem+json.
 * Owns: those answers. Must not touch: the signature scheme (signature.ts), key storage
 * (idempotencyKeys.ts), the queue and status store behind the ports, what the executor does.
 */

import { actionFor } from '../actions/catalogue.ts';
import { type ActionRequest, idempotencyKey, parseActionRequest } from '../actions/request.ts';
import type { ApprovalDesk } from '../approval/desk.ts';
import { issuesOf, ValidationError } from '../errors.ts';
import type { RequestQueue } from '../intake/requestQueue.ts';
import type { Log } from '../log.ts';
import * as z from '../schema/zod.ts';
import {
  type IdempotencyKeyStore,
  parseIdempotencyKey,
  requestFingerprint,
} from '../store/idempotencyKeys.ts';
import type {
  ApprovalRecord,
  OperationRecord,
  RequestStatus,
  StatusRecord,
  StatusStore,
} from '../store/status.ts';
import { problem } from './problem.ts';
import type { HttpRoute } from './router.ts';
import { SIGNATURE_TOLERANCE_SECONDS, type SignatureFailure, verifySignature } from './signature.ts';
import { type HttpRequest, type HttpResponse, json } from './types.ts';

export interface RequestRouteDeps {
  /** The current HMAC secrets (a cached secret in the cloud, so rotation needs no deploy). */
  readonly hmacSecrets: () => Promise<readonly string[]>;
  /** Puts the request on the request queue. */
  readonly queue: Pick<RequestQueue, 'send'>;
  readonly store: Pick<StatusStore, 'get' | 'createQueued'>;
  readonly idempotencyKeys: Pick<IdempotencyKeyStore, 'begin' | 'complete' | 'abandon'>;
  readonly now: () => Date;
  readonly log: Log;
  /** Decisions on requests that await approval (lib/approval/desk.ts). */
  readonly approvals?: Pick<ApprovalDesk, 'decide'>;
}

export const REQUESTS_PATH = '/v1/requests';

/** The body of `POST /v1/requests/{id}/approval`. */
const ApprovalBodySchema = z.lazySchema(() =>
  z.strictObject({
    decision: z.enum(['approve', 'deny'], { error: 'must be approve or deny' }),
    by: z.string().check(
      z.regex(/^[A-Za-z0-9._@-]{1,64}$/, {
        error: 'must name who decides: 1-64 characters of A-Z a-z 0-9 . _ @ -',
      }),
    ),
    reason: z.optional(
      z
        .string({ error: 'must be a text' })
        .check(
          z.minLength(1, { error: 'must not be empty (leave it out instead)' }),
          z.maxLength(500, { error: 'must be at most 500 characters' }),
        ),
    ),
    /** How the decision was made, as the signer says (the CLI sends `cli`); `api` when not given. */
    via: z.optional(z.enum(['cli', 'api'], { error: 'must be cli or api' })),
  }),
);
export const MAX_REQUEST_BODY_BYTES = 64 * 1024;

/** Statuses after which a request is never executed again: resending it reports the status. */
const TERMINAL: ReadonlySet<RequestStatus> = new Set(['succeeded', 'skipped', 'dead_lettered']);

const UNAUTHORIZED: Record<Exclude<SignatureFailure, 'no_secrets'>, string> = {
  missing: 'the X-DR-Signature header is missing',
  malformed: 'the X-DR-Signature header is malformed; expected `t=<unix seconds>,v2=<64 hex characters>`',
  v2_required:
    'this request needs a v2 X-DR-Signature, over the method and path: `t=<unix seconds>,v2=<hex hmac_sha256(secret, "<t>.<METHOD>.<path>.<body>")>`',
  stale: `the X-DR-Signature timestamp is more than ${SIGNATURE_TOLERANCE_SECONDS} s in the past`,
  future: `the X-DR-Signature timestamp is more than ${SIGNATURE_TOLERANCE_SECONDS} s in the future`,
  mismatch: 'the X-DR-Signature does not match the request',
};

/**
 * The followed operation as clients see it: where it stands, what was observed, the provider's
 * progress and error, and its times; not the tracker's bookkeeping (checks applied, seen running,
 * abandoned, notices sent).
 */
export const publicOperation = (operation: OperationRecord) => ({
  state: operation.state,
  observed: operation.observed,
  ...(operation.progress !== undefined ? { progress: operation.progress } : {}),
  ...(operation.error !== undefined ? { error: operation.error } : {}),
  started_at: operation.started_at,
  checked_at: operation.checked_at,
  ...(operation.finished_at !== undefined ? { finished_at: operation.finished_at } : {}),
});
export type PublicOperation = ReturnType<typeof publicOperation>;

/** The approval as clients see it: the audit, not the stored request or the notice bookkeeping. */
export const publicApproval = (approval: ApprovalRecord) => ({
  required: approval.required,
  deadline: approval.deadline,
  on_timeout: approval.on_timeout,
  ...(approval.approvers ? { approvers: approval.approvers } : {}),
  route: approval.route,
  ...(approval.alarm ? { alarm: approval.alarm } : {}),
  ...(approval.attached ? { attached: approval.attached } : {}),
  ...(approval.resolved_at ? { resolved_at: approval.resolved_at } : {}),
  ...(approval.decision ? { decision: approval.decision } : {}),
});
export type PublicApproval = ReturnType<typeof publicApproval>;

/** The status record as clients see it: no bookkeeping (`call`, failure times, TTL, the tracker's counters). */
export const publicStatus = (record: StatusRecord) => ({
  request_id: record.request_id,
  action: record.action,
  ...(record.target !== undefined ? { target: record.target } : {}),
  status: record.status,
  attempts: record.attempts,
  ...(record.remote !== undefined ? { remote: record.remote } : {}),
  ...(record.error !== undefined ? { error: record.error } : {}),
  ...(record.reason !== undefined ? { reason: record.reason } : {}),
  ...(record.operation !== undefined ? { operation: publicOperation(record.operation) } : {}),
  ...(record.approval !== undefined ? { approval: publicApproval(record.approval) } : {}),
  updated_at: record.updated_at,
});

const mediaTypeOf = (contentType: string | undefined): string =>
  (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

export const requestRoutes = (deps: RequestRouteDeps): HttpRoute[] => {
  /** undefined when the signature is good; else the answer. Logs the reason, never a secret. */
  const authenticate = async (
    request: HttpRequest,
    signedBody: string,
    /** v1 (t and body only) is kept for `POST /v1/requests`, whose body names the request. */
    v1: boolean,
  ): Promise<HttpResponse | undefined> => {
    const verdict = verifySignature(
      request.headers['x-dr-signature'],
      signedBody,
      await deps.hmacSecrets(),
      Math.floor(deps.now().getTime() / 1000),
      SIGNATURE_TOLERANCE_SECONDS,
      // v2 binds the method and the path. Where the path names the request (GET a status, POST an
      // approval) only v2 is taken: a v1 signature replayed on another request's path would pass.
      { method: request.method, path: request.path, v1 },
    );
    if (verdict.ok) return undefined;
    if (verdict.reason === 'no_secrets') {
      deps.log.error('no webhook HMAC secret is configured; signed requests cannot be accepted');
      return problem(503, 'Service Unavailable', 'request signing is not configured on this service');
    }
    deps.log.warn('request signature refused', {
      reason: verdict.reason,
      method: request.method,
      path: request.path,
    });
    return problem(
      401,
      'Unauthorized',
      UNAUTHORIZED[verdict.reason],
      {},
      { 'www-authenticate': 'DR-Signature' },
    );
  };

  const accept = async (request: ActionRequest): Promise<HttpResponse> => {
    const requestId = idempotencyKey(request);
    const action = actionFor(request.action);
    const created = await deps.store.createQueued(requestId, request.action, action.target(request));
    const existing = created ? undefined : await deps.store.get(requestId);
    const location = { location: `${REQUESTS_PATH}/${encodeURIComponent(requestId)}` };
    if (existing && TERMINAL.has(existing.status)) {
      deps.log.info('request already finished; not queued again', {
        request_id: requestId,
        status: existing.status,
      });
      return json(202, { request_id: requestId, status: existing.status }, location);
    }
    // New, or known but not finished (perhaps never sent): queue it (again); the executor is idempotent.
    await deps.queue.send(request);
    deps.log.info('request queued', { request_id: requestId, action: request.action, duplicate: !created });
    return json(202, { request_id: requestId, status: 'queued' }, location);
  };

  const post = async (request: HttpRequest): Promise<HttpResponse> => {
    if (Buffer.byteLength(request.body, 'utf8') > MAX_REQUEST_BODY_BYTES) {
      return problem(
        413,
        'Payload Too Large',
        `request bodies are limited to ${MAX_REQUEST_BODY_BYTES} bytes`,
      );
    }
    if (mediaTypeOf(request.headers['content-type']) !== 'application/json') {
      return problem(
        415,
        'Unsupported Media Type',
        'the body must be sent as Content-Type: application/json',
        {},
        { 'accept-post': 'application/json' },
      );
    }
    const refused = await authenticate(request, request.body, true);
    if (refused) return refused;

    let value: unknown;
    try {
      value = JSON.parse(request.body);
    } catch {
      return problem(400, 'Invalid JSON', 'the body is not valid JSON', {
        issues: [{ path: '(body)', message: 'not JSON' }],
      });
    }
    let actionRequest: ActionRequest;
    try {
      actionRequest = parseActionRequest(value);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return problem(400, 'Invalid request', `${error.issues.length} invalid field(s)`, {
        issues: error.issues,
      });
    }

    const header = request.headers['idempotency-key'];
    if (header === undefined) return accept(actionRequest);
    const parsed = parseIdempotencyKey(header);
    if (!parsed.ok) {
      return problem(400, 'Invalid Idempotency-Key', parsed.message, {
        issues: [{ path: '(header) Idempotency-Key', message: parsed.message }],
      });
    }
    const { key } = parsed;
    const begun = await deps.idempotencyKeys.begin(
      key,
      requestFingerprint('POST', REQUESTS_PATH, request.body),
    );
    switch (begun.kind) {
      case 'mismatch':
        return problem(
          422,
          'Idempotency-Key reused',
          'this Idempotency-Key was already used with a different request; use a new key',
        );
      case 'in_progress':
        return problem(
          409,
          'Request in progress',
          'a request with this Idempotency-Key is still being processed; retry later',
          {},
          { 'retry-after': '1' },
        );
      case 'replay':
        return {
          statusCode: begun.response.statusCode,
          headers: { ...begun.response.headers },
          body: begun.response.body,
        };
      case 'new':
        break;
    }
    try {
      const response = await accept(actionRequest);
      await deps.idempotencyKeys.complete(key, response);
      return response;
    } catch (error) {
      try {
        await deps.idempotencyKeys.abandon(key);
      } catch (abandonError) {
        deps.log.error('could not release an Idempotency-Key after a failure', {
          error: (abandonError as Error).message,
        });
      }
      throw error;
    }
  };

  const get = async (request: HttpRequest): Promise<HttpResponse> => {
    const refused = await authenticate(request, '', false);
    if (refused) return refused;
    const requestId = request.params['request_id'] ?? '';
    const record =
      requestId.length > 0 && requestId.length <= 256 ? await deps.store.get(requestId) : undefined;
    if (!record) return problem(404, 'Not Found', 'no request with this request_id is known');
    return json(200, publicStatus(record), { 'cache-control': 'no-store' });
  };

  const decide = async (request: HttpRequest): Promise<HttpResponse> => {
    if (Buffer.byteLength(request.body) > MAX_REQUEST_BODY_BYTES)
      return problem(413, 'Payload Too Large', `bodies are limited to ${MAX_REQUEST_BODY_BYTES} bytes`);
    if (mediaTypeOf(request.headers['content-type']) !== 'application/json') {
      return problem(
        415,
        'Unsupported Media Type',
        'the body must be sent as Content-Type: application/json',
        {},
        { 'accept-post': 'application/json' },
      );
    }
    const refused = await authenticate(request, request.body, false);
    if (refused) return refused;
    if (!deps.approvals) return problem(404, 'Not Found', 'approvals are not handled here');
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      return problem(400, 'Invalid approval', 'the body is not JSON', {
        issues: [{ path: '(body)', message: 'not JSON' }],
      });
    }
    const parsed = ApprovalBodySchema.safeParse(body);
    if (!parsed.success)
      return problem(400, 'Invalid approval', 'the body is not a decision', {
        issues: issuesOf(parsed.error),
      });
    const requestId = request.params['request_id'] ?? '';
    const { via = 'api', ...decision } = parsed.data;
    const decided = await deps.approvals.decide(requestId, { ...decision, via });
    deps.log.info('approval decision', {
      request_id: requestId,
      decision: decision.decision,
      by: decision.by,
      via,
      accepted: decided.ok,
      ...(decided.ok ? {} : { refused: decided.message }),
    });
    if (decided.ok) return json(200, publicStatus(decided.record), { 'cache-control': 'no-store' });
    const title = decided.status === 404 ? 'Not Found' : decided.status === 403 ? 'Forbidden' : 'Conflict';
    return problem(decided.status, title, decided.message, {
      ...(decided.record?.approval?.decision ? { decision: decided.record.approval.decision } : {}),
    });
  };

  return [
    { method: 'POST', path: REQUESTS_PATH, handler: post },
    { method: 'GET', path: `${REQUESTS_PATH}/{request_id}`, handler: get },
    { method: 'POST', path: `${REQUESTS_PATH}/{request_id}/approval`, handler: decide },
  ];
};
