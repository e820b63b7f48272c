/**
 * Errors of the alarm sources beyond ValidationError (which lib/errors.ts owns).
 * Owns: SmnFetchError, SmnRefusedError. Must not touch: how a handler answers (it decides on
 * `kind` and the class).
 */
import { DrRelayError, type Issue, ValidationError } from '../errors.ts';

/** `https://host/path` of a URL, without its query (subscribe tokens) or fragment. */
export const redactUrl = (url: string): string => {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(not a URL)';
  }
};

/**
 * An SMN URL (signing certificate, subscription confirmation) could not be reached: the request
 * threw, timed out or answered 408 / 429 / 5xx. Transient: answer 5xx so SMN delivers again,
 * rather than 4xx, which would drop a real alarm.
 */
export class SmnFetchError extends DrRelayError {
  /** Without its query string. */
  readonly url: string;
  readonly status: number | undefined;
  constructor(message: string, options: { url: string; status?: number; cause?: unknown }) {
    super(message, 'transient', { cause: options.cause });
    this.name = 'SmnFetchError';
    this.url = redactUrl(options.url);
    this.status = options.status;
  }
}

/**
 * A well-formed SMN delivery that dr-relay will not act on: a topic that is not ours (or no topic
 * allowed at all), a message too old or dated in the future. Permanent (SMN must not retry it);
 * answered 403 with `title`. A ValidationError, so whatever reports validation issues reports these.
 */
export class SmnRefusedError extends ValidationError {
  readonly title: string;
  constructor(title: string, issues: readonly Issue[]) {
    super(`${title}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
    this.name = 'SmnRefusedError';
    this.title = title;
  }
}
