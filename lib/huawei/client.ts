/**
 * The Huawei Cloud HTTP client: one signed request per call, on node:http / node:https.
 * Owns: signing and sending a request, timeouts, caller aborts, and telling whether a failed request
 * was sent (phase before_send -> transient) or may have taken effect (after_send -> ambiguous).
 * Must not touch: retries (exactly one HTTP request per call), idempotency, API paths and payloads,
 * credential caching (a provider function caches), the signer (used as is).
 * Secrets (SK, Authorization, security token) never enter an error message, cause or toJSON.
 */
import type http from 'node:http';
import type { LookupFunction, Socket } from 'node:net';
import { errorKindOf } from '../errors.ts';
import { errorFromResponse, HuaweiApiError, headerValue, redactSecrets } from './errors.ts';
import { type Credentials, sign } from './signer.ts';

export interface HuaweiRequest {
  readonly method: 'GET' | 'POST';
  /** Absolute, query included. */
  readonly url: string;
  /** Sent as X-Project-Id and signed. */
  readonly projectId: string;
  /** JSON-serialised compactly (JSON.stringify) when present; no body at all when undefined. */
  readonly body?: unknown;
}

export interface HuaweiResponse {
  readonly status: number;
  /** Parsed JSON; {} for an empty body; undefined if a 2xx body is not JSON. */
  readonly body: unknown;
  readonly rawBody: string;
  /** X-Request-Id. */
  readonly requestId?: string;
  readonly durationMs: number;
}

export interface HuaweiClientOptions {
  readonly credentials: Credentials | (() => Promise<Credentials>);
  /** From the start of the request until the socket is connected (or reused). Default 3000. */
  readonly connectTimeoutMs?: number;
  /** Total, from the call until the response has ended. Default 10000. */
  readonly timeoutMs?: number;
  /** For X-Sdk-Date. */
  readonly now?: () => Date;
  /**
   * Host name resolution hook (node:net `lookup`), e.g. for a custom resolver. Tests use it to hold a
   * connection in the connecting state without any non-loopback address.
   */
  readonly lookup?: LookupFunction;
}

export interface SendOptions {
  readonly signal?: AbortSignal;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 3000;
const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_SOCKETS = 50;
/** Idle keep-alive sockets are dropped after this, to make a server-closed stale socket unlikely. */
const FREE_SOCKET_TIMEOUT_MS = 4000;

const NOT_SENT = 'not sent';
const SENT = 'sent, no complete response';

/** A short, secret-free description of a low-level failure (Node errors carry no request headers). */
const describe = (error: unknown): string => {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code !== undefined && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
};

const timeoutError = (what: string, ms: number): Error =>
  Object.assign(new Error(`${what} after ${ms} ms`), { code: 'ETIMEDOUT' });

export class HuaweiClient {
  readonly #credentials: Credentials | (() => Promise<Credentials>);
  readonly #connectTimeoutMs: number;
  readonly #timeoutMs: number;
  readonly #now: () => Date;
  readonly #lookup: LookupFunction | undefined;
  /** One keep-alive agent per scheme, made on its first call. */
  readonly #agents = new Map<'http:' | 'https:', http.Agent>();
  #closed = false;

  constructor(options: HuaweiClientOptions) {
    this.#credentials = options.credentials;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#now = options.now ?? (() => new Date());
    this.#lookup = options.lookup;
  }

  /**
   * node:http or node:https and this client's agent for it, both on the first call of that scheme:
   * `process.getBuiltinModule` loads the module then, so a cold start does not load node:http (about
   * 5 ms) while the bundle loads (the AWS SDK loads it on its own first request: docs/performance.md).
   */
  #transport(protocol: 'http:' | 'https:'): { module: typeof http; agent: http.Agent } {
    // node:https has node:http's request and Agent, with TLS options this client does not pass.
    const module = process.getBuiltinModule(
      protocol === 'https:' ? 'node:https' : 'node:http',
    ) as typeof http;
    let agent = this.#agents.get(protocol);
    if (agent === undefined) {
      agent = new module.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS, timeout: FREE_SOCKET_TIMEOUT_MS });
      this.#agents.set(protocol, agent);
    }
    return { module, agent };
  }

  /** Destroys the keep-alive agents (and their sockets). The client cannot send afterwards. */
  close(): void {
    this.#closed = true;
    for (const agent of this.#agents.values()) agent.destroy();
  }

  /**
   * Sends one signed request. Resolves with a 2xx response; throws HuaweiApiError otherwise.
   * Exactly one HTTP request per call: no retries here.
   */
  async send(request: HuaweiRequest, options: SendOptions = {}): Promise<HuaweiResponse> {
    const started = performance.now();
    const { signal } = options;

    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      throw new HuaweiApiError(`${request.method} <invalid URL>: ${NOT_SENT} (invalid URL)`, 'permanent', {
        phase: 'before_send',
      });
    }
    const label = `${request.method} ${url.pathname}`;
    const notSent = (reason: string, kind: 'transient' | 'permanent', cause?: unknown): HuaweiApiError =>
      new HuaweiApiError(
        `${label}: ${NOT_SENT} (${reason})`,
        kind,
        { phase: 'before_send' },
        cause !== undefined ? { cause } : undefined,
      );

    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw notSent(`unsupported protocol ${url.protocol}`, 'permanent');
    }
    if (this.#closed) throw notSent('client closed', 'permanent');
    if (signal?.aborted) throw notSent('aborted by caller', 'transient', signal.reason);

    const credentials = await this.#resolveCredentials(label, started, signal);
    const secrets = [credentials.sk, credentials.securityToken ?? ''].filter((s) => s !== '');

    let body = '';
    if (request.body !== undefined) {
      let json: string | undefined;
      try {
        json = JSON.stringify(request.body);
      } catch (error) {
        throw notSent(
          `body is not serialisable: ${error instanceof Error ? error.name : 'error'}`,
          'permanent',
        );
      }
      if (json === undefined) throw notSent('body is not serialisable', 'permanent');
      body = json;
    }
    let headers: Record<string, string>;
    try {
      headers = sign(
        {
          method: request.method,
          url: request.url,
          headers: { 'content-type': 'application/json', 'x-project-id': request.projectId },
          body,
        },
        credentials,
        this.#now(),
      );
    } catch (error) {
      // Not expected; the signer's error is not passed on, in case it quotes an input.
      throw notSent(`signing failed: ${error instanceof Error ? error.name : 'error'}`, 'permanent');
    }
    if (request.body !== undefined || request.method === 'POST') {
      headers['content-length'] = String(Buffer.byteLength(body, 'utf8'));
    }

    const remainingMs = Math.max(1, this.#timeoutMs - (performance.now() - started));
    return this.#exchange({
      url,
      label,
      method: request.method,
      headers,
      body,
      signal,
      started,
      remainingMs,
      secrets,
    });
  }

  async #resolveCredentials(
    label: string,
    started: number,
    signal: AbortSignal | undefined,
  ): Promise<Credentials> {
    const provider = this.#credentials;
    if (typeof provider !== 'function') return provider;
    const notSent = (reason: string, kind: 'transient' | 'permanent', cause?: unknown): HuaweiApiError =>
      new HuaweiApiError(
        `${label}: ${NOT_SENT} (${reason})`,
        kind,
        { phase: 'before_send' },
        cause !== undefined ? { cause } : undefined,
      );
    const budget = Math.max(1, this.#timeoutMs - (performance.now() - started));
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const guard = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(notSent(`time-out resolving credentials after ${this.#timeoutMs} ms`, 'transient')),
        budget,
      );
      onAbort = () => reject(notSent('aborted by caller', 'transient', signal?.reason));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([
        provider().catch((error: unknown) => {
          // The provider's own message is left out (it is the provider's business); the cause keeps it.
          const name = error instanceof Error ? error.name : 'error';
          throw notSent(
            `credentials unavailable: ${name}`,
            errorKindOf(error) === 'permanent' ? 'permanent' : 'transient',
            error,
          );
        }),
        guard,
      ]);
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    }
  }

  #exchange(call: {
    readonly url: URL;
    readonly label: string;
    readonly method: 'GET' | 'POST';
    readonly headers: Record<string, string>;
    readonly body: string;
    readonly signal: AbortSignal | undefined;
    readonly started: number;
    readonly remainingMs: number;
    readonly secrets: readonly string[];
  }): Promise<HuaweiResponse> {
    const { url, label, method, headers, body, signal, started, remainingMs, secrets } = call;
    const isHttps = url.protocol === 'https:';
    const transport = this.#transport(isHttps ? 'https:' : 'http:');

    return new Promise<HuaweiResponse>((resolve, reject) => {
      /** All request bytes were handed to the kernel ('finish'), or the server already answered. */
      let sent = false;
      let settled = false;
      let connectTimer: NodeJS.Timeout | undefined;
      let totalTimer: NodeJS.Timeout | undefined;
      let req: http.ClientRequest | undefined;

      const cleanup = (): void => {
        clearTimeout(connectTimer);
        clearTimeout(totalTimer);
        signal?.removeEventListener('abort', onAbort);
      };

      const fail = (reason: string, cause: unknown): void => {
        if (settled) return;
        settled = true;
        cleanup();
        const text = redactSecrets(`${reason}${cause !== undefined ? `: ${describe(cause)}` : ''}`, secrets);
        const error = sent
          ? new HuaweiApiError(`${label}: ${SENT} (${text})`, 'ambiguous', { phase: 'after_send' }, { cause })
          : new HuaweiApiError(
              `${label}: ${NOT_SENT} (${text})`,
              'transient',
              { phase: 'before_send' },
              { cause },
            );
        reject(error);
        req?.destroy();
      };

      function onAbort(): void {
        fail('aborted by caller', signal?.reason);
      }

      try {
        req = transport.module.request({
          method,
          protocol: url.protocol,
          hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
          port: url.port === '' ? (isHttps ? 443 : 80) : Number(url.port),
          path: `${url.pathname}${url.search}`,
          headers,
          agent: transport.agent,
          ...(this.#lookup !== undefined ? { lookup: this.#lookup } : {}),
        });
      } catch (error) {
        // Node rejects bad header values synchronously; its message may quote the value: not passed on.
        const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'error';
        settled = true;
        reject(
          new HuaweiApiError(`${label}: ${NOT_SENT} (invalid request: ${code})`, 'permanent', {
            phase: 'before_send',
          }),
        );
        return;
      }

      connectTimer = setTimeout(
        () => fail('connect time-out', timeoutError('connect time-out', this.#connectTimeoutMs)),
        this.#connectTimeoutMs,
      );
      totalTimer = setTimeout(() => fail('time-out', timeoutError('time-out', this.#timeoutMs)), remainingMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort();

      req.on('socket', (socket: Socket) => {
        if (socket.connecting) socket.once('connect', () => clearTimeout(connectTimer));
        else clearTimeout(connectTimer);
      });
      req.on('finish', () => {
        sent = true;
      });
      req.on('error', (error) => fail('request failed', error));
      req.on('response', (res) => {
        sent = true;
        clearTimeout(connectTimer);
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => fail('response failed', error));
        res.on('close', () => {
          if (!res.complete)
            fail('response incomplete', new Error('connection closed before the response ended'));
        });
        res.on('end', () => {
          if (settled) return;
          settled = true;
          cleanup();
          const status = res.statusCode ?? 0;
          const rawBody = Buffer.concat(chunks).toString('utf8');
          if (status < 200 || status > 299) {
            reject(errorFromResponse(status, rawBody, res.headers, { method, path: url.pathname, secrets }));
            return;
          }
          const requestId = headerValue(res.headers, 'x-request-id');
          resolve({
            status,
            body: parseBody(rawBody),
            rawBody,
            ...(requestId !== undefined ? { requestId } : {}),
            durationMs: Math.round(performance.now() - started),
          });
        });
      });

      req.end(body === '' ? undefined : body);
    });
  }
}

const parseBody = (rawBody: string): unknown => {
  if (rawBody.trim() === '') return {};
  try {
    return JSON.parse(rawBody);
  } catch {
    return undefined;
  }
};
