/**
 * Verifies SMN message signatures: fetches the X.509 certificate at `signing_cert_url` (only from
 * an allowed SMN URL, checked before anything is fetched), caches it per URL, and checks the
 * RSA-SHA256 (PKCS#1 v1.5) signature over smnStringToSign(message).
 * Owns: the certificate cache and the verification. Must not touch: envelopes and URL rules
 * (smn.ts), what a verified delivery does (smnDelivery.ts), the network (fetch is injected).
 */
import { constants, type KeyObject, verify, X509Certificate } from 'node:crypto';
import { SmnFetchError } from './errors.ts';
import { invalid } from './issues.ts';
import { isAllowedSmnUrl, type SmnMessage, smnStringToSign } from './smn.ts';

/** What dr-relay needs of `fetch` (the global one satisfies it; tests inject a stub). */
export type SmnFetch = (url: string) => Promise<{ status: number; text(): Promise<string> }>;

/**
 * The production SmnFetch: global fetch that never follows a redirect (a redirect could lead off
 * the allowed host; a 3xx is returned as is) and gives up after `timeoutMs` (SMN waits 5 s).
 */
export const createSmnFetch =
  (timeoutMs = 3000): SmnFetch =>
  (url) =>
    fetch(url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });

/** The certificate fetch pinned to one PEM file (DR_SMN_CERT_FILE): every allowed URL answers it. */
export const pinnedSmnFetch = (pem: string): SmnFetch => {
  return async () => ({ status: 200, text: async () => pem });
};

export interface SmnVerifierOptions {
  readonly fetch: SmnFetch;
  /** Clock for the cache, epoch ms. */
  readonly now?: () => number;
  /** How long a fetched certificate is reused; default 1 h. */
  readonly cacheMs?: number;
}

const ONE_HOUR_MS = 3_600_000;
/** Bounds the cache: certificates are few; distinct allowed URLs beyond this evict the oldest. */
const MAX_CACHED_CERTIFICATES = 16;
const WHAT = 'SMN message signature';

/** 408, 429 and 5xx: the certificate host may answer next time. */
export const isRetryableStatus = (status: number): boolean =>
  status === 408 || status === 429 || status >= 500;

export class SmnVerifier {
  readonly #fetch: SmnFetch;
  readonly #now: () => number;
  readonly #cacheMs: number;
  readonly #cache = new Map<string, { expires: number; key: Promise<KeyObject> }>();

  constructor(options: SmnVerifierOptions) {
    this.#fetch = options.fetch;
    this.#now = options.now ?? Date.now;
    this.#cacheMs = options.cacheMs ?? ONE_HOUR_MS;
  }

  /**
   * Resolves when `message` carries a valid SMN signature. Throws ValidationError (permanent) for a
   * signature version other than v1, a signing_cert_url that is not an allowed SMN `.pem` URL
   * (nothing is fetched then), a certificate answered with 4xx or not parsable, or a signature that
   * does not verify; SmnFetchError (transient) when the certificate host cannot be reached.
   */
  async verify(message: SmnMessage): Promise<void> {
    if (typeof message.signature_version !== 'string' || message.signature_version.toLowerCase() !== 'v1') {
      throw invalid(WHAT, [{ path: 'signature_version', message: 'must be "v1"' }]);
    }
    if (!isAllowedSmnUrl(message.signing_cert_url, 'cert')) {
      throw invalid(WHAT, [
        {
          path: 'signing_cert_url',
          message: 'must be an https://smn.<region>.myhuaweicloud.com/...pem URL (not fetched)',
        },
      ]);
    }
    const key = await this.#publicKey(new URL(message.signing_cert_url).href);
    let valid = false;
    try {
      valid = verify(
        'sha256',
        Buffer.from(smnStringToSign(message), 'utf8'),
        { key, padding: constants.RSA_PKCS1_PADDING },
        Buffer.from(message.signature, 'base64'),
      );
    } catch {
      valid = false;
    }
    if (!valid) {
      throw invalid(WHAT, [
        { path: 'signature', message: 'does not verify against the SMN signing certificate' },
      ]);
    }
  }

  #publicKey(url: string): Promise<KeyObject> {
    const now = this.#now();
    const cached = this.#cache.get(url);
    if (cached && cached.expires > now) return cached.key;
    this.#cache.delete(url);
    if (this.#cache.size >= MAX_CACHED_CERTIFICATES) {
      const oldest = this.#cache.keys().next();
      if (!oldest.done) this.#cache.delete(oldest.value);
    }
    const key = this.#load(url);
    this.#cache.set(url, { expires: now + this.#cacheMs, key });
    // A failure is not cached: the next message tries again.
    key.catch(() => {
      if (this.#cache.get(url)?.key === key) this.#cache.delete(url);
    });
    return key;
  }

  async #load(url: string): Promise<KeyObject> {
    let response: Awaited<ReturnType<SmnFetch>>;
    let text: string;
    try {
      response = await this.#fetch(url);
      if (isRetryableStatus(response.status)) {
        throw new SmnFetchError(`SMN signing certificate answered HTTP ${response.status}`, {
          url,
          status: response.status,
        });
      }
      text = response.status === 200 ? await response.text() : '';
    } catch (error) {
      if (error instanceof SmnFetchError) throw error;
      throw new SmnFetchError('SMN signing certificate could not be fetched', { url, cause: error });
    }
    if (response.status !== 200) {
      throw invalid(WHAT, [
        { path: 'signing_cert_url', message: `certificate could not be fetched (HTTP ${response.status})` },
      ]);
    }
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(text);
    } catch {
      throw invalid(WHAT, [{ path: 'signing_cert_url', message: 'is not an X.509 certificate (PEM)' }]);
    }
    if (certificate.publicKey.asymmetricKeyType !== 'rsa') {
      throw invalid(WHAT, [{ path: 'signing_cert_url', message: 'certificate key is not RSA' }]);
    }
    return certificate.publicKey;
  }
}
