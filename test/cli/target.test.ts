import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/io.ts';
import { LOCAL, locate, regionOfQueueUrl } from '../../cli/target.ts';
import { LOCAL_HMAC_SECRET } from '../../tools/local/stack.ts';
import { ROOT } from './helpers.ts';
import { DLQ_URL, STAGE_ENV } from './inProcess.ts';

const ioWith = (env: Record<string, string>) => {
  const err: string[] = [];
  return { io: { out: () => undefined, err: (l: string) => err.push(l), env, cwd: ROOT }, err };
};

describe('the local stack default', () => {
  it('is used when none of the four places is set, and said once on stderr', async () => {
    // Prepare
    const { io, err } = ioWith({ LOCAL_SQS_PORT: '4567' });

    // Act
    const target = locate(io, {}, ['requestQueue', 'deadLetterQueue']);

    // Assess
    expect(target.local).toBe(true);
    expect(err).toEqual(['(no REQUEST_QUEUE_URL: using the local stack started by npm start)']);
    expect(target.stateTable()).toBe('dr-relay-local-state');
    expect(target.api()).toBe('http://127.0.0.1:3000');
    expect(target.hmacSecret()).toBe(LOCAL_HMAC_SECRET);
    expect(await target.sqs().config.endpoint?.()).toMatchObject({ hostname: '127.0.0.1', port: 4567 });
    expect(await target.sqs().config.region()).toBe('us-east-1');
    expect(await target.dynamo().config.endpoint?.()).toMatchObject({ hostname: '127.0.0.1', port: 8000 });
    target.close();
  });

  it('defaults to the names, ports and secret of the local stack (tools/local/constants.ts)', () => {
    expect(LOCAL.hmacSecret).toBe(LOCAL_HMAC_SECRET);
    expect(LOCAL.ports).toMatchObject({ sqs: 4566, dynamodb: 8000, api: 3000 });
  });
});

describe('a configured stage', () => {
  it('uses the environment, says nothing, and takes the region from the queue URL when unset', async () => {
    // Prepare
    const { AWS_REGION: _region, ...env } = STAGE_ENV;
    const { io, err } = ioWith({
      ...env,
      DR_API_URL: 'https://api.example.com/',
      WEBHOOK_HMAC_SECRETS: ' a , b',
    });

    // Act
    const target = locate(io, {}, ['deadLetterQueue', 'api']);

    // Assess
    expect(target.local).toBe(false);
    expect(err).toEqual([]);
    expect(await target.queueUrl('deadLetterQueue')).toBe(DLQ_URL);
    expect(target.api()).toBe('https://api.example.com');
    expect(target.hmacSecret()).toBe('a');
    expect(await target.sqs().config.region()).toBe('eu-west-1');
    target.close();
  });

  it('flags win over the environment', async () => {
    // Prepare
    const { io } = ioWith(STAGE_ENV);

    // Act
    const target = locate(
      io,
      { 'dlq-url': 'https://sqs.eu-west-1.amazonaws.com/1/other', 'state-table': 't2' },
      ['deadLetterQueue', 'stateTable'],
    );

    // Assess
    expect(await target.queueUrl('deadLetterQueue')).toBe('https://sqs.eu-west-1.amazonaws.com/1/other');
    expect(target.stateTable()).toBe('t2');
  });

  it('a flag alone is a configured stage too: what else is needed must be set', () => {
    // Prepare
    const { io } = ioWith({});

    // Act / Assess
    expect(() =>
      locate(io, { 'queue-url': 'https://sqs.eu-west-1.amazonaws.com/1/q' }, ['deadLetterQueue']),
    ).toThrow(
      new UsageError(
        'DEAD_LETTER_QUEUE_URL is not set (give it, or --dlq-url; with none of them set: the local stack)',
      ),
    );
  });

  it('refuses a place that is not a URL, and the API without a signing secret', () => {
    // Prepare
    const { io } = ioWith({ ...STAGE_ENV, DR_API_URL: 'api.example.com' });

    // Act / Assess
    expect(() => locate(io, {}, ['api'])).toThrow(/DR_API_URL \/ --api must be an http\(s\) URL/);
    expect(() => locate(ioWith({ ...STAGE_ENV, DR_API_URL: 'https://x.example' }).io, {}, ['api'])).toThrow(
      'WEBHOOK_HMAC_SECRETS is not set: requests to the API must be signed',
    );
  });
});

describe('regionOfQueueUrl', () => {
  it('reads the region of an SQS queue URL, nothing else', () => {
    expect(regionOfQueueUrl('https://sqs.ap-southeast-1.amazonaws.com/123/q')).toBe('ap-southeast-1');
    expect(regionOfQueueUrl('https://sqs.cn-north-1.amazonaws.com.cn/123/q')).toBe('cn-north-1');
    expect(regionOfQueueUrl('http://sqs.us-east-1.localhost:4566/000000000000/q')).toBeUndefined();
    expect(regionOfQueueUrl(undefined)).toBeUndefined();
  });
});
