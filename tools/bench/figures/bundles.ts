/**
 * Figures bundle_requests / bundle_alarms / bundle_webhook: each handler bundled exactly as
 * serverless.yml's custom.esbuild says (read from the file: bundle, minify, no source map, no keepNames,
 * node22, cjs, mainFields module,main, nothing external...), and a reference bundle of the bare @aws-sdk/client-sqs
 * client (a trivial handler sending one SendMessageCommand, client built on first call like the
 * handlers build theirs). Size in KiB; cold import = `require(bundle)` timed inside a fresh
 * `node` child (also the child's whole wall time), runs interleaved across the four bundles.
 * With --against=<ref>, that commit's handler bundles are timed in the same interleaved rounds and
 * each figure carries them under `against` (judged: the working tree only).
 * Owns: building into a temporary folder (removed after) and timing the imports.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { parse as parseYaml } from 'yaml';
import type { Figure } from '../context.ts';
import { pinnedTo, spawnNodeSync } from '../pin.ts';
import { median, pairedRatio, ratio, round } from '../stats.ts';
import type { Tree } from '../tree.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const HANDLERS = ['requests', 'alarms', 'webhook'] as const;
export type HandlerName = (typeof HANDLERS)[number];
const BUDGET_KIB = 800;
const IMPORT_RATIO = 1.5;

/** serverless-esbuild's own options: it removes these before calling esbuild (its bundle.js). */
const PLUGIN_OPTIONS = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
];

/**
 * `<root>serverless.yml` custom.esbuild, as serverless-esbuild hands it to esbuild: its own options
 * removed, `outputFileExtension` as esbuild's outExtension, `external` plus `exclude`. Read from the
 * tree being built, so `--against` measures that commit's settings too.
 */
export const serverlessEsbuild = (root: string = ROOT): BuildOptions => {
  const yml = parseYaml(readFileSync(join(root, 'serverless.yml'), 'utf8'), { logLevel: 'error' }) as {
    custom: { esbuild: Record<string, unknown> };
  };
  const settings = yml.custom.esbuild;
  const options = Object.fromEntries(
    Object.entries(settings).filter(([name]) => !PLUGIN_OPTIONS.includes(name)),
  ) as BuildOptions;
  const list = (value: unknown) => (Array.isArray(value) ? (value as string[]) : []);
  const extension = settings['outputFileExtension'];
  return {
    ...options,
    external: [...list(settings['external']), ...list(settings['exclude'])],
    ...(typeof extension === 'string' && extension !== '.js' ? { outExtension: { '.js': extension } } : {}),
    absWorkingDir: root,
    logLevel: 'silent',
  };
};

/** `useQueueUrlAsEndpoint: false` as lib/runtime/aws.ts (the local queue URLs' host does not resolve). */
export const BARE_CLIENT = `import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
let client;
export const handler = async (event) => {
  client ??= new SQSClient({ useQueueUrlAsEndpoint: false });
  return client.send(new SendMessageCommand({ QueueUrl: event.queueUrl, MessageBody: event.body }));
};
`;

/** Timed inside the child: only the require, not Node's own start-up. */
const IMPORT_SCRIPT =
  "const{performance:p}=require('node:perf_hooks');const t=p.now();const m=require(process.argv[1]);" +
  "const d=p.now()-t;if(typeof m.handler!=='function')process.exit(3);process.stdout.write(String(d))";

export interface BundleSizes {
  readonly runs: number;
}

/** The package an input file belongs to (`@scope/name`, `name`), or `dr-relay` for the repository's own. */
export const packageOf = (input: string): string => {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return 'dr-relay';
  const [first = '', second = ''] = input.slice(at + 'node_modules/'.length).split('/');
  return first.startsWith('@') ? `${first}/${second}` : first;
};

/** The largest contributors to a bundle, by package, in KiB of minified output (a pointer, not a profile). */
const largestPackages = (metafile: Metafile, top = 8): Record<string, number> => {
  const bytes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      bytes.set(packageOf(input), (bytes.get(packageOf(input)) ?? 0) + bytesInOutput);
    }
  }
  return Object.fromEntries(
    [...bytes.entries()]
      .sort(([, a], [, b]) => b - a)
      .slice(0, top)
      .map(([name, size]) => [name, round(size / 1024, 1)]),
  );
};

/** One handler bundled as serverless-esbuild does: the bundle's path (`<outdir>/<name>.cjs`) and metafile. */
export const buildHandler = async (
  name: HandlerName,
  outdir: string,
  root: string = ROOT,
): Promise<{ file: string; metafile: Metafile }> => {
  const result = await build({
    ...serverlessEsbuild(root),
    entryPoints: [`handlers/${name}.ts`],
    outdir,
    metafile: true,
  });
  return { file: join(outdir, `${name}.cjs`), metafile: result.metafile };
};

/** A hand-written module (JS, imports resolved from `root`) bundled with `root`'s settings. */
export const buildSource = async (
  contents: string,
  outfile: string,
  root: string = ROOT,
): Promise<string> => {
  await build({
    ...serverlessEsbuild(root),
    stdin: { contents, resolveDir: root, sourcefile: basename(outfile), loader: 'js' },
    outfile,
  });
  return outfile;
};

/** Prefix of the --against tree's bundles among the timed files. */
const AGAINST = 'against:';

const buildAll = async (
  outdir: string,
  breakdown: Map<string, Record<string, number>>,
  against: Tree | undefined,
) => {
  const files = new Map<string, string>();
  for (const name of HANDLERS) {
    const { file, metafile } = await buildHandler(name, outdir);
    files.set(name, file);
    breakdown.set(name, largestPackages(metafile));
  }
  files.set('bare_client', await buildSource(BARE_CLIENT, join(outdir, 'bare-sqs-client.cjs')));
  if (against) {
    const dir = join(outdir, 'against');
    for (const name of HANDLERS)
      files.set(`${AGAINST}${name}`, (await buildHandler(name, dir, against.root)).file);
  }
  return files;
};

/** A child environment without anything that changes how Node loads code. */
export const childEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  for (const name of ['NODE_OPTIONS', 'NODE_COMPILE_CACHE', 'NODE_V8_COVERAGE']) delete env[name];
  return env;
};

const importOnce = (file: string, env: NodeJS.ProcessEnv): { importMs: number; processMs: number } => {
  const started = performance.now();
  const child = spawnNodeSync(['-e', IMPORT_SCRIPT, file], { env, encoding: 'utf8' });
  const processMs = performance.now() - started;
  const importMs = Number(child.stdout);
  if (child.status !== 0 || !Number.isFinite(importMs)) {
    throw new Error(`importing ${file} failed (${child.status}): ${child.stderr.slice(0, 500)}`);
  }
  return { importMs, processMs };
};

export const bundleFigures = async (
  sizes: BundleSizes,
  progress: (line: string) => void,
  against?: Tree,
): Promise<Figure[]> => {
  const outdir = mkdtempSync(join(tmpdir(), 'dr-relay-bench-bundles-'));
  try {
    const breakdown = new Map<string, Record<string, number>>();
    const files = await buildAll(outdir, breakdown, against);
    const names = [...files.keys()];
    const env = childEnv();
    const imports = new Map(names.map((name) => [name, [] as number[]]));
    const processes = new Map(names.map((name) => [name, [] as number[]]));
    for (const name of names) importOnce(files.get(name)!, env); // file cache warm for all alike
    for (let run = 0; run < sizes.runs; run++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(run + k) % names.length]!;
        const { importMs, processMs } = importOnce(files.get(name)!, env);
        imports.get(name)!.push(importMs);
        processes.get(name)!.push(processMs);
      }
      if ((run + 1) % 5 === 0) progress(`bundles: ${run + 1}/${sizes.runs} import rounds`);
    }
    const kib = (name: string) => round(statSync(files.get(name)!).size / 1024, 1);
    const importMs = (name: string) => round(median(imports.get(name)!), 2);
    const processMs = (name: string) => round(median(processes.get(name)!), 2);
    return HANDLERS.map((name): Figure => {
      const sizeKib = kib(name);
      // Per round: each round times every bundle once, side by side (see pairedRatio).
      const importRatio = pairedRatio(imports.get(name)!, imports.get('bare_client')!);
      const sizeMet = sizeKib <= BUDGET_KIB;
      const importMet = importRatio <= IMPORT_RATIO;
      return {
        figure: `bundle_${name}`,
        size_kib: sizeKib,
        bare_client_size_kib: kib('bare_client'),
        import_ms: importMs(name),
        bare_client_import_ms: importMs('bare_client'),
        ratio_import: importRatio,
        ratio_of_medians_import: ratio(importMs(name), importMs('bare_client')),
        process_ms: processMs(name),
        bare_client_process_ms: processMs('bare_client'),
        ratio_process: ratio(processMs(name), processMs('bare_client')),
        runs: sizes.runs,
        largest_packages_kib: breakdown.get(name) ?? {},
        ...(against
          ? {
              against: {
                ref: against.ref,
                commit: against.commit,
                size_kib: kib(`${AGAINST}${name}`),
                import_ms: importMs(`${AGAINST}${name}`),
                ratio_import: pairedRatio(imports.get(`${AGAINST}${name}`)!, imports.get('bare_client')!),
                process_ms: processMs(`${AGAINST}${name}`),
              },
            }
          : {}),
        size_met: sizeMet,
        import_met: importMet,
        method: `esbuild with serverless.yml custom.esbuild; import_ms = median time of require(bundle) inside a fresh node child; ratio_import = median over the rounds of (this bundle's import / the bare client's in the same round), ratio_of_medians_import for comparison; process_ms = median wall time of that child; runs interleaved over the 4 bundles (7 with --against: that commit's 3 handler bundles, same packages); every child ${pinnedTo()}`,
        target: `<=${BUDGET_KIB} KiB minified, cold import <=${IMPORT_RATIO}x the bare @aws-sdk/client-sqs bundle`,
        met: sizeMet && importMet,
      };
    });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
};
