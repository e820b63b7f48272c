/**
 * What each Lambda's bundle ships from npm, so that cold-start weight cannot creep back unnoticed:
 * each handler bundled with serverless.yml's own custom.esbuild settings (as serverless-esbuild
 * hands them to esbuild: the bench's reader of them, tools/bench/figures/bundles.ts), the npm packages that put code in the bundle (esbuild's metafile, inputs
 * grouped by the package under node_modules, those with bytes in the output) must be exactly the
 * handler's allow-list below. A new package fails with its name: add it here only with its cost
 * measured (`npm run bench -- --only=bundles,cold_alarm_to_call`, docs/performance.md). A package no
 * longer bundled fails too, so the list stays the truth about what ships.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { serverlessEsbuild } from '../../tools/bench/figures/bundles.ts';

/** What the AWS SDK v3 clients bring, whichever client: core, credentials chain, HTTP handler, signer. */
const AWS_SDK_CORE = [
  '@aws-sdk/core',
  '@aws-sdk/credential-provider-env',
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/credential-provider-node',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/nested-clients',
  '@aws-sdk/signature-v4-multi-region',
  '@aws-sdk/token-providers',
  '@aws-sdk/xml-builder',
  '@aws/lambda-invoke-store',
  '@smithy/core',
  '@smithy/credential-provider-imds',
  '@smithy/node-http-handler',
  '@smithy/signature-v4',
  '@smithy/types',
];
/** DynamoDB (state table) and SQS (request and dead-letter queues): every function. */
const AWS_CLIENTS = [
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/dynamodb-codec',
  '@aws-sdk/endpoint-cache',
  '@aws-sdk/middleware-endpoint-discovery',
  '@aws-sdk/util-dynamodb',
  // The LRU cache of the DynamoDB client's endpoint discovery.
  'mnemonist',
  'obliterator',
  '@aws-sdk/client-sqs',
  '@aws-sdk/middleware-sdk-sqs',
  // Secrets Manager: Huawei AK/SK (requests, alarms), the webhook's tokens and HMAC secrets.
  '@aws-sdk/client-secrets-manager',
];
/** Powertools logger and metrics, middy, zod: every function. */
const RUNTIME = [
  '@aws-lambda-powertools/commons',
  '@aws-lambda-powertools/logger',
  '@aws-lambda-powertools/metrics',
  '@middy/core',
  'zod',
];
/**
 * The functions that call Huawei: SNS notices. (No Powertools idempotency: the executor claims each
 * key in the status record itself, so neither it nor its JMESPath engine ships.)
 */
const EXECUTOR = ['@aws-sdk/client-sns'];

const ALLOWED: Record<string, readonly string[]> = {
  'handlers/requests.ts': [
    ...AWS_SDK_CORE,
    ...AWS_CLIENTS,
    ...RUNTIME,
    ...EXECUTOR,
    '@aws-lambda-powertools/batch',
  ],
  'handlers/alarms.ts': [...AWS_SDK_CORE, ...AWS_CLIENTS, ...RUNTIME, ...EXECUTOR],
  // The webhook builds no executor: no SNS.
  'handlers/webhook.ts': [...AWS_SDK_CORE, ...AWS_CLIENTS, ...RUNTIME],
};

/** `@scope/name` or `name` of a node_modules input; undefined for the repository's own files. */
const packageOf = (input: string): string | undefined => {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return undefined;
  const [first = '', second = ''] = input.slice(at + 'node_modules/'.length).split('/');
  return first.startsWith('@') ? `${first}/${second}` : first;
};

const bundledPackages = async (handler: string): Promise<string[]> => {
  const { metafile } = await build({
    ...serverlessEsbuild(),
    entryPoints: [handler],
    outdir: 'out',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const packages = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      if (name !== undefined && bytesInOutput > 0) packages.add(name);
    }
  }
  return [...packages].sort();
};

describe('npm packages in each handler bundle', () => {
  it('the settings are serverless.yml custom.esbuild (bundled, minified, nothing external)', () => {
    expect(serverlessEsbuild()).toMatchObject({ bundle: true, minify: true, format: 'cjs', external: [] });
  });

  it.each(Object.keys(ALLOWED))('%s bundles only its allow-list', { timeout: 30_000 }, async (handler) => {
    // Act
    const bundled = await bundledPackages(handler);

    // Assess
    const allowed = new Set(ALLOWED[handler]);
    const added = bundled.filter((name) => !allowed.has(name));
    expect(added, `${handler} bundles packages outside its allow-list: ${added.join(', ')}`).toEqual([]);
    const gone = [...allowed].filter((name) => !bundled.includes(name)).sort();
    expect(gone, `${handler} no longer bundles ${gone.join(', ')}: remove them from its allow-list`).toEqual(
      [],
    );
  });
});
