/**
 * The catalogue: the actions dr-relay can take, each described once (in its own file).
 * Everything else (request validation, the executor, the CLI, the docs) reads this list.
 * Adding an action = one new file + one line here.
 */
import { InvariantError } from '../errors.ts';
import { cbrRestore } from './cbr.ts';
import { csbsRestore } from './csbs.ts';
import { dcsRestore } from './dcs.ts';
import { dwsFailover, dwsRecovery, dwsStart } from './dws.ts';
import type { ActionDefinition } from './types.ts';

export const actions = [dwsStart, dwsFailover, dwsRecovery, csbsRestore, dcsRestore, cbrRestore] as const;

export type ActionId = (typeof actions)[number]['id'];
export const actionIds = actions.map((a) => a.id) as [ActionId, ...ActionId[]];

const byId = new Map<string, ActionDefinition<unknown>>(
  actions.map((a) => [a.id, a as ActionDefinition<unknown>]),
);

export const actionFor = (id: string): ActionDefinition<unknown> => {
  const action = byId.get(id);
  if (!action) throw new InvariantError(`unknown action ${id}`);
  return action;
};
