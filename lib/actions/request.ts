/**
 * The ActionRequest contract (queue message body, webhook body), built from the catalogue,
 * and its idempotency key. Owns: validation with messages naming the field; canonical hashing.
 */
import { createHash } from 'node:crypto';
import { capIssues, issuesOf, ValidationError } from '../errors.ts';
import * as z from '../schema/zod.ts';
import { actions } from './catalogue.ts';
import { projectId, region, requestId } from './ids.ts';

const envelopeFor = <A extends (typeof actions)[number]>(action: A) =>
  z.strictObject({
    action: z.literal(action.id as A['id']),
    region,
    project_id: projectId,
    request_id: z.optional(requestId),
    params: action.params as A['params'],
  });

/** One envelope per catalogue entry, in catalogue order: a new action needs nothing here. */
type EnvelopesOf<T extends readonly unknown[]> = {
  -readonly [K in keyof T]: T[K] extends (typeof actions)[number]
    ? ReturnType<typeof envelopeFor<T[K]>>
    : never;
};
type Envelopes = EnvelopesOf<typeof actions>;

export const ActionRequestSchema = z.lazySchema(() =>
  z.discriminatedUnion('action', actions.map(envelopeFor) as unknown as Envelopes, {
    error: (issue) =>
      issue.code === 'invalid_union' ? `must be one of ${actions.map((a) => a.id).join(', ')}` : undefined,
  }),
);
export type ActionRequest = z.infer<typeof ActionRequestSchema>;

/** Validates an already-parsed value; throws ValidationError naming every bad field. */
export const parseActionRequest = (value: unknown): ActionRequest => {
  const result = ActionRequestSchema.safeParse(value);
  if (result.success) return result.data;
  const issues = capIssues(issuesOf(result.error));
  throw new ValidationError(
    `invalid ActionRequest: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    issues,
  );
};

/** Parses a raw JSON body then validates it. */
export const parseActionRequestJson = (raw: string): ActionRequest => {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    const message = `body is not JSON (${(error as Error).message})`;
    throw new ValidationError(`invalid ActionRequest: ${message}`, [{ path: '(body)', message }]);
  }
  return parseActionRequest(value);
};

/** JSON with object keys sorted at every depth: equal requests hash equally whatever their key order. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );

/** `request_id` when the sender chose one, else `sha256:` + the hash of the canonical request. */
export const idempotencyKey = (request: ActionRequest): string =>
  request.request_id ??
  `sha256:${createHash('sha256')
    .update(
      canonicalJson({
        action: request.action,
        region: request.region,
        project_id: request.project_id,
        params: request.params,
      }),
    )
    .digest('hex')}`;
