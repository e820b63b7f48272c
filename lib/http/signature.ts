/**
 * The X-DR-Signature scheme that signs `/v1/requests`:
 *   `X-DR-Signature: t=<unix seconds>,v2=<hex hmac_sha256(secret, "<t>.<METHOD>.<path>.<raw body>")>`
 *   (legacy: `v1=<hex hmac_sha256(secret, "<t>.<raw body>")>`, which covers neither method nor path)
 * v2 binds a signature to one request: a captured GET of one request id cannot read another.
 * GET requires v2; POST accepts v1 or v2 while clients migrate.
 * Several `v1=`/`v2=` may be sent (rotation on the sender's side) and several secrets may be
 * configured (rotation on ours); parts come in any order, whitespace around them is tolerated,
 * unknown schemes (`v0=`, `v3=`…) are ignored so senders can add one before we accept it.
 * Owns: producing and verifying the header, in constant time against every (secret, v1) pair.
 * Must not touch: where secrets come from (configuration), HTTP answers (the route), logging.
 * No secret ever appears in a result.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** A timestamp further than this from now (either way) is refused: a captured request cannot be replayed. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;
/** More `v1=` values than this is not rotation; the header is refused as malformed (bounds the work). */
export const MAX_SIGNATURES = 16;

export type SignatureFailure =
  | 'missing'
  | 'malformed'
  | 'stale'
  | 'future'
  | 'mismatch'
  | 'v2_required'
  | 'no_secrets';

/** What a v2 signature covers besides the timestamp and body; `v1` says whether the legacy scheme is accepted. */
export interface SignedScope {
  readonly method: string;
  readonly path: string;
  readonly v1: boolean;
}
export type SignatureVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: SignatureFailure };

const TIMESTAMP = /^\d{1,15}$/;
/** The largest t the verifier reads (15 digits): never sign what cannot be verified. */
const MAX_TIMESTAMP = 999_999_999_999_999;
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9_-]*$/;

const mac = (secret: string, t: string, body: string): Buffer =>
  createHmac('sha256', secret).update(`${t}.`, 'utf8').update(body, 'utf8').digest();

const mac2 = (secret: string, t: string, method: string, path: string, body: string): Buffer =>
  createHmac('sha256', secret)
    .update(`${t}.${method.toUpperCase()}.${path}.`, 'utf8')
    .update(body, 'utf8')
    .digest();

/**
 * The header a sender puts on a request whose raw body is `body`, signed at `t` (unix seconds):
 * v2 over the method and path when `request` is given (always, for new senders), else legacy v1.
 */
export const signatureHeader = (
  secret: string,
  body: string,
  t: number,
  request?: { readonly method: string; readonly path: string },
): string => {
  if (!Number.isSafeInteger(t) || t < 0 || t > MAX_TIMESTAMP)
    throw new RangeError('t must be a non-negative integer of at most 15 digits (unix seconds)');
  return request
    ? `t=${t},v2=${mac2(secret, String(t), request.method, request.path, body).toString('hex')}`
    : `t=${t},v1=${mac(secret, String(t), body).toString('hex')}`;
};

interface ParsedHeader {
  readonly t: string;
  readonly signatures: readonly Buffer[];
  readonly v2: readonly Buffer[];
}

const parse = (header: string): ParsedHeader | undefined => {
  let t: string | undefined;
  const signatures: Buffer[] = [];
  const v2: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name === 't') {
      if (t !== undefined || !TIMESTAMP.test(value)) return undefined;
      t = value;
    } else if (name === 'v1' || name === 'v2') {
      if (!HEX_SHA256.test(value) || signatures.length + v2.length >= MAX_SIGNATURES) return undefined;
      (name === 'v1' ? signatures : v2).push(Buffer.from(value, 'hex'));
    } else if (!SCHEME.test(name)) {
      return undefined;
    }
  }
  return t === undefined || signatures.length + v2.length === 0 ? undefined : { t, signatures, v2 };
};

/**
 * Verifies `header` for the raw `body` at `nowSeconds`. Every (secret, v1) pair is compared with
 * timingSafeEqual on 32-byte buffers, without stopping at a match, so neither which secret nor
 * which v1 matched leaks through timing. Never throws.
 */
export const verifySignature = (
  header: string | undefined,
  body: string,
  secrets: readonly string[],
  nowSeconds: number,
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
  /** The request a v2 signature must cover; without it only v1 is read (legacy callers). */
  scope?: SignedScope,
): SignatureVerdict => {
  if (typeof header !== 'string' || header.trim() === '') return { ok: false, reason: 'missing' };
  const parsed = parse(header);
  if (!parsed) return { ok: false, reason: 'malformed' };
  const v1Accepted = scope === undefined || scope.v1;
  if (!v1Accepted && parsed.v2.length === 0) return { ok: false, reason: 'v2_required' };
  if (scope === undefined && parsed.signatures.length === 0) return { ok: false, reason: 'malformed' };
  const usable = secrets.filter((s) => typeof s === 'string' && s.length > 0);
  if (usable.length === 0) return { ok: false, reason: 'no_secrets' };
  const t = Number(parsed.t);
  if (nowSeconds - t > toleranceSeconds) return { ok: false, reason: 'stale' };
  if (t - nowSeconds > toleranceSeconds) return { ok: false, reason: 'future' };
  let matched = false;
  for (const secret of usable) {
    if (v1Accepted) {
      const expected = mac(secret, parsed.t, body);
      for (const presented of parsed.signatures) matched = timingSafeEqual(expected, presented) || matched;
    }
    if (scope) {
      const expected = mac2(secret, parsed.t, scope.method, scope.path, body);
      for (const presented of parsed.v2) matched = timingSafeEqual(expected, presented) || matched;
    }
  }
  return matched ? { ok: true } : { ok: false, reason: 'mismatch' };
};
