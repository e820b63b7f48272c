/**
 * AK/SK verification as Huawei's API gateway does it (SDK-HMAC-SHA256), written on its own from
 * the published algorithm (shared/design/huawei-apis.md, the Go SDK's core/auth/signer/signer.go):
 * parse the Authorization header, look up the SK, check X-Sdk-Date is signed and within 15
 * minutes, recompute the canonical request from what was received (method, path, query, the
 * headers the client says it signed, the exact body bytes) and compare in constant time.
 * Any SignedHeaders set is accepted as long as it includes x-sdk-date: the Go SDK signs only
 * `x-project-id;x-sdk-date` (no host), the Node and Java SDKs add content-type and host.
 * Owns: the accept/refuse decision and the APIGW.0301 message (it echoes the server's canonical
 * request with `|` for newlines, as the gateway does).
 * Must not import lib/huawei/signer.ts: this is the independent reading the project's signer is
 * checked against.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export type AuthResult = { ok: true; ak: string } | { ok: false; message: string };

export interface AuthInput {
  method: string;
  /** The request target as received (path and query, still percent-encoded). */
  path: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as received. */
  rawBody: Buffer | string;
  /** AK -> SK. */
  credentials: ReadonlyMap<string, string>;
  now: number;
}

const ALGORITHM = 'SDK-HMAC-SHA256';
const MAX_SKEW_MS = 15 * 60 * 1000;
const AUTHORIZATION =
  /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)$/;
const SDK_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

const refuse = (detail: string): AuthResult => ({
  ok: false,
  message: `Incorrect IAM authentication information: ${detail}`,
});

const headerValue = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

/** Milliseconds since the epoch of a `YYYYMMDDTHHmmssZ` date, or undefined when malformed. */
export const parseSdkDate = (value: string): number | undefined => {
  const m = SDK_DATE.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return new Date(ms).getUTCDate() === d && h < 24 && mi < 60 && s < 60 ? ms : undefined;
};

/** The gateway's escaping: A-Z a-z 0-9 `-` `_` `.` `~` kept, every other byte `%XX` upper-case. */
export const percentEncode = (text: string): string => {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
};

/** Percent-decoding that throws on a malformed escape (the request is then refused). */
const percentDecode = (text: string, plusIsSpace: boolean): string =>
  decodeURIComponent(plusIsSpace ? text.replaceAll('+', ' ') : text);

/** Each segment decoded then escaped, a `/` always appended. */
export const canonicalUri = (rawPath: string): string => {
  const uri = rawPath
    .split('/')
    .map((segment) => percentEncode(percentDecode(segment, false)))
    .join('/');
  return uri.endsWith('/') ? uri : `${uri}/`;
};

/** Keys sorted by byte order, each key's values sorted, `k=v` joined by `&`, `k=` for no value. */
export const canonicalQueryString = (rawQuery: string): string => {
  const byKey = new Map<string, string[]>();
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const name = percentEncode(percentDecode(at < 0 ? pair : pair.slice(0, at), true));
    const value = percentEncode(percentDecode(at < 0 ? '' : pair.slice(at + 1), true));
    byKey.set(name, [...(byKey.get(name) ?? []), value]);
  }
  const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return [...byKey.keys()]
    .sort(byteOrder)
    .flatMap((name) => (byKey.get(name) ?? []).sort(byteOrder).map((value) => `${name}=${value}`))
    .join('&');
};

const hexSha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

const sameHex = (expected: string, received: string): boolean => {
  const left = Buffer.from(expected, 'utf8');
  const right = Buffer.from(received.toLowerCase(), 'utf8');
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

  const signedNames = signedList.split(';').map((name) => name.toLowerCase());
  if (signedNames.some((name) => !HEADER_NAME.test(name))) {
    return refuse('SignedHeaders is malformed.');
  }
  if (!signedNames.includes('x-sdk-date')) return refuse('SignedHeaders must include x-sdk-date.');
  const signedValues: string[] = [];
  for (const name of signedNames) {
    const value = headerValue(input.headers, name);
    if (value === undefined) return refuse(`signed header ${name} is missing.`);
    signedValues.push(value.trim());
  }

  const date = headerValue(input.headers, 'x-sdk-date')?.trim() ?? '';
  const dateMs = parseSdkDate(date);
  if (dateMs === undefined) return refuse(`X-Sdk-Date ${date} is not in the format YYYYMMDDTHHmmssZ.`);
  if (Math.abs(dateMs - input.now) > MAX_SKEW_MS) {
    return refuse(
      `the request time X-Sdk-Date ${date} differs from the server time by more than 15 minutes.`,
    );
  }

  const target = input.path.startsWith('/') ? input.path : `/${input.path}`;
  const at = target.indexOf('?');
  let uri: string;
  let query: string;
  try {
    uri = canonicalUri(at < 0 ? target : target.slice(0, at));
    query = canonicalQueryString(at < 0 ? '' : target.slice(at + 1));
  } catch {
    return refuse('the request URI cannot be canonicalized.');
  }
  const canonical = [
    input.method.toUpperCase(),
    uri,
    query,
    signedNames.map((name, i) => `${name}:${signedValues[i]}\n`).join(''),
    signedNames.join(';'),
    hexSha256(input.rawBody),
  ].join('\n');
  const stringToSign = `${ALGORITHM}\n${date}\n${hexSha256(canonical)}`;
  const expected = createHmac('sha256', sk).update(stringToSign, 'utf8').digest('hex');
  if (!sameHex(expected, received)) {
    return refuse(`verify aksk signature fail, canonicalRequest: ${canonical.replaceAll('\n', '|')}`);
  }
  return { ok: true, ak };
};
