/**
 * The CLI's calls to the dr-relay HTTP API (`/v1/requests`), signed with X-DR-Signature, and how
 * its problem+json answers read on a terminal.
 * Owns: building those requests and reading their answers. Must not touch: the signature scheme
 * (lib/http/signature.ts), where the API is (target.ts).
 */
import { signatureHeader } from '../lib/http/signature.ts';
import { isRecord } from '../lib/json.ts';
import { issueLines } from './format.ts';
import type { Target } from './target.ts';

/** Milliseconds before an API call is abandoned. */
export const API_TIMEOUT_MS = 30_000;

export interface ApiAnswer {
  readonly status: number;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
  readonly text: string;
}

/** A signed call: the signature covers `<t>.<body>` (the empty body for a GET). */
export const callApi = async (
  target: Target,
  method: 'GET' | 'POST',
  path: string,
  options: { body?: string; headers?: Record<string, string> } = {},
): Promise<ApiAnswer> => {
  const body = options.body ?? '';
  const t = Math.floor(Date.now() / 1000);
  const response = await fetch(`${target.api()}${path}`, {
    method,
    headers: {
      accept: 'application/json, application/problem+json',
      'x-dr-signature': signatureHeader(target.hmacSecret(), body, t, {
        method,
        path: new URL(path, 'http://x').pathname,
      }),
      ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(method === 'POST' ? { body } : {}),
    signal: AbortSignal.timeout(API_TIMEOUT_MS),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
};

export interface Problem {
  readonly status: number;
  readonly title: string;
  readonly detail?: string;
  readonly issues?: { path: string; message: string }[];
}

/** A refusal as an object (problem+json, or whatever the body was). */
export const problemOf = (answer: ApiAnswer): Problem => {
  const body = isRecord(answer.json) ? answer.json : {};
  const issues = Array.isArray(body['issues'])
    ? body['issues'].filter(isRecord).map((i) => ({ path: String(i['path']), message: String(i['message']) }))
    : undefined;
  const detail =
    typeof body['detail'] === 'string'
      ? body['detail']
      : answer.json === undefined && answer.text.trim() !== ''
        ? answer.text.trim().slice(0, 300)
        : typeof body['message'] === 'string'
          ? body['message']
          : undefined;
  return {
    status: answer.status,
    title: typeof body['title'] === 'string' ? body['title'] : `HTTP ${answer.status}`,
    ...(detail === undefined ? {} : { detail }),
    ...(issues && issues.length > 0 ? { issues } : {}),
  };
};

/** `HTTP 400 Invalid request: 2 invalid field(s)` and one line per issue. */
export const problemLines = (problem: Problem): string[] => [
  `HTTP ${problem.status} ${problem.title}${problem.detail ? `: ${problem.detail}` : ''}`,
  ...issueLines(problem.issues ?? []),
];
