/**
 * The routes file's structure: the zod schemas of the file and of one route's own fields, and the
 * validated Route type. Owns: what a route may say (name, match, on, cooldown) and the defaults.
 * Must not touch: the action part of a route (action / region / project_id / params are validated
 * as an ActionRequest, by the catalogue's schema, in routes.ts), YAML, matching signals.
 */

import type { ActionRequest } from '../actions/request.ts';
import { isRecord } from '../json.ts';
import * as z from '../schema/zod.ts';
import {
  SIGNAL_SOURCES,
  SIGNAL_STATES,
  type SignalSource,
  type SignalState,
  smnTopicUrn,
} from '../sources/index.ts';

export const DEFAULT_ON: readonly SignalState[] = ['alarm'];
export const DEFAULT_COOLDOWN_SECONDS = 3600;
/** 30 days: as long as idempotency records are kept. */
export const MAX_COOLDOWN_SECONDS = 30 * 24 * 3600;
export const ROUTE_NAME = /^[A-Za-z0-9._-]{1,64}$/;

const GLOB_HINT = 'a glob: * any run of characters, ? one character';

const glob = z.lazySchema(() =>
  z
    .string({ error: `must be a string (${GLOB_HINT}. Quote numbers and booleans in YAML)` })
    .check(
      z.minLength(1, { error: `must not be empty (${GLOB_HINT})` }),
      z.maxLength(256, { error: 'must be at most 256 characters' }),
    ),
);

/**
 * `label: glob` pairs. Hand-written rather than z.record, which silently drops a `__proto__` key
 * (a route would then match more than it says); Object.fromEntries keeps every key as own data.
 */
const labels = z.lazySchema(() =>
  z.pipe(
    z.unknown(),
    z.transform((value, ctx): Readonly<Record<string, string>> => {
      if (!isRecord(value)) {
        z.addIssue(ctx, 'must be a mapping of label name: value (globs allowed)');
        return z.NEVER;
      }
      const entries: [string, string][] = [];
      for (const key of Object.keys(value)) {
        if (key.length === 0 || key.length > 128) {
          z.addIssue(ctx, 'label name must be 1-128 characters', [key]);
          continue;
        }
        const parsed = glob.safeParse(value[key]);
        if (parsed.success) entries.push([key, parsed.data]);
        else for (const issue of parsed.error.issues) z.addIssue(ctx, issue.message, [key]);
      }
      return Object.fromEntries(entries);
    }),
  ),
);

/** Said explicitly by a route that accepts every sender (a holder of any sender's credential can trigger it). */
export const ANY_SOURCE = 'any';

export const RouteMatchSchema = z.lazySchema(() =>
  z
    .strictObject(
      {
        source: z.enum([...SIGNAL_SOURCES, ANY_SOURCE], {
          error: `must name the sender: one of ${SIGNAL_SOURCES.join(', ')}, or \`${ANY_SOURCE}\` for every sender (the routes check warns)`,
        }),
        alarm: z.optional(glob),
        labels: z.optional(labels),
        /** cloud-eye only: the one SMN topic this route acts on (and an allowed topic: see smnOrigin.ts). */
        topic_urn: z.optional(smnTopicUrn),
      },
      { error: 'must be a mapping with source, alarm, labels and/or topic_urn' },
    )
    .check(
      z.refine(
        (m) => m.source !== ANY_SOURCE || m.alarm !== undefined || Object.keys(m.labels ?? {}).length > 0,
        {
          error:
            'with source `any`, must name an alarm or labels (a route that matches every alarm is refused)',
        },
      ),
      z.refine((m) => m.topic_urn === undefined || m.source === 'cloud-eye', {
        path: ['topic_urn'],
        error: 'only a route with source: cloud-eye names an SMN topic',
      }),
    ),
);

const state = z.lazySchema(() =>
  z.enum(SIGNAL_STATES, { error: `must be one of ${SIGNAL_STATES.join(', ')}` }),
);

/** A person decides before the route's action runs: approve, deny, or let the timer decide. */
export const ApprovalSchema = z.lazySchema(() =>
  z.strictObject(
    {
      required: z.boolean({ error: 'must be true or false' }),
      timeout_seconds: z
        .number({ error: 'must be a number of seconds' })
        .check(
          z.int({ error: 'must be a whole number of seconds' }),
          z.gte(60, { error: 'must be at least 60' }),
          z.lte(7 * 86_400, { error: 'must be at most 604800 (7 days)' }),
        ),
      on_timeout: z.enum(['cancel', 'proceed'], { error: 'must be cancel or proceed' }),
      approvers: z.optional(
        z
          .array(
            z.string().check(
              z.regex(/^[A-Za-z0-9._@-]{1,64}$/, {
                error: 'must be names of 1-64 characters of A-Z a-z 0-9 . _ @ -',
              }),
            ),
          )
          .check(
            z.minLength(1, {
              error: 'must name at least one approver (or be left out: anyone who can sign)',
            }),
          ),
      ),
    },
    { error: 'must be a mapping with required, timeout_seconds, on_timeout and optionally approvers' },
  ),
);
export type Approval = z.infer<typeof ApprovalSchema>;

/** A route's own fields; the action part is accepted here as anything and validated as an ActionRequest. */
export const RouteFieldsSchema = z.lazySchema(() =>
  z.strictObject(
    {
      name: z
        .string({ error: 'must be a string of 1-64 characters of A-Z a-z 0-9 . _ -' })
        .check(z.regex(ROUTE_NAME, { error: 'must be 1-64 characters of A-Z a-z 0-9 . _ -' })),
      match: RouteMatchSchema,
      on: z.optional(
        z.pipe(
          z
            .array(state, { error: `must be a list of states, e.g. [alarm] (${SIGNAL_STATES.join(' | ')})` })
            .check(z.minLength(1, { error: 'must list at least one state (or be left out for [alarm])' })),
          z.transform((states) => [...new Set(states)]),
        ),
      ),
      // Checked (and reported when missing) by ActionRequestSchema; here only declared as known keys.
      action: z.optional(z.unknown()),
      region: z.optional(z.unknown()),
      project_id: z.optional(z.unknown()),
      params: z.optional(z.unknown()),
      cooldown_seconds: z.optional(
        z
          .number({ error: 'must be a number of seconds (0 disables the cooldown)' })
          .check(
            z.int({ error: 'must be a whole number of seconds' }),
            z.gte(0, { error: 'must be 0 (no cooldown) or more' }),
            z.lte(MAX_COOLDOWN_SECONDS, { error: `must be at most ${MAX_COOLDOWN_SECONDS} (30 days)` }),
          ),
      ),
      approval: z.optional(ApprovalSchema),
    },
    {
      error:
        'must be a mapping (name, match, on, action, region, project_id, params, cooldown_seconds, approval)',
    },
  ),
);

/** The file: `routes:` and nothing else. Each route is checked by RouteFieldsSchema + ActionRequestSchema. */
export const RoutesFileSchema = z.lazySchema(() =>
  z.strictObject(
    { routes: z.array(z.unknown(), { error: 'must be a list of routes' }) },
    { error: 'must be a mapping with a `routes:` list' },
  ),
);

export interface RouteMatch {
  /** The sender this route trusts; `any` only when said explicitly. */
  readonly source: SignalSource | typeof ANY_SOURCE;
  /** Glob on the signal name; absent = any. */
  readonly alarm?: string;
  /** Every listed label must be present and match (values are globs). */
  readonly labels?: Readonly<Record<string, string>>;
  /** cloud-eye: the SMN topic the alarm must come from (also allowed by naming it here). */
  readonly topic_urn?: string;
}

/** What a route adds to its action: identity, matching, triggering states and cooldown (defaults applied). */
export interface RouteSettings {
  readonly name: string;
  /** Position in the file, from 0 (for messages: `routes[1]`). */
  readonly index: number;
  readonly match: RouteMatch;
  readonly on: readonly SignalState[];
  /** At most one action per target per window; 0 = no cooldown. */
  readonly cooldown_seconds: number;
  /** When present and required: the alarm proposes, a person (or the timer) decides. */
  readonly approval?: Approval;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The validated action of a route: an ActionRequest without request_id (each alarm episode gets its own). */
export type RouteAction = DistributiveOmit<ActionRequest, 'request_id'>;

/** A validated route: the file's fields, defaults applied, the action part as the catalogue parsed it. */
export type Route = RouteSettings & RouteAction;
