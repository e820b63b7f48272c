/**
 * Verifies SMN message signatures: fetches the X.509 certificate at `signing_cert_url` (only from
 * an allowed SMN URL of a known region, checked before anything is fetched), caches it per URL
 * (failures too, briefly; concurrent fetches of one URL are one fetch; one fetch at a time per host),
 * checks its validity dates and the RSA-SHA256 (PKCS#1 v1.5) signature over smnStringToSign(message).
 * Owns: the certificate cache and the verification. Must not touch: envelopes and URL rules
 * (smn.ts), what a verified delivery does (smnDelivery.ts), the network (fetch is injected).
 */
import { constants, type KeyObject, verify, X509Certificate } from 'node:crypto';
import { SmnFetchError } from './errors.ts';
import { invalid } from './issues.ts';
import { isAllowedSmnUrl, lineBreakIssues, type SmnMessage, smnStringToSign } from './smn.ts';

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
  /** Clock for the cache and the certificate's validity dates, epoch ms. */
  readonly now?: () => number;
  /** How long a fetched certificate is reused; default 1 h. */
  readonly cacheMs?: number;
  /** How long a failed fetch (any failure) is remembered and answered again without fetching; default 60 s. */
  readonly failureCacheMs?: number;
}

const ONE_HOUR_MS = 3_600_000;
const ONE_MINUTE_MS = 60_000;
/** Bounds the cache: certificates are few; distinct allowed URLs beyond this evict the oldest. */
const MAX_CACHED_CERTIFICATES = 64;
const WHAT = 'SMN message signature';

/** 408, 429 and 5xx: the certificate host may answer next time. */
export const isRetryableStatus = (status: number): boolean =>
  status === 408 || status === 429 || status >= 500;

interface Certificate {
  readonly key: KeyObject;
  readonly validFrom: number;
  readonly validTo: number;
}

/** `X509Certificate.validFrom` is `Sep  9 00:00:00 2020 GMT`; Date.parse reads it, NaN otherwise. */
const dateOf = (text: string): number => Date.parse(text);

export class SmnVerifier {
  readonly #fetch: SmnFetch;
  readonly #now: () => number;
  readonly #cacheMs: number;
  readonly #failureCacheMs: number;
  /** Per URL: the certificate, in flight (shared by every caller) or settled; a failure is kept briefly. */
  readonly #cache = new Map<string, { expires: number; certificate: Promise<Certificate> }>();
  /** Per host: the last fetch (one at a time), and until when the host is known unreachable. */
  readonly #hosts = new Map<string, { last: Promise<unknown>; downUntil: number }>();

  constructor(options: SmnVerifierOptions) {
    this.#fetch = options.fetch;
    this.#now = options.now ?? Date.now;
    this.#cacheMs = options.cacheMs ?? ONE_HOUR_MS;
    this.#failureCacheMs = options.failureCacheMs ?? ONE_MINUTE_MS;
  }

  /**
   * Resolves when `message` carries a valid SMN signature. Throws ValidationError (permanent) for a
   * signature version other than v1, a line break in a signed field other than `message`, a
   * signing_cert_url that is not an allowed SMN `.pem` URL of a known region (nothing is fetched
   * then), a certificate answered with 4xx, not parsable or outside its validity dates, or a
   * signature that does not verify; SmnFetchError (transient) when the certificate host cannot be
   * reached. A failed fetch is answered again, without fetching, for `failureCacheMs`.
   */
  async verify(message: SmnMessage): Promise<void> {
    if (typeof message.signature_version !== 'string' || message.signature_version.toLowerCase() !== 'v1') {
      throw invalid(WHAT, [{ path: 'signature_version', message: 'must be "v1"' }]);
    }
    const lineBreaks = lineBreakIssues(message);
    if (lineBreaks.length > 0) throw invalid(WHAT, lineBreaks);
    if (!isAllowedSmnUrl(message.signing_cert_url, 'cert')) {
      throw invalid(WHAT, [
        {
          path: 'signing_cert_url',
          message:
            'must be an https://smn.<region>.myhuaweicloud.com/...pem URL of a known Huawei Cloud region (not fetched)',
        },
      ]);
    }
    const certificate = await this.#certificate(new URL(message.signing_cert_url).href);
    const now = this.#now();
    if (!(certificate.validFrom <= now && now <= certificate.validTo)) {
      const when = (ms: number) => (Number.isNaN(ms) ? 'unknown' : new Date(ms).toISOString());
      throw invalid(WHAT, [
        {
          path: 'signing_cert_url',
          message: `certificate is not valid now (valid from ${when(certificate.validFrom)} to ${when(certificate.validTo)})`,
        },
      ]);
    }
    let valid = false;
    try {
      valid = verify(
        'sha256',
        Buffer.from(smnStringToSign(message), 'utf8'),
        { key: certificate.key, padding: constants.RSA_PKCS1_PADDING },
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

  #certificate(url: string): Promise<Certificate> {
    const now = this.#now();
    const cached = this.#cache.get(url);
    if (cached && cached.expires > now) return cached.certificate;
    this.#cache.delete(url);
    if (this.#cache.size >= MAX_CACHED_CERTIFICATES) {
      const oldest = this.#cache.keys().next();
      if (!oldest.done) this.#cache.delete(oldest.value);
    }
    const certificate = this.#load(url);
    const entry = { expires: Number.POSITIVE_INFINITY, certificate };
    this.#cache.set(url, entry);
    // In flight: shared by every caller. Settled: kept for cacheMs, or failureCacheMs after a failure.
    certificate.then(
      () => {
        entry.expires = this.#now() + this.#cacheMs;
      },
      () => {
        entry.expires = this.#now() + this.#failureCacheMs;
      },
    );
    return certificate;
  }

  /**
   * One fetch at a time per host; a host that could not be reached (time-out, network error, 408,
   * 429, 5xx) is not asked again for failureCacheMs, whichever URL a message names on it.
   */
  async #load(url: string): Promise<Certificate> {
    const host = new URL(url).host;
    const state = this.#hosts.get(host) ?? { last: Promise.resolve(), downUntil: 0 };
    this.#hosts.set(host, state);
    const previous = state.last;
    const fetched = previous.then(
      () => this.#fetchFrom(url, state),
      () => this.#fetchFrom(url, state),
    );
    state.last = fetched.catch(() => undefined);
    return fetched;
  }

  async #fetchFrom(url: string, host: { downUntil: number }): Promise<Certificate> {
    if (host.downUntil > this.#now()) {
      throw new SmnFetchError(
        'SMN signing certificate host was unreachable moments ago (not asked again yet)',
        {
          url,
        },
      );
    }
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
      host.downUntil = this.#now() + this.#failureCacheMs;
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
    return {
      key: certificate.publicKey,
      validFrom: dateOf(certificate.validFrom),
      validTo: dateOf(certificate.validTo),
    };
  }
}
