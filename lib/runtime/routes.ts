/**
 * The routes file of the alarms and webhook functions: DR_ROUTES_FILE, compiled to JSON at package
 * time, loaded (and validated) once per cold start. Its own module so that the webhook, which builds
 * no executor, does not import the alarm pipeline's wiring (lib/runtime/alarms.ts) to read it: that
 * import alone bundled Powertools idempotency's JMESPath engine into the webhook.
 * Owns: finding and loading that file.
 */
import type { Config } from '../config/env.ts';
import { ValidationError } from '../errors.ts';
import { loadCompiledRoutes } from '../routing/validate.ts';

export const routesOf = (config: Pick<Config, 'DR_ROUTES_FILE'>) => {
  const routesFile = config.DR_ROUTES_FILE;
  if (!routesFile)
    throw new ValidationError('DR_ROUTES_FILE is required by this function', [
      { path: 'DR_ROUTES_FILE', message: 'required' },
    ]);
  return loadCompiledRoutes(routesFile);
};
