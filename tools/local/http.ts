/**
 * The local API: a node:http server on 127.0.0.1 that turns each request into an API Gateway HTTP
 * API (payload 2.0) event and invokes the webhook handler, unmodified, as API Gateway would.
 * One local-only extra: `POST /_local/alarms` invokes the alarms handler with the body as the
 * Lambda event (CloudWatch via SNS / EventBridge / alarm action), which in AWS arrives without HTTP.
 * Owns: that translation. Must not touch: what the handlers do.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { lambdaContext } from './poller.ts';

export type HttpLambda = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;
export type EventLambda = (event: unknown, context: Context) => Promise<unknown>;

/** API Gateway's own limit on a payload is 10 MB; the handler applies its own smaller limits. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

const readBody = async (request: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
};

export const toApiGatewayEvent = (request: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 => {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([k, v]) => [
      k.toLowerCase(),
      Array.isArray(v) ? v.join(',') : (v ?? ''),
    ]),
  );
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(url.search ? { queryStringParameters: Object.fromEntries(url.searchParams) } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers['host'] ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: body.toString('utf8') } : {}),
    isBase64Encoded: false,
  };
};

/** One request the local API handled (the last 1,000 are kept), for tests and the demo. */
export interface ApiExchange {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly requestBody: string;
  readonly responseBody: string;
}

export interface LocalApi {
  readonly url: string;
  readonly log: readonly ApiExchange[];
  close(): Promise<void>;
}

export const startLocalApi = async (options: {
  port?: number;
  webhook: HttpLambda;
  alarms: EventLambda;
  functionTimeoutMs?: number;
}): Promise<LocalApi> => {
  const timeout = options.functionTimeoutMs ?? 29_000;
  const log: ApiExchange[] = [];
  const answer = async (request: IncomingMessage, body: Buffer) => {
    if (request.method === 'POST' && request.url === '/_local/alarms') {
      const event: unknown = JSON.parse(body.toString('utf8'));
      const result = await options.alarms(event, lambdaContext('dr-relay-local-alarms', 120_000));
      return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result) };
    }
    const event = toApiGatewayEvent(request, body);
    const result = await options.webhook(event, lambdaContext('dr-relay-local-webhook', timeout));
    const headers = (result.headers ?? {}) as Record<string, string>;
    return { status: result.statusCode ?? 200, headers, body: result.body ?? '' };
  };
  const server: Server = createServer(async (request, response) => {
    let body: Buffer = Buffer.alloc(0);
    let reply: { status: number; headers: Record<string, string>; body: string };
    try {
      body = await readBody(request);
      reply = await answer(request, body);
    } catch (error) {
      // What API Gateway answers when the function itself fails.
      const detail = (error as Error).message;
      reply = {
        status: 502,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'Internal Server Error', detail }),
      };
    }
    log.push({
      at: Date.now(),
      method: request.method ?? '',
      path: request.url ?? '',
      status: reply.status,
      requestBody: body.toString('utf8'),
      responseBody: reply.body,
    });
    if (log.length > 1_000) log.shift();
    response.writeHead(reply.status, reply.headers).end(reply.body);
  });
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
