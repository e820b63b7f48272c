/**
 * osls plugin (serverless.yml `plugins`): no package, and so no deploy, without a valid routes file.
 *
 * Before anything is packaged (`osls package`, and the packaging `osls deploy` does), it runs the very
 * check operators run by hand, `dr-relay routes check <file>` (lib/routing/routes.ts `loadRoutes`),
 * with the Node that runs osls (the pinned Node 22 of `npx osls`), and fails with that check's report:
 * every problem, by line. Without it, a missing or invalid file packaged fine and every HTTP route,
 * and every alarm, failed at cold start.
 *
 * It also refuses:
 * - no routes file at all: only the `dev` and `local` stages default to the sample
 *   (`params` in serverless.yml); every other stage needs `--param routesFile=<file>`;
 * - a path outside the service folder: the file is shipped in the artifact at that relative path
 *   (package.patterns) and read from it at run time (DR_ROUTES_FILE), so it must be inside.
 *
 * CommonJS (.cjs) because the framework `require`s plugins in a `"type": "module"` package.
 */
'use strict';

const { spawnSync } = require('node:child_process');
const path = require('node:path');

/** Node 22.18 runs TypeScript (bin/dr-relay.ts) without flags. */
const MIN_NODE = [22, 18];
const CHECK_TIMEOUT_MS = 60_000;
/** Where the compiled routes are written, shipped (package.patterns) and read (DR_ROUTES_FILE). */
const COMPILED_ROUTES = '.routes/routes.json';

const nodeRunsTypeScript = (version) => {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
};

class RoutesCheckPlugin {
  constructor(serverless, _options, utils) {
    this.serverless = serverless;
    this.log = utils?.log;
    this.hooks = {
      'before:package:cleanup': () => this.check(),
      'before:deploy:function:initialize': () => this.check(),
      'before:invoke:local:invoke': () => this.check(),
    };
  }

  fail(message) {
    throw new this.serverless.classes.Error(`Routes check: ${message}`);
  }

  check() {
    const stage = this.serverless.getProvider('aws').getStage();
    const file = this.serverless.service.custom?.routesFile;
    if (typeof file !== 'string' || file.trim() === '') {
      this.fail(
        `stage "${stage}" has no routes file: pass --param routesFile=<file> ` +
          '(a file inside this folder; check it first with `npx dr-relay routes check <file>`). ' +
          'Only the dev and local stages default to the sample events/routes/routes.yml.',
      );
    }
    const serviceDir = this.serverless.serviceDir;
    const inside = path.relative(serviceDir, path.resolve(serviceDir, file));
    if (path.isAbsolute(file) || inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) {
      this.fail(
        `--param routesFile=${file} must be a path relative to ${serviceDir} and inside it: ` +
          'the file is shipped in the artifact at that path and read from there at run time.',
      );
    }
    if (!nodeRunsTypeScript(process.version)) {
      this.fail(
        `osls runs on Node ${process.version}, which cannot run bin/dr-relay.ts: run it as \`npx osls …\` ` +
          '(the pinned Node 22 of this repository).',
      );
    }

    const run = spawnSync(
      process.execPath,
      [path.join(serviceDir, 'bin', 'dr-relay.ts'), 'routes', 'check', file],
      { cwd: serviceDir, encoding: 'utf8', timeout: CHECK_TIMEOUT_MS, env: process.env },
    );
    const report = `${run.stdout || ''}${run.stderr || ''}`.trimEnd();
    if (run.error) this.fail(`\`dr-relay routes check ${file}\` could not run: ${run.error.message}`);
    if (run.status !== 0) {
      this.fail(`\`dr-relay routes check ${file}\` failed (exit ${run.status}):\n${report}`);
    }
    // The summary line (OK: n routes in <file>) and any warning (a route that trusts every sender).
    const shown = report.split('\n').filter((line, i) => i === 0 || line.startsWith('WARNING'));
    for (const line of shown) {
      if (this.log) this.log.notice(`Routes check: ${line}`);
      else process.stderr.write(`Routes check: ${line}\n`);
    }
    // What the functions load: the compiled routes (plain JSON), so no YAML parser ships in a bundle.
    const compiled = spawnSync(
      process.execPath,
      [path.join(serviceDir, 'bin', 'dr-relay.ts'), 'routes', 'compile', file, COMPILED_ROUTES],
      { cwd: serviceDir, encoding: 'utf8', timeout: CHECK_TIMEOUT_MS, env: process.env },
    );
    if (compiled.error || compiled.status !== 0) {
      this.fail(`\`dr-relay routes compile ${file}\` failed: ${compiled.error?.message ?? compiled.stdout}`);
    }
  }
}

module.exports = RoutesCheckPlugin;
