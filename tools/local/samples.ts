/**
 * The sample requests in events/requests/ (the ones the README, `npm start` and the demo use),
 * loaded and validated, and the simulator fixtures that make them succeed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ActionRequest, parseActionRequestJson } from '../../lib/actions/request.ts';
import type { Simulator } from '../simulator/index.ts';
import { seedFor } from './workload.ts';

export const SAMPLES_DIR = join(import.meta.dirname, '..', '..', 'events', 'requests');

/** Every valid sample, by file name (invalid-*.json are left out: they are meant to fail). */
export const loadSamples = (dir = SAMPLES_DIR): Map<string, ActionRequest> =>
  new Map(
    readdirSync(dir)
      .filter((f) => f.endsWith('.json') && !f.startsWith('invalid'))
      .sort()
      .map((f) => [f, parseActionRequestJson(readFileSync(join(dir, f), 'utf8'))]),
  );

export const seedSamples = (sim: Simulator, samples: Iterable<ActionRequest>): void => {
  for (const request of samples) seedFor(sim, request);
};
