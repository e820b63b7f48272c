/**
 * AK/SK verification as Huawei's API gateway does it (SDK-HMAC-SHA256): parse the Authorization
 * header, look up the SK, check X-Sdk-Date is within 15 minutes, recompute the canonical request
 * from the received method, Host, path, signed headers and exact body, compare in constant time.
 * Owns: the accept/refuse decision and the APIGW.0301 message. Uses lib/huawei/signer.ts unchanged.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { canonicalRequest, signature } from '../../lib/huawei/signer.ts';

export type AuthResult = { ok: true; ak: string } | { ok: false; message: string };

export interface AuthInput {
  method: string;
  /** The request target as received (path and query). */
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** AK -> SK. */
  credentials: ReadonlyMap<string, string>;
  now: number;
}

const MAX_SKEW_MS = 15 * 60 * 1000;
const AUTHORIZATION =
  /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)$/i;
const SDK_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

const refuse = (detail: string): AuthResult => ({
  ok: false,
  message: `Incorrect IAM authentication information: ${detail}`,
});

const headerValue = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};

/** Milliseconds since the epoch of a `YYYYMMDDTHHmmssZ` date, or undefined when malformed. */
export const parseSdkDate = (value: string): number | undefined => {
  const m = SDK_DATE.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return new Date(ms).getUTCDate() === d && h < 24 && mi < 60 && s < 60 ? ms : undefined;
};

const sameText = (a: string, b: string): boolean => {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
};

export const verifyRequest = (input: AuthInput): AuthResult => {
  const authorization = headerValue(input.headers, 'authorization');
  if (!authorization) return refuse('Authorization not found.');
  const parsed = AUTHORIZATION.exec(authorization.trim());
  if (!parsed) return refuse('Authorization header is malformed.');
  const [, ak = '', signedList = '', received = ''] = parsed;
  const sk = input.credentials.get(ak);
  if (sk === undefined) return refuse(`ak ${ak} does not exist.`);

  const signedNames = signedList.toLowerCase().split(';');
  if (!signedNames.includes('host') || !signedNames.includes('x-sdk-date')) {
    return refuse('SignedHeaders must include host and x-sdk-date.');
  }
  const signed: Record<string, string> = {};
  for (const name of signedNames) {
    const value = headerValue(input.headers, name);
    if (value === undefined) return refuse(`signed header ${name} is missing.`);
    signed[name] = value;
  }

  const date = signed['x-sdk-date']!.trim();
  const dateMs = parseSdkDate(date);
  if (dateMs === undefined) return refuse(`X-Sdk-Date ${date} is not in the format YYYYMMDDTHHmmssZ.`);
  if (Math.abs(dateMs - input.now) > MAX_SKEW_MS) {
    return refuse(
      `the request time X-Sdk-Date ${date} differs from the server time by more than 15 minutes.`,
    );
  }

  let canonical: string;
  try {
    canonical = canonicalRequest(
      input.method,
      `http://${signed['host']}${input.path}`,
      signed,
      input.rawBody,
    ).canonical;
  } catch {
    return refuse('the request URI cannot be canonicalized.');
  }
  if (!sameText(signature(canonical, date, sk), received.toLowerCase())) {
    return refuse(`verify aksk signature fail, canonicalRequest: ${canonical.replaceAll('\n', '|')}`);
  }
  return { ok: true, ak };
};
