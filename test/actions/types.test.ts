/**
 * The ActionDefinition contract at the type level: an action with a preflight must say how to read
 * the state for every request. Checked by `tsc` (the `@ts-expect-error` lines fail the typecheck if
 * the broken definitions ever compile); the runtime assertions only keep vitest honest.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { actions } from '../../lib/actions/catalogue.ts';
import type { ActionDefinition, ActionWithPreflight, RemoteCall } from '../../lib/actions/types.ts';
import * as z from '../../lib/schema/zod.ts';

const params = z.object({ id: z.string() });
type Params = z.infer<typeof params>;

const common = {
  id: 'test.action',
  service: 'dws',
  summary: 'a test action',
  params,
  target: () => 'test:target',
  call: (): RemoteCall => ({ method: 'POST', path: '/act' }),
  remote: () => ({}),
  busyCodes: [],
  reconcile: () => ({ verdict: 'unknown', observed: 'nothing' }),
  operation: {
    progressCall: () => undefined,
    judge: () => ({ state: 'running', observed: 'nothing' }),
    timeLimitSeconds: 60,
  },
} satisfies Partial<ActionDefinition<Params>>;

const readable = (): RemoteCall => ({ method: 'GET', path: '/state' });
const sometimesReadable = (): RemoteCall | undefined => undefined;
const allow = () => ({ ok: true }) as const;

describe('ActionDefinition', () => {
  it('accepts an action without a preflight, whose state may be unreadable', () => {
    // Prepare / Act
    const action: ActionDefinition<Params> = { ...common, stateCall: sometimesReadable };

    // Assess
    expect(action.preflight).toBeUndefined();
  });

  it('accepts a preflight when every request has a state call', () => {
    // Prepare / Act
    const action: ActionDefinition<Params> = { ...common, stateCall: readable, preflight: allow };

    // Assess
    expect(action.preflight?.({})).toEqual({ ok: true });
  });

  it('refuses a preflight whose state call may not answer, or is missing', () => {
    // Prepare / Act
    // @ts-expect-error: a preflight reads the state before every call, so the state call must always answer
    const unanswered: ActionDefinition<Params> = {
      ...common,
      stateCall: sometimesReadable,
      preflight: allow,
    };
    // @ts-expect-error: no state call at all
    const missing: ActionDefinition<Params> = { ...common, preflight: allow };

    // Assess
    expect([unanswered.preflight, missing.preflight]).toEqual([allow, allow]);
  });

  it('narrows on the preflight: where there is one, the state call always answers', () => {
    // Prepare
    const action = actions[0] as ActionDefinition;

    // Act / Assess
    if (action.preflight) {
      expectTypeOf(action).toEqualTypeOf<ActionWithPreflight>();
      expectTypeOf(action.stateCall).returns.toEqualTypeOf<RemoteCall>();
    }
    expect(action.preflight).toBeDefined();
  });
});
