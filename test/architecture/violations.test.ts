/**
 * The test of the dependency test: breaches planted in memory are each reported, by file and line,
 * with their rule; what only looks like a breach (comments, strings, allowed callers) is not.
 */
import { describe, expect, it } from 'vitest';
import { violations } from './rules.ts';

/** A file's text from its lines (line numbers in the expectations count from 1). */
const lines = (...text: string[]) => text.join('\n');

describe('violations: each rule catches its breach', () => {
  it.each([
    {
      breach: 'lib/ importing a handler',
      path: 'lib/x.ts',
      text: lines("import { z } from 'zod';", "import { handler } from '../handlers/requests.ts';"),
      expected: 'lib/x.ts:2 imports handlers/requests.ts [lib/ is deployable on its own]',
    },
    {
      breach: 'lib/ importing the tooling, dynamically',
      path: 'lib/runtime/x.ts',
      text: lines(
        'export const load = async () => {',
        "  const stack = await import('../../tools/local/stack.ts');",
        '};',
      ),
      expected: 'lib/runtime/x.ts:2 imports tools/local/stack.ts [lib/ is deployable on its own]',
    },
    {
      breach: 'lib/ re-exporting from the CLI, over several lines',
      path: 'lib/store/x.ts',
      text: lines('// the status store', 'export {', '  format,', "} from '../../cli/format.ts';"),
      expected: 'lib/store/x.ts:2 imports cli/format.ts [lib/ is deployable on its own]',
    },
    {
      breach: 'the catalogue importing the HTTP client',
      path: 'lib/actions/x.ts',
      text: lines("import type { HuaweiClient } from '../huawei/client.ts';"),
      expected:
        'lib/actions/x.ts:1 imports lib/huawei/client.ts [the action catalogue only describes actions]',
    },
    {
      breach: 'the catalogue importing a queue client',
      path: 'lib/actions/x.ts',
      text: lines("import { SQSClient } from '@aws-sdk/client-sqs';"),
      expected:
        'lib/actions/x.ts:1 imports @aws-sdk/client-sqs [the action catalogue only describes actions]',
    },
    {
      breach: 'the catalogue importing the HTTP layer',
      path: 'lib/actions/x.ts',
      text: lines("import { problem } from '../http/problem.ts';"),
      expected:
        'lib/actions/x.ts:1 imports lib/http/problem.ts [the action catalogue only describes actions]',
    },
    {
      breach: 'a source parser importing routing',
      path: 'lib/sources/x.ts',
      text: lines("import { match } from '../routing/match.ts';"),
      expected: 'lib/sources/x.ts:1 imports lib/routing/match.ts [alarm source parsers only parse]',
    },
    {
      breach: 'a source parser importing a store',
      path: 'lib/sources/x.ts',
      text: lines("import type { StatusStore } from '../store/status.ts';"),
      expected: 'lib/sources/x.ts:1 imports lib/store/status.ts [alarm source parsers only parse]',
    },
    {
      breach: 'the simulator importing the signer',
      path: 'tools/simulator/x.ts',
      text: lines("import { sign } from '../../lib/huawei/signer.ts';"),
      expected:
        'tools/simulator/x.ts:1 imports lib/huawei/signer.ts [the simulator verifies signatures independently]',
    },
    {
      breach: 'the CLI importing the tooling',
      path: 'cli/x.ts',
      text: lines("import { startStack } from '../tools/local/stack.ts';"),
      expected: 'cli/x.ts:1 imports tools/local/stack.ts [the CLI does not depend on the tooling]',
    },
    {
      breach: 'a script importing a test fixture',
      path: 'scripts/x.ts',
      text: lines("import { request } from '../test/fixtures/requests.ts';"),
      expected: 'scripts/x.ts:1 imports test/fixtures/requests.ts [only tests import tests]',
    },
  ])('$breach', ({ path, text, expected }) => {
    // Act
    const found = violations([{ path, text }]);

    // Assess
    expect(found).toEqual([expected]);
  });
});

describe('violations: calls to the Huawei client', () => {
  const SEND_RULE = '[only the executor calls Huawei Cloud]';

  it('reports a send on a constructed client, outside the executor', () => {
    // Prepare
    const text = lines(
      "import { HuaweiClient } from '../huawei/client.ts';",
      '',
      'const client = new HuaweiClient({ credentials: { ak: "a", sk: "s" } });',
      "await client.send({ method: 'POST', url: 'https://x', projectId: 'p' });",
    );

    // Act
    const found = violations([{ path: 'lib/intake/x.ts', text }]);

    // Assess
    expect(found).toEqual([`lib/intake/x.ts:4 calls HuaweiClient.send ${SEND_RULE}`]);
  });

  it('reports a send through an annotated dependency, a renamed import, a factory and a fresh instance', () => {
    // Prepare
    const text = lines(
      "import { HuaweiClient as Client } from '../lib/huawei/client.ts';",
      'interface Deps { readonly huawei: Pick<Client, "send"> }',
      'const make = (): Client => new Client({ credentials: KEYS });',
      'export const run = async (deps: Deps) => {',
      '  await deps.huawei.send(request);',
      '  const made = make();',
      '  await made.send(request);',
      '  await new Client({ credentials: KEYS }).send(request);',
      '};',
    );

    // Act
    const found = violations([{ path: 'tools/x.ts', text }]);

    // Assess
    expect(found).toEqual([
      `tools/x.ts:5 calls HuaweiClient.send ${SEND_RULE}`,
      `tools/x.ts:7 calls HuaweiClient.send ${SEND_RULE}`,
      `tools/x.ts:8 calls HuaweiClient.send ${SEND_RULE}`,
    ]);
  });

  it("leaves other clients' send alone, and the executor's", () => {
    // Prepare
    const runtime = lines(
      "import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';",
      "import { HuaweiClient } from '../huawei/client.ts';",
      'const sqs = new SQSClient({});',
      'export const deps = { client: new HuaweiClient({ credentials }) };',
      'await sqs.send(new SendMessageCommand(input));',
      "// deps.client.send({ method: 'POST' }) is the executor's job",
    );
    const executor = lines(
      "import type { HuaweiClient } from '../huawei/client.ts';",
      "interface ExecutorDeps { readonly client: Pick<HuaweiClient, 'send'> }",
      'const call = (deps: ExecutorDeps) => deps.client.send(request);',
    );

    // Act
    const found = violations([
      { path: 'lib/runtime/x.ts', text: runtime },
      { path: 'lib/execution/executor.ts', text: executor },
    ]);

    // Assess
    expect(found).toEqual([]);
  });

  it('lets cli/doctor.ts send literal GETs only; no other CLI file', () => {
    // Prepare
    const get = lines(
      "import { HuaweiClient } from '../lib/huawei/client.ts';",
      'const client = new HuaweiClient({ credentials });',
      "await client.send({ method: 'GET', url, projectId });",
    );
    const post = get.replace("'GET'", "'POST'");
    const computed = get.replace("'GET'", 'verb');

    // Act
    const found = violations([
      { path: 'cli/doctor.ts', text: get },
      { path: 'cli/send.ts', text: get },
      { path: 'cli/doctor.ts', text: `${get}\n${post.split('\n')[2]}\n${computed.split('\n')[2]}` },
    ]);

    // Assess
    expect(found).toEqual([
      "cli/doctor.ts:4 calls HuaweiClient.send not as a literal `method: 'GET'` [the doctor only reads from Huawei Cloud]",
      "cli/doctor.ts:5 calls HuaweiClient.send not as a literal `method: 'GET'` [the doctor only reads from Huawei Cloud]",
      `cli/send.ts:3 calls HuaweiClient.send ${SEND_RULE}`,
    ]);
  });
});

describe('violations: what is not a breach', () => {
  it('ignores imports in comments and strings, and allowed imports', () => {
    // Prepare
    const text = lines(
      "// import { handler } from '../handlers/requests.ts';",
      '/* export * from "../tools/local/stack.ts"; */',
      'const doc = "import { x } from \'../cli/io.ts\'";',
      "const code = `await import('../test/fixtures/requests.ts')`;",
      "import { ValidationError } from '../errors.ts';",
      "import { z } from 'zod';",
      'const pattern = /import x from "..\\/tools\\/y.ts"/;',
    );

    // Act
    const found = violations([{ path: 'lib/actions/x.ts', text }]);

    // Assess
    expect(found).toEqual([]);
  });

  it('lets tests import tests, handlers import lib/ and anything import packages', () => {
    // Prepare
    const files = [
      { path: 'test/x.test.ts', text: "import { request } from './fixtures/requests.ts';" },
      { path: 'handlers/x.ts', text: "import { logger } from '../lib/runtime/logger.ts';" },
      { path: 'tools/local/x.ts', text: "import { SQSClient } from '@aws-sdk/client-sqs';" },
    ];

    // Act
    const found = violations(files);

    // Assess
    expect(found).toEqual([]);
  });

  it('resolves a specifier against the known files (an extensionless path finds its .ts file)', () => {
    // Prepare
    const files = [
      { path: 'lib/x.ts', text: "import { stack } from '../tools/local/stack';" },
      { path: 'tools/local/stack.ts', text: '' },
    ];

    // Act
    const found = violations(files);

    // Assess
    expect(found).toEqual(['lib/x.ts:1 imports tools/local/stack.ts [lib/ is deployable on its own]']);
  });
});
