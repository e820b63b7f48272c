/**
 * Errors as RFC 9457 problem details (`application/problem+json`). What a client sees is chosen
 * here: a title, a detail written for it, and structured extras (validation issues). Never a stack
 * trace, never a secret.
 */
import type { HttpResponse } from './types.ts';

export const problem = (
  status: number,
  title: string,
  detail?: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): HttpResponse => ({
  statusCode: status,
  headers: { 'content-type': 'application/problem+json', ...headers },
  body: JSON.stringify({ type: 'about:blank', title, status, ...(detail ? { detail } : {}), ...extra }),
});
