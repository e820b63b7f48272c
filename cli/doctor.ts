/**
 * `dr-relay doctor [--routes file] [--request file…] [--json]`: would automation work, right now?
 * For every target of the routes file (default DR_ROUTES_FILE) and of every request file, reads the
 * state with GETs only, signed with the functions' credentials (HUAWEICLOUD_SDK_AK / _SK, or the
 * HUAWEI_CREDENTIALS_SECRET_ID secret) against the functions' endpoints (DR_ENDPOINT_*, else the
 * region's), and says per target: reachable, signature accepted (an APIGW.0301 shows the server's
 * canonical request), permission, state, verdict. With none of those variables set: the local stack
 * of `npm start` (its simulator's port and local keys). Exit 0 every target ok, 1 some target would
 * fail (or invalid input), 3 nothing to check.
 * Owns: the inputs, the credentials and endpoints, and the one place that sends (GETs, by the
 * dependency rules of test/architecture/rules.ts). Must not touch: what is judged
 * (cli/doctorChecks.ts), the text (cli/doctorReport.ts), anything that changes state remotely.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type ActionRequest, parseActionRequest } from '../lib/actions/request.ts';
import { type RemoteCall, SERVICES, type Service } from '../lib/actions/types.ts';
import { InvariantError, ValidationError } from '../lib/errors.ts';
import { HuaweiClient } from '../lib/huawei/client.ts';
import { ENDPOINT_VARIABLES, type EndpointOverrides, endpointFor } from '../lib/huawei/endpoints.ts';
import type { Credentials } from '../lib/huawei/signer.ts';
import { type CredentialsConfig, credentialsProvider } from '../lib/runtime/credentials.ts';
import type { Command } from './command.ts';
import { checkTarget, type Read, type ReadResult, type Subject, targetsOf } from './doctorChecks.ts';
import { doctorReport, doctorText } from './doctorReport.ts';
import { issueLines, issuesOfError, plural } from './format.ts';
import { type CliIo, EXIT, envValue, UsageError } from './io.ts';
import { LOCAL_DEFAULTS as LOCAL } from './localDefaults.ts';
import { overridesFrom, settingsFrom } from './plan.ts';
import { loadRoutesFor, routesPathFor } from './routesFile.ts';

/** Any of these set: a configured stage; none: the local stack of `npm start`. */
const HUAWEI_VARIABLES = [
  'HUAWEICLOUD_SDK_AK',
  'HUAWEICLOUD_SDK_SK',
  'HUAWEI_CREDENTIALS_SECRET_ID',
  ...ENDPOINT_VARIABLES,
] as const;

interface Access {
  readonly local: boolean;
  readonly credentials: Credentials | (() => Promise<Credentials>);
  readonly endpoints: EndpointOverrides;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
}

const integer = (io: CliIo, name: string, fallback: number, min: number): number => {
  const value = Number(envValue(io, name));
  return Number.isInteger(value) && value >= min ? value : fallback;
};

/** The credentials and endpoints the functions would use, or the local stack's when none is set. */
const accessFrom = (io: CliIo): Access => {
  const timeouts = {
    timeoutMs: integer(io, 'DR_HTTP_TIMEOUT_MS', 10_000, 50),
    connectTimeoutMs: integer(io, 'DR_CONNECT_TIMEOUT_MS', 3_000, 10),
  };
  if (HUAWEI_VARIABLES.every((name) => envValue(io, name) === undefined)) {
    const port = integer(io, LOCAL.portVariables.simulator, LOCAL.ports.simulator, 1);
    const url = `http://${LOCAL.host}:${port}`;
    io.err(
      `(no HUAWEICLOUD_SDK_AK nor DR_ENDPOINT_*: checking the local stack's Huawei simulator ${url}, started by npm start)`,
    );
    return {
      local: true,
      credentials: LOCAL.huawei,
      endpoints: Object.fromEntries(SERVICES.map((service) => [service, url])),
      ...timeouts,
    };
  }
  const config: CredentialsConfig = {};
  for (const name of [
    'HUAWEI_CREDENTIALS_SECRET_ID',
    'HUAWEICLOUD_SDK_AK',
    'HUAWEICLOUD_SDK_SK',
    'HUAWEICLOUD_SDK_SECURITY_TOKEN',
  ] as const) {
    const value = envValue(io, name);
    if (value !== undefined) config[name] = value;
  }
  if (
    config.HUAWEI_CREDENTIALS_SECRET_ID === undefined &&
    (config.HUAWEICLOUD_SDK_AK === undefined || config.HUAWEICLOUD_SDK_SK === undefined)
  )
    throw new UsageError(
      'set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (or HUAWEI_CREDENTIALS_SECRET_ID), as for the functions; ' +
        'with none of them nor DR_ENDPOINT_* set: the local stack',
    );
  return {
    local: false,
    credentials: credentialsProvider(config),
    endpoints: overridesFrom(io),
    ...timeouts,
  };
};

/**
 * Reads with GETs only, each URL once per run (targets sharing a resource share its reads).
 * The one place the CLI sends to Huawei Cloud.
 */
const reader = (client: HuaweiClient, endpoints: EndpointOverrides): Read => {
  const done = new Map<string, Promise<ReadResult>>();
  return (service: Service, request: ActionRequest, call: RemoteCall) => {
    if (call.method !== 'GET')
      throw new InvariantError(`doctor only reads: refusing ${call.method} ${call.path}`);
    const url = `${endpointFor(service, request.region, endpoints)}${call.path}`;
    const key = `${request.project_id} ${url}`;
    let result = done.get(key);
    if (!result) {
      result = client.send({ method: 'GET', url, projectId: request.project_id }).then(
        (response): ReadResult => ({
          ok: true,
          url,
          status: response.status,
          body: response.body,
          ...(response.requestId === undefined ? {} : { requestId: response.requestId }),
        }),
        (error: unknown): ReadResult => ({ ok: false, url, error }),
      );
      done.set(key, result);
    }
    return result;
  };
};

const readRequest = (file: string, io: CliIo): ActionRequest => {
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'not found' : `cannot be read (${code ?? (error as Error).message})`;
    throw new ValidationError(`request file ${file} ${message}`, [{ path: '(file)', message }]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = `is not JSON (${(error as Error).message})`;
    throw new ValidationError(`request file ${file} ${message}`, [{ path: '(file)', message }]);
  }
  return parseActionRequest(value);
};

interface Invalid {
  readonly what: string;
  readonly issues: ReturnType<typeof issuesOfError>;
}

const printInvalid = (invalid: readonly Invalid[], json: boolean, io: CliIo): number => {
  if (json) io.out(JSON.stringify({ ok: false, invalid }, null, 2));
  else
    for (const f of invalid)
      io.out(
        [`INVALID: ${f.what}: ${plural(f.issues.length, 'problem')}`, ...issueLines(f.issues)].join('\n'),
      );
  return EXIT.invalid;
};

/** Every request to check (routes first, then request files), or every problem of the inputs. */
const subjectsFrom = (
  routesGiven: string | undefined,
  requestFiles: readonly string[],
  io: CliIo,
): { subjects: Subject[]; invalid: Invalid[] } => {
  const subjects: Subject[] = [];
  const invalid: Invalid[] = [];
  const readRoutes =
    routesGiven !== undefined || envValue(io, 'DR_ROUTES_FILE') !== undefined || requestFiles.length === 0;
  if (readRoutes) {
    const file = routesPathFor(routesGiven, io);
    try {
      for (const route of loadRoutesFor(file, io))
        subjects.push({ request: route, from: `route ${route.name}` });
    } catch (error) {
      invalid.push({ what: `routes file ${file}`, issues: issuesOfError(error) });
    }
  }
  for (const file of requestFiles) {
    try {
      subjects.push({ request: readRequest(file, io), from: `request ${file}` });
    } catch (error) {
      invalid.push({ what: `request ${file}`, issues: issuesOfError(error) });
    }
  }
  return { subjects, invalid };
};

const doctor = async (
  routesGiven: string | undefined,
  requestFiles: readonly string[],
  json: boolean,
  io: CliIo,
): Promise<number> => {
  const { subjects, invalid } = subjectsFrom(routesGiven, requestFiles, io);
  if (invalid.length > 0) return printInvalid(invalid, json, io);
  const plans = targetsOf(subjects);
  const access = accessFrom(io);
  try {
    // Every endpoint is resolved before anything is sent: a DR_ENDPOINT_* that is not a URL stops here.
    for (const plan of plans) endpointFor(plan.service, plan.region, access.endpoints);
  } catch (error) {
    return printInvalid([{ what: 'configuration', issues: issuesOfError(error) }], json, io);
  }

  const client = new HuaweiClient({
    credentials: access.credentials,
    timeoutMs: access.timeoutMs,
    connectTimeoutMs: access.connectTimeoutMs,
  });
  let report: ReturnType<typeof doctorReport>;
  try {
    const read = reader(client, access.endpoints);
    const settings = settingsFrom(io);
    report = doctorReport(
      await Promise.all(plans.map((plan) => checkTarget(plan, read, settings))),
      access.local,
    );
  } finally {
    client.close();
  }
  io.out(json ? JSON.stringify(report, null, 2) : doctorText(report));
  if (report.summary.targets === 0) return EXIT.nothing;
  return report.ok ? EXIT.ok : EXIT.invalid;
};

export const doctorCommand: Command = {
  words: ['doctor'],
  args: '[--routes file] [--request file…] [--json]',
  summary:
    'readiness: read (GET only) every routed or requested target with the configured keys and endpoints; would each action work now?',
  options: {
    routes: { type: 'string' },
    request: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  },
  positionals: { min: 0, max: 0 },
  run: ({ values }, io) => {
    const routes = values['routes'];
    const requests = values['request'];
    return doctor(
      typeof routes === 'string' ? routes : undefined,
      Array.isArray(requests) ? requests.filter((r): r is string => typeof r === 'string') : [],
      values['json'] === true,
      io,
    );
  },
};
