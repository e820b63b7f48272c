/**
 * `dr-relay dlq list | show | redrive | purge` against a mocked SQS (aws-sdk-client-mock): reading
 * removes nothing (every message read is made visible again), --json shapes, redrive's order of
 * operations (send with dr_relay_redrive = 1, then delete; never delete what was not sent), what is
 * left in place and why, the exit codes, and the usage errors (exit 2).
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { REDRIVE_ATTRIBUTE } from '../../lib/intake/queueRecord.ts';
import {
  DLQ_URL,
  dcsRequest,
  lambdaFailure,
  message,
  permanentLetter,
  REQUEST_QUEUE_URL,
  runIn,
  STAGE_ENV,
} from './inProcess.ts';

const sqs = mockClient(SQSClient);

const LETTERS: Message[] = [
  message('id-permanent', permanentLetter(), Date.parse('2026-11-23T17:12:30Z')),
  message('id-raw', dcsRequest('raw-1'), Date.parse('2026-11-23T17:30:00Z')),
  message('id-lambda', lambdaFailure, Date.parse('2026-11-23T16:00:01Z')),
  message('id-garbage', 'not JSON', Date.parse('2026-11-23T18:00:00Z')),
];

/** The dead-letter queue holds `messages`: the first receive returns them, later ones nothing. */
const holding = (messages: Message[]) => {
  sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: messages }).resolves({ Messages: [] });
  sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
};

/** Every receipt handle made visible again (VisibilityTimeout 0). */
const released = (): string[] =>
  sqs.commandCalls(ChangeMessageVisibilityBatchCommand).flatMap((c) =>
    (c.args[0].input.Entries ?? []).map((e) => {
      expect(e.VisibilityTimeout).toBe(0);
      return e.ReceiptHandle ?? '';
    }),
  );

beforeEach(() => {
  sqs.reset();
});

describe('dlq list', () => {
  it('prints the table oldest first with a summary, and makes every message visible again', async () => {
    // Prepare
    holding(LETTERS);

    // Act
    const run = await runIn(['dlq', 'list']);

    // Assess
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^WHEN +ACTION +TARGET +KIND +HTTP +CODE +MESSAGE +ATTEMPTS +ID$/);
    expect(lines.slice(1, 5).map((l) => l.split(/ +/).at(-1))).toEqual([
      'id-lambda',
      'id-permanent',
      'id-raw',
      'id-garbage',
    ]);
    expect(lines.at(-1)).toBe(
      `4 dead letters (1 lambda-failure, 1 permanent, 1 redrive-policy, 1 unknown) in ${DLQ_URL}`,
    );
    expect(released().sort()).toEqual(['rh-id-garbage', 'rh-id-lambda', 'rh-id-permanent', 'rh-id-raw']);
    const receive = sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input;
    expect(receive).toMatchObject({ QueueUrl: DLQ_URL, MaxNumberOfMessages: 10 });
    expect(receive.VisibilityTimeout).toBeGreaterThan(0);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    expect(run.stderr).toBe('');
  });

  it("--json: {queue_url, count, limited, dead_letters[]} with each entry's fields", async () => {
    // Prepare
    holding(LETTERS);

    // Act
    const run = await runIn(['dlq', 'list', '--json']);

    // Assess
    expect(run.code).toBe(0);
    const listed = JSON.parse(run.stdout);
    expect(listed).toMatchObject({ queue_url: DLQ_URL, count: 4, limited: false });
    expect(listed.dead_letters.find((d: { id: string }) => d.id === 'id-permanent')).toEqual({
      id: 'id-permanent',
      kind: 'permanent',
      body_type: 'dead-letter',
      when: '2026-11-23T17:12:29.300Z',
      action: 'dcs.restore',
      target: permanentLetter().target,
      idempotency_key: 'ops-restore-1',
      http_status: 404,
      error_code: 'DCS.4204',
      message: 'The instance does not exist.',
      attempts: 1,
      first_failure_at: '2026-11-23T17:12:29.300Z',
      last_failure_at: '2026-11-23T17:12:29.300Z',
      source_message_id: 'f00d',
      redrivable: true,
      sent_at: '2026-11-23T17:12:30.000Z',
      sqs_receive_count: 2,
    });
    expect(listed.dead_letters.map((d: { kind: string }) => d.kind)).toEqual([
      'lambda-failure',
      'permanent',
      'redrive-policy',
      'unknown',
    ]);
  });

  it('an empty queue: "no dead letters"', async () => {
    // Prepare
    holding([]);

    // Act
    const run = await runIn(['dlq', 'list']);

    // Assess
    expect(run).toMatchObject({ code: 0, stdout: 'no dead letters\n' });
  });

  it('--limit N stops reading at N and says more may be waiting', async () => {
    // Prepare
    holding(LETTERS.slice(0, 2));

    // Act
    const run = await runIn(['dlq', 'list', '--limit', '2']);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--limit 2 reached: more may be waiting');
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input.MaxNumberOfMessages).toBe(2);
  });

  it('a failing receive: exit 1 with what failed; what was read is released', async () => {
    // Prepare
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [LETTERS[0]!] })
      .rejects(Object.assign(new Error('Access to the resource is denied.'), { name: 'AccessDenied' }));
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({});

    // Act
    const run = await runIn(['dlq', 'list']);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `dr-relay: reading the dead-letter queue ${DLQ_URL} failed: AccessDenied: Access to the resource is denied.\n`,
    );
    expect(released()).toEqual(['rh-id-permanent']);
  });

  it('usage errors exit 2: a bad --limit, an unknown option, an argument', async () => {
    // Act
    const runs = await Promise.all([
      runIn(['dlq', 'list', '--limit', '0']),
      runIn(['dlq', 'list', '--limit', 'ten']),
      runIn(['dlq', 'list', '--all']),
      runIn(['dlq', 'list', 'extra']),
    ]);

    // Assess
    for (const run of runs) expect(run.code).toBe(2);
    expect(runs[0]!.stderr).toContain('--limit must be a whole number from 1 to');
    expect(sqs.calls()).toHaveLength(0);
  });
});

describe('dlq show', () => {
  it('finds a message by SQS message id: metadata, then the record as pretty JSON', async () => {
    // Prepare
    holding(LETTERS);

    // Act
    const run = await runIn(['dlq', 'show', 'id-permanent']);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^message id +id-permanent$/m);
    expect(run.stdout).toMatch(/^kind +permanent \(dr-relay dead letter\)$/m);
    expect(run.stdout).toMatch(/^redrive +yes: dr-relay dlq redrive --id id-permanent$/m);
    expect(run.stdout).toContain(JSON.stringify(permanentLetter(), null, 2));
    expect(released()).toHaveLength(4);
  });

  it('finds one by idempotency key; --json: {query, messages: [{…entry, attributes, body}]}', async () => {
    // Prepare
    holding(LETTERS);

    // Act
    const run = await runIn(['dlq', 'show', 'raw-1', '--json']);

    // Assess
    expect(run.code).toBe(0);
    const shown = JSON.parse(run.stdout);
    expect(shown.query).toBe('raw-1');
    expect(shown.messages).toHaveLength(1);
    expect(shown.messages[0]).toMatchObject({
      id: 'id-raw',
      kind: 'redrive-policy',
      attributes: {},
      body: dcsRequest('raw-1'),
    });
  });

  it('a Lambda record says why it cannot be redriven', async () => {
    // Prepare
    holding(LETTERS);

    // Act
    const run = await runIn(['dlq', 'show', 'id-lambda']);

    // Assess
    expect(run.stdout).toMatch(/^redrive +no: a Lambda on-failure record of the alarms function/m);
  });

  it('not found: exit 1, and the messages read are released', async () => {
    // Prepare
    holding(LETTERS);

    // Act
    const run = await runIn(['dlq', 'show', 'nope']);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'no dead letter has the message id, idempotency key or source message id "nope" (4 messages read)',
    );
    expect(run.stdout).toBe('');
    expect(released()).toHaveLength(4);
  });

  it('finds one by its source message id (the request queue message id a notification may name)', async () => {
    // Prepare: permanentLetter() came from request-queue message f00d
    holding(LETTERS);

    // Act
    const run = await runIn(['dlq', 'show', 'f00d']);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^message id +id-permanent$/m);
    expect(run.stdout).toMatch(/^idempotency key +ops-restore-1$/m);
    expect(run.stdout).toMatch(/^source message +f00d$/m);
    expect(run.stderr).toBe('');
  });

  it("shows the letter's own history: attempts, first and last failure", async () => {
    // Prepare
    const letter = {
      ...permanentLetter(),
      attempts: 3,
      first_failure_at: '2026-11-23T17:00:00.000Z',
      last_failure_at: '2026-11-23T17:12:29.300Z',
    };
    holding([message('id-3', letter)]);

    // Act
    const run = await runIn(['dlq', 'show', 'id-3']);

    // Assess
    expect(run.stdout).toMatch(/^attempts +3$/m);
    expect(run.stdout).toMatch(/^first failure +2026-11-23T17:00:00Z$/m);
    expect(run.stdout).toMatch(/^last failure +2026-11-23T17:12:29Z$/m);
  });

  it('three looks do not make the output claim more deliveries: the SQS count is "looked at", attempts stay', async () => {
    // Prepare: a queue that counts receives as SQS does (each read +1, hidden until released)
    let receives = 0;
    let visible = true;
    sqs.on(ReceiveMessageCommand).callsFake(() => {
      if (!visible) return { Messages: [] };
      visible = false;
      receives += 1;
      const m = message('id-permanent', permanentLetter());
      return {
        Messages: [{ ...m, Attributes: { ...m.Attributes, ApproximateReceiveCount: String(receives) } }],
      };
    });
    sqs.on(ChangeMessageVisibilityBatchCommand).callsFake(() => {
      visible = true;
      return { Successful: [], Failed: [] };
    });

    // Act
    const looks = [
      await runIn(['dlq', 'list', '--json']),
      await runIn(['dlq', 'show', 'id-permanent']),
      await runIn(['dlq', 'show', 'id-permanent']),
    ];

    // Assess
    const [listed, second, third] = looks.map((l) => l.stdout);
    expect(receives).toBe(3);
    expect(JSON.parse(listed!).dead_letters[0]).toMatchObject({ attempts: 1, sqs_receive_count: 1 });
    for (const shown of [second, third]) {
      expect(shown).toMatch(/^attempts +1$/m);
      expect(shown).not.toMatch(/received|deliver(ed|ies) \d/i);
    }
    expect(second).toMatch(/^looked at +2 times \(SQS counts every read .*not delivery attempts\)$/m);
    expect(third).toMatch(/^looked at +3 times \(SQS counts every read .*not delivery attempts\)$/m);
  });

  it('needs exactly one id (exit 2)', async () => {
    expect((await runIn(['dlq', 'show'])).code).toBe(2);
    expect((await runIn(['dlq', 'show', 'a', 'b'])).code).toBe(2);
  });
});

describe('dlq redrive', () => {
  beforeEach(() => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'new-message' });
    sqs.on(DeleteMessageCommand).resolves({});
  });

  it('--id: sends the body as is with dr_relay_redrive = 1, then deletes it; the rest is released', async () => {
    // Prepare
    holding(LETTERS);

    // Act
    const run = await runIn(['dlq', 'redrive', '--id', 'id-permanent']);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('1 redriven, 0 left in place\n');
    expect(run.stderr).toBe('redriven 1/1 dcs.restore ops-restore-1\n');
    const send = sqs.commandCalls(SendMessageCommand);
    expect(send).toHaveLength(1);
    expect(send[0]!.args[0].input).toEqual({
      QueueUrl: REQUEST_QUEUE_URL,
      MessageBody: JSON.stringify(permanentLetter()),
      MessageAttributes: { [REDRIVE_ATTRIBUTE]: { DataType: 'String', StringValue: '1' } },
    });
    expect(sqs.commandCalls(DeleteMessageCommand)[0]!.args[0].input).toEqual({
      QueueUrl: DLQ_URL,
      ReceiptHandle: 'rh-id-permanent',
    });
    const order = sqs.calls().map((c) => (c.args[0] as object).constructor.name);
    expect(order.indexOf('SendMessageCommand')).toBeLessThan(order.indexOf('DeleteMessageCommand'));
    expect(released().sort()).toEqual(['rh-id-garbage', 'rh-id-lambda', 'rh-id-raw']);
  });

  it('--id takes a source message id too, as dlq show does', async () => {
    // Prepare
    holding(LETTERS);

    // Act
    const run = await runIn(['dlq', 'redrive', '--id', 'f00d']);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('1 redriven, 0 left in place\n');
    expect(sqs.commandCalls(DeleteMessageCommand)[0]!.args[0].input.ReceiptHandle).toBe('rh-id-permanent');
  });

  it('--id takes an idempotency key too, and may be repeated', async () => {
    // Prepare
    holding(LETTERS);

    // Act
    const run = await runIn(['dlq', 'redrive', '--id', 'raw-1', '--id', 'id-permanent', '--json']);

    // Assess
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({
      dry_run: false,
      queue_url: DLQ_URL,
      selected: 2,
      failed: [],
      not_found: [],
    });
    expect(report.redriven).toEqual([
      {
        id: 'id-permanent',
        kind: 'permanent',
        action: 'dcs.restore',
        idempotency_key: 'ops-restore-1',
        message_id: 'new-message',
      },
      {
        id: 'id-raw',
        kind: 'redrive-policy',
        action: 'dcs.restore',
        idempotency_key: 'raw-1',
        message_id: 'new-message',
      },
    ]);
    expect(sqs.commandCalls(SendMessageCommand)[1]!.args[0].input.MessageBody).toBe(
      JSON.stringify(dcsRequest('raw-1')),
    );
  });

  it('--all: redrives the requests, leaves the Lambda record and the unknown body in place (exit 0)', async () => {
    // Prepare
    holding(LETTERS);

    // Act
    const run = await runIn(['dlq', 'redrive', '--all']);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('2 redriven, 2 left in place\n');
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        /^left in place 1\/4 alarm event function dr-relay-dev-alarms: a Lambda on-failure record/,
      ),
      'redriven 2/4 dcs.restore ops-restore-1',
      'redriven 3/4 dcs.restore raw-1',
      expect.stringMatching(/^left in place 4\/4 unknown body id-garbage: not a dr-relay dead letter/),
    ]);
    expect(sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle)).toEqual([
      'rh-id-permanent',
      'rh-id-raw',
    ]);
    expect(released().sort()).toEqual(['rh-id-garbage', 'rh-id-lambda']);
  });

  it('--dry-run: lists what would happen and changes nothing', async () => {
    // Prepare
    holding(LETTERS);

    // Act
    const run = await runIn(['dlq', 'redrive', '--all', '--dry-run']);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('dry run: 2 would be redriven, 2 would be left in place; nothing was changed\n');
    expect(run.stderr).toContain('would redrive 2/4 dcs.restore ops-restore-1');
    expect(run.stderr).toContain('would leave in place 1/4 alarm event');
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    expect(released()).toHaveLength(4);
  });

  it('a failed send: nothing deleted, the message released, exit 1', async () => {
    // Prepare
    holding(LETTERS.slice(0, 2));
    sqs
      .on(SendMessageCommand)
      .rejectsOnce(Object.assign(new Error('throttled'), { name: 'RequestThrottled' }))
      .resolves({ MessageId: 'new-message' });

    // Act
    const run = await runIn(['dlq', 'redrive', '--all']);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('1 redriven, 1 left in place (1 failed)\n');
    expect(run.stderr).toContain(
      'FAILED 1/2 dcs.restore ops-restore-1: not sent to the request queue (RequestThrottled: throttled); left in the dead-letter queue',
    );
    expect(sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle)).toEqual([
      'rh-id-raw',
    ]);
    expect(released()).toEqual(['rh-id-permanent']);
  });

  it('a failed delete after the send: reported (it will be listed again, harmless), exit 1', async () => {
    // Prepare
    holding(LETTERS.slice(0, 1));
    sqs.on(DeleteMessageCommand).rejects(new Error('receipt handle expired'));

    // Act
    const run = await runIn(['dlq', 'redrive', '--id', 'id-permanent', '--json']);

    // Assess
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.redriven).toEqual([]);
    expect(report.failed[0].error).toMatch(
      /^sent to the request queue \(message new-message\) but not deleted from the dead-letter queue .+ harmless$/,
    );
  });

  it('an --id that matches nothing, or names a Lambda record: exit 1', async () => {
    // Prepare
    holding(LETTERS);

    // Act
    const missing = await runIn(['dlq', 'redrive', '--id', 'nope']);
    sqs.reset();
    holding(LETTERS);
    sqs.on(SendMessageCommand).resolves({ MessageId: 'x' });
    const lambda = await runIn(['dlq', 'redrive', '--id', 'id-lambda']);

    // Assess
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('0 redriven, 0 left in place, 1 not found\n');
    expect(missing.stderr).toContain(
      'not found: no dead letter has the message id, idempotency key or source message id nope',
    );
    expect(lambda.code).toBe(1);
    expect(lambda.stdout).toBe('0 redriven, 1 left in place\n');
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('needs --id or --all, not both (exit 2, nothing read)', async () => {
    // Act
    const neither = await runIn(['dlq', 'redrive']);
    const both = await runIn(['dlq', 'redrive', '--all', '--id', 'x']);
    const empty = await runIn(['dlq', 'redrive', '--id']);

    // Assess
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('dlq redrive: give --id <id> (one or more) or --all');
    expect(neither.stderr).toContain('usage: dr-relay dlq redrive (--id <id> [--id …] | --all)');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--id and --all exclude each other');
    expect(empty.code).toBe(2);
    expect(sqs.calls()).toHaveLength(0);
  });

  it('a redrive (not a dry run) needs the request queue too', async () => {
    // Prepare
    const { REQUEST_QUEUE_URL: _request, ...env } = STAGE_ENV;

    // Act
    const run = await runIn(['dlq', 'redrive', '--all'], env);
    holding([]);
    const dry = await runIn(['dlq', 'redrive', '--all', '--dry-run'], env);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('REQUEST_QUEUE_URL is not set (give it, or --queue-url');
    expect(dry.code).toBe(0);
  });
});

describe('dlq purge', () => {
  it('without --yes: refuses (exit 2), says what it would delete, purges nothing', async () => {
    // Prepare
    sqs.on(GetQueueAttributesCommand).resolves({
      Attributes: { ApproximateNumberOfMessages: '3', ApproximateNumberOfMessagesNotVisible: '1' },
    });

    // Act
    const run = await runIn(['dlq', 'purge']);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `dlq purge deletes every message (about 4 messages) in the dead-letter queue ${DLQ_URL}, for good; nothing was deleted`,
    );
    expect(run.stderr).toContain('dr-relay dlq purge --yes');
    expect(sqs.commandCalls(PurgeQueueCommand)).toHaveLength(0);
  });

  it('without --yes and an unreachable queue: still refuses, without the count', async () => {
    // Prepare
    sqs.on(GetQueueAttributesCommand).rejects(new Error('down'));

    // Act
    const run = await runIn(['dlq', 'purge']);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`deletes every message in the dead-letter queue ${DLQ_URL}`);
  });

  it('--yes: PurgeQueue on the dead-letter queue only; --json', async () => {
    // Prepare
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '2' } });
    sqs.on(PurgeQueueCommand).resolves({});

    // Act
    const run = await runIn(['dlq', 'purge', '--yes']);
    const json = await runIn(['dlq', 'purge', '--yes', '--json']);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`purged ${DLQ_URL}: 2 messages deleted (SQS may take up to 60 s to finish)\n`);
    expect(JSON.parse(json.stdout)).toEqual({ purged: true, queue_url: DLQ_URL, approximate_messages: 2 });
    expect(sqs.commandCalls(PurgeQueueCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: DLQ_URL },
      { QueueUrl: DLQ_URL },
    ]);
  });

  it('a purge SQS refuses (one per 60 s): exit 1 with the reason', async () => {
    // Prepare
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: {} });
    sqs.on(PurgeQueueCommand).rejects(
      Object.assign(new Error('Only one PurgeQueue operation is allowed every 60 seconds.'), {
        name: 'PurgeQueueInProgress',
      }),
    );

    // Act
    const run = await runIn(['dlq', 'purge', '--yes']);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `dr-relay: purging the dead-letter queue ${DLQ_URL} failed: PurgeQueueInProgress: Only one PurgeQueue`,
    );
  });
});

describe('the local stack default', () => {
  it('with no location set: says so once, finds the queue by name on 127.0.0.1:4566', async () => {
    // Prepare
    sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: 'http://sqs.us-east-1.localhost:4566/000000000000/dlq' });
    holding([]);

    // Act
    const run = await runIn(['dlq', 'list'], {});

    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('(no DEAD_LETTER_QUEUE_URL: using the local stack started by npm start)\n');
    expect(sqs.commandCalls(GetQueueUrlCommand)[0]!.args[0].input).toEqual({
      QueueName: 'dr-relay-local-dead-letters',
    });
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input.QueueUrl).toBe(
      'http://sqs.us-east-1.localhost:4566/000000000000/dlq',
    );
  });
});
