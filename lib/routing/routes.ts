/**
 * The alarm routes file as people write it (YAML, or JSON): parsed with its line numbers, then
 * validated (validate.ts), and compiled to plain JSON for the functions (`dr-relay routes compile`),
 * which then need no YAML parser. Used by the CLI, packaging and the local stack; never bundled.
 * Owns: reading YAML. Must not touch: what a valid route is (validate.ts, schema.ts).
 */

import type { Route } from './schema.ts';
import { readRoutesText, validateRoutes } from './validate.ts';
import { readYaml } from './yamlDoc.ts';

export type { RouteIssue } from './issues.ts';
export {
  DEFAULT_COOLDOWN_SECONDS,
  DEFAULT_ON,
  type Route,
  type RouteAction,
  RouteFieldsSchema,
  type RouteMatch,
  RouteMatchSchema,
  type RouteSettings,
  RoutesFileSchema,
} from './schema.ts';
export { loadCompiledRoutes, validateRoutes } from './validate.ts';

/** Parses the text of a routes file (YAML or JSON). Throws ValidationError (with lines) on any problem. */
export const parseRoutes = (text: string, file?: string): Route[] => {
  const yaml = readYaml(text, file);
  return validateRoutes(yaml.value, file, yaml.lineOf);
};

/**
 * Reads and parses a routes file; a missing or unreadable file is a ValidationError too.
 * Messages name the file as `shownAs` (default: `path`).
 */
export const loadRoutes = (path: string, shownAs: string = path): Route[] =>
  parseRoutes(readRoutesText(path, shownAs), shownAs);

/**
 * The compiled form of a routes file: its document as plain JSON, after validating it (so a bad file
 * never compiles). The functions validate it again when they load it (validate.ts loadCompiledRoutes).
 */
export const compileRoutes = (path: string, shownAs: string = path): string => {
  const yaml = readYaml(readRoutesText(path, shownAs), shownAs);
  validateRoutes(yaml.value, shownAs, yaml.lineOf);
  return `${JSON.stringify(yaml.value, null, 2)}\n`;
};
