/**
 * The minimal hand-written baselines dr-relay is compared with, on bare clients only.
 *   requestBaseline: one queued dcs.restore, sequentially: JSON.parse + sha256 key, DynamoDB
 *     conditional PutItem (claim), UpdateItem (status in_progress), one signed POST
 *     (lib/huawei/signer.ts `sign` + fetch), UpdateItem (status succeeded), UpdateItem (claim
 *     completed). `ioMatched` makes dr-relay's calls instead, minimally: one conditional UpdateItem
 *     (claim + status + `sending`), the POST, one UpdateItem (outcome, claim given back), and one
 *     SendMessage (the operation's first check), to split dr-relay's overhead into I/O and code.
 *   startAlarmBaseline: a webhook-equivalent HTTP server: bearer check, JSON.parse, one signed
 *     failover POST per firing alert whose `dr` label it knows, then the answer.
 * Owns: those baselines. Must not touch: dr-relay modules other than the signer.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { type Credentials, sign } from '../../lib/huawei/signer.ts';

export interface RequestBaselineOptions {
  readonly dynamodbUrl: string;
  readonly simulatorUrl: string;
  readonly table: string;
  readonly credentials: Credentials;
  /** Make dr-relay's calls (see above); the SendMessage goes to `queueUrl` on `sqsUrl`. */
  readonly ioMatched?: { readonly sqsUrl: string; readonly queueUrl: string };
}

interface DcsBody {
  readonly project_id: string;
  readonly params: { readonly instance_id: string; readonly backup_id: string; readonly remark?: string };
}

const TTL_SECONDS = 30 * 24 * 3600;

/** Signed POST of a JSON body with fetch; the parsed answer, or an error for a non-2xx status. */
const signedPost = async (url: string, projectId: string, body: string, credentials: Credentials) => {
  const headers = sign(
    { method: 'POST', url, headers: { 'content-type': 'application/json', 'x-project-id': projectId }, body },
    credentials,
  );
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${new URL(url).pathname}: ${response.status} ${text}`);
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
};

export const requestBaseline = (options: RequestBaselineOptions) => {
  const dynamo = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: options.dynamodbUrl,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const TableName = options.table;
  const sqs = options.ioMatched
    ? new SQSClient({
        region: 'us-east-1',
        endpoint: options.ioMatched.sqsUrl,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      })
    : undefined;
  const setStatus = (id: string, status: string, extra: Record<string, { S: string }> = {}) => {
    const names = Object.keys(extra);
    return dynamo.send(
      new UpdateItemCommand({
        TableName,
        Key: { id: { S: id } },
        UpdateExpression: `SET #status = :status, updated_at = :now, created_at = if_not_exists(created_at, :now)${names
          .map((n) => `, ${n} = :${n}`)
          .join('')}`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': { S: status },
          ':now': { S: new Date().toISOString() },
          ...Object.fromEntries(names.map((n) => [`:${n}`, extra[n] as { S: string }])),
        },
      }),
    );
  };

  const one = async (raw: string): Promise<void> => {
    const request = JSON.parse(raw) as DcsBody;
    const key = createHash('sha256').update(raw).digest('hex');
    const claimId = `bench-baseline#${key}`;
    const statusId = `req#bench-baseline-${key}`;
    const expiration = String(Math.floor(Date.now() / 1000) + TTL_SECONDS);
    if (options.ioMatched) {
      await dynamo.send(
        new UpdateItemCommand({
          TableName,
          Key: { id: { S: statusId } },
          UpdateExpression: 'SET #status = :status, call_state = :sending, lease_until = :until',
          ConditionExpression: 'attribute_not_exists(lease_until) OR lease_until < :now',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': { S: 'in_progress' },
            ':sending': { S: 'sending' },
            ':until': { N: String(Date.now() + 900_000) },
            ':now': { N: String(Date.now()) },
          },
        }),
      );
    } else {
      await dynamo.send(
        new PutItemCommand({
          TableName,
          Item: { id: { S: claimId }, status: { S: 'INPROGRESS' }, expiration: { N: expiration } },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
      await setStatus(statusId, 'in_progress');
    }
    const { project_id, params } = request;
    const url = `${options.simulatorUrl}/v1.0/${project_id}/instances/${params.instance_id}/restores`;
    const answer = await signedPost(
      url,
      project_id,
      JSON.stringify({ backup_id: params.backup_id, remark: params.remark }),
      options.credentials,
    );
    await setStatus(statusId, 'succeeded', { restore_id: { S: String(answer['restore_id']) } });
    if (sqs && options.ioMatched) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: options.ioMatched.queueUrl,
          MessageBody: JSON.stringify({ check: statusId }),
          DelaySeconds: 5,
        }),
      );
    } else {
      await setStatus(claimId, 'COMPLETED', { result_data: { S: JSON.stringify(answer) } });
    }
  };

  return {
    /** Handles the records of the event one after the other (the baseline has no batch logic). */
    handle: async (event: SQSEvent): Promise<void> => {
      for (const record of event.Records) await one(record.body);
    },
    close: () => {
      dynamo.destroy();
      sqs?.destroy();
    },
  };
};

export interface AlarmBaselineOptions {
  readonly simulatorUrl: string;
  readonly credentials: Credentials;
  readonly token: string;
  readonly projectId: string;
  /** `dr` label -> DR pair id. */
  readonly targets: ReadonlyMap<string, string>;
}

interface AlertBody {
  readonly alerts?: readonly { status?: string; labels?: Record<string, string> }[];
}

export const startAlarmBaseline = async (
  options: AlarmBaselineOptions,
): Promise<{ url: string; close: () => Promise<void> }> => {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${options.token}`)
        return reply(401, { error: 'unauthorized' });
      try {
        const payload = JSON.parse(Buffer.concat(chunks).toString('utf8')) as AlertBody;
        let actions = 0;
        for (const alert of payload.alerts ?? []) {
          const dr = options.targets.get(alert.labels?.['dr'] ?? '');
          if (alert.status !== 'firing' || dr === undefined) continue;
          const url = `${options.simulatorUrl}/v2/${options.projectId}/disaster-recovery/${dr}/failover`;
          await signedPost(url, options.projectId, '', options.credentials);
          actions += 1;
        }
        reply(200, { actions });
      } catch (error) {
        reply(500, { error: (error as Error).message });
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
