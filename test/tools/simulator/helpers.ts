/**
 * Test helpers for the simulator: a hand-driven clock, a simulator started per test (closed
 * after it), and a tiny signed HTTP client built on sign() from lib/huawei/signer.ts and fetch.
 */
import { afterEach } from 'vitest';
import { sign } from '../../../lib/huawei/signer.ts';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../../tools/simulator/index.ts';

export const PROJECT = '0b3e2a0f9b00d4b52fbcc0105c9f1234';
export const OTHER_PROJECT = 'aaaabbbbccccddddeeeeffff00001111';
export const KEYS = { ak: 'QTWAOYTTINDUT2QVKYUC', sk: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc' };
export const T0 = Date.parse('2024-01-01T00:00:00Z');

export interface Clock {
  now: () => number;
  advance(ms: number): void;
}

export const createClock = (start = T0): Clock => {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
};

const running: Simulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

/** Starts a simulator with an injected clock; it is closed after the test. */
export const startTestSimulator = async (
  options: Partial<SimulatorOptions> = {},
): Promise<{ sim: Simulator; clock: Clock; client: Client }> => {
  const clock = createClock();
  const sim = await startSimulator({ credentials: [KEYS], now: clock.now, ...options });
  running.push(sim);
  return { sim, clock, client: createClient(sim, clock.now) };
};

export interface CallOptions {
  body?: string | Record<string, unknown>;
  credentials?: { ak: string; sk: string };
  /** When the request is signed; default the simulator clock's now. */
  signedAt?: Date;
  /** Bytes actually sent, when different from those signed. */
  sendBody?: string;
  /** Path and query actually sent, when different from those signed. */
  sendPath?: string;
  /** Edits the signed headers before sending. */
  tamper?: (headers: Record<string, string>) => void;
}

export interface Reply {
  status: number;
  /** The body as received ('' for a 204). */
  text: string;
  requestId: string | null;
  json: Record<string, unknown>;
}

export type Client = (method: string, path: string, options?: CallOptions) => Promise<Reply>;

export const createClient =
  (sim: Simulator, now: () => number): Client =>
  async (method, path, options = {}) => {
    const url = `${sim.url}${path}`;
    const body = typeof options.body === 'object' ? JSON.stringify(options.body) : (options.body ?? '');
    const headers = sign(
      { method, url, headers: { 'content-type': 'application/json', 'x-project-id': PROJECT }, body },
      options.credentials ?? KEYS,
      options.signedAt ?? new Date(now()),
    );
    options.tamper?.(headers);
    delete headers['host']; // fetch sends the same Host itself
    const sent = options.sendBody ?? body;
    const target = options.sendPath === undefined ? url : `${sim.url}${options.sendPath}`;
    const response = await fetch(target, { method, headers, ...(sent === '' ? {} : { body: sent }) });
    const text = await response.text();
    return {
      status: response.status,
      text,
      requestId: response.headers.get('x-request-id'),
      json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  };

export const errorCode = (reply: Reply): unknown => reply.json['error_code'];
