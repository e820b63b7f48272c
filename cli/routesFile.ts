/**
 * Which routes file a command reads: the one given, else $DR_ROUTES_FILE, else routes.yml (in the
 * working directory). Owns: that default. Must not touch: parsing (lib/routing).
 */
import { resolve } from 'node:path';
import { loadRoutes, type Route } from '../lib/routing/routes.ts';
import { type CliIo, envValue } from './io.ts';

export const DEFAULT_ROUTES_FILE = 'routes.yml';

/** The path as the user would recognise it (for messages). */
export const routesPathFor = (given: string | undefined, io: CliIo): string =>
  given ?? envValue(io, 'DR_ROUTES_FILE') ?? DEFAULT_ROUTES_FILE;

/** Loads the routes file; ValidationError (with lines) when missing or invalid. */
export const loadRoutesFor = (shown: string, io: CliIo): Route[] => loadRoutes(resolve(io.cwd, shown), shown);
