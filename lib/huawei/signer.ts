/**
 * Huawei Cloud AK/SK request signing (SDK-HMAC-SHA256), on node:crypto only.
 * Owns: the canonical request, the string to sign, the Authorization header.
 * Must not touch: the network, credentials storage, retries.
 * Proven against the published vectors in test/huawei/signer.test.ts.
 */
import { createHash, createHmac } from 'node:crypto';

export const ALGORITHM = 'SDK-HMAC-SHA256';

export interface Credentials {
  readonly ak: string;
  readonly sk: string;
  readonly securityToken?: string;
}

export interface SignableRequest {
  readonly method: string;
  /** Absolute URL, query included. */
  readonly url: string;
  /** Headers to sign besides Host and X-Sdk-Date (names in any case). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const sha256Hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');

/** RFC 3986 encoding: unreserved characters kept, everything else %XX upper-case. */
export const uriEncode = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** UTC `YYYYMMDDTHHmmssZ`. */
export const sdkDate = (date: Date): string =>
  date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

const canonicalUri = (pathname: string): string => {
  const segments = pathname.split('/').map((s) => uriEncode(decodeURIComponent(s)));
  const path = segments.join('/');
  return path.endsWith('/') ? path : `${path}/`;
};

const canonicalQuery = (params: URLSearchParams): string => {
  const byKey = new Map<string, string[]>();
  for (const [key, value] of params) byKey.set(key, [...(byKey.get(key) ?? []), value]);
  return [...byKey.keys()]
    .sort()
    .flatMap((key) => (byKey.get(key) ?? []).sort().map((value) => `${uriEncode(key)}=${uriEncode(value)}`))
    .join('&');
};

/** The canonical request for `request` over the given headers (lower-case names, values trimmed). */
export const canonicalRequest = (
  method: string,
  url: string,
  headers: Readonly<Record<string, string>>,
  body: string,
): { canonical: string; signedHeaders: string } => {
  const { pathname, searchParams } = new URL(url);
  const lower = Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v.trim()] as const);
  lower.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const signedHeaders = lower.map(([k]) => k).join(';');
  const canonical = [
    method.toUpperCase(),
    canonicalUri(pathname),
    canonicalQuery(searchParams),
    lower.map(([k, v]) => `${k}:${v}\n`).join(''),
    signedHeaders,
    sha256Hex(body),
  ].join('\n');
  return { canonical, signedHeaders };
};

/** Hex HMAC-SHA256 signature over the string to sign of a canonical request. */
export const signature = (canonical: string, date: string, sk: string): string =>
  createHmac('sha256', sk)
    .update(`${ALGORITHM}\n${date}\n${sha256Hex(canonical)}`, 'utf8')
    .digest('hex');

/**
 * Returns the headers to send: the request's own, plus Host, X-Sdk-Date, Authorization
 * (and X-Security-Token for temporary credentials). Host and X-Sdk-Date are always signed.
 */
export const sign = (
  request: SignableRequest,
  credentials: Credentials,
  now: Date = new Date(),
): Record<string, string> => {
  const date = sdkDate(now);
  const toSign: Record<string, string> = {
    ...request.headers,
    host: new URL(request.url).host,
    'x-sdk-date': date,
    ...(credentials.securityToken ? { 'x-security-token': credentials.securityToken } : {}),
  };
  const { canonical, signedHeaders } = canonicalRequest(request.method, request.url, toSign, request.body);
  const sig = signature(canonical, date, credentials.sk);
  return {
    ...toSign,
    authorization: `${ALGORITHM} Access=${credentials.ak}, SignedHeaders=${signedHeaders}, Signature=${sig}`,
  };
};
