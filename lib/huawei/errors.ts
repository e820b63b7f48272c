/**
 * Errors of Huawei Cloud API calls: what phase a call failed in, and what Huawei answered.
 * Owns: parsing Huawei error bodies and mapping an HTTP status / error code to an error kind.
 * Must not touch: the network, signing, retries (the caller decides on `kind`, `phase`, `errorCode`).
 * Secrets never enter an error: echoed security tokens and Authorization values are redacted.
 */
import { DrRelayError, type ErrorKind } from '../errors.ts';
import { isRecord } from '../json.ts';

/**
 * - before_send: the request was not (completely) written; nothing can have happened remotely.
 * - after_send: the request was written but no complete response came back; it may have taken effect.
 * - response: Huawei answered with a non-2xx status.
 */
export type CallPhase = 'before_send' | 'after_send' | 'response';

export interface HuaweiApiErrorDetails {
  readonly phase: CallPhase;
  readonly httpStatus?: number;
  readonly errorCode?: string;
  readonly errorMsg?: string;
  readonly requestId?: string;
  readonly retryAfterMs?: number;
}

export interface HuaweiApiErrorJson extends HuaweiApiErrorDetails {
  readonly name: string;
  readonly kind: ErrorKind;
  readonly message: string;
}

export class HuaweiApiError extends DrRelayError {
  readonly phase: CallPhase;
  readonly httpStatus?: number;
  /** e.g. `DWS.0011`, `APIGW.0301`. */
  readonly errorCode?: string;
  readonly errorMsg?: string;
  /** The `X-Request-Id` response header, else the body's `request_id`. */
  readonly requestId?: string;
  readonly retryAfterMs?: number;

  constructor(
    message: string,
    kind: ErrorKind,
    details: HuaweiApiErrorDetails,
    options?: { cause?: unknown },
  ) {
    super(message, kind, options);
    this.name = 'HuaweiApiError';
    this.phase = details.phase;
    if (details.httpStatus !== undefined) this.httpStatus = details.httpStatus;
    if (details.errorCode !== undefined) this.errorCode = details.errorCode;
    if (details.errorMsg !== undefined) this.errorMsg = details.errorMsg;
    if (details.requestId !== undefined) this.requestId = details.requestId;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }

  /** For dead letters and logs. The cause is left out on purpose. */
  toJSON(): HuaweiApiErrorJson {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      phase: this.phase,
      ...(this.httpStatus !== undefined ? { httpStatus: this.httpStatus } : {}),
      ...(this.errorCode !== undefined ? { errorCode: this.errorCode } : {}),
      ...(this.errorMsg !== undefined ? { errorMsg: this.errorMsg } : {}),
      ...(this.requestId !== undefined ? { requestId: this.requestId } : {}),
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
    };
  }
}

/** Throttling answered by the API gateway: retry after 2-5 s. */
const THROTTLED_CODES: ReadonlySet<string> = new Set(['APIGW.0308', 'APIG.0308']);
export const DEFAULT_THROTTLE_RETRY_AFTER_MS = 3000;
/** Cap of a non-JSON (or unrecognised) error body kept as errorMsg. */
export const MAX_TEXT_ERROR_MSG = 500;
/** Cap of a JSON error_msg (APIGW.0301 echoes a whole canonical request: keep it). */
const MAX_JSON_ERROR_MSG = 4000;

const truncate = (text: string, max: number): string =>
  text.length > max ? `${text.slice(0, max)}...` : text;

/**
 * Removes secrets from text that came back from the server: an echoed `x-security-token` header,
 * an Authorization value or signature, and any of the given literal secrets.
 */
export const redactSecrets = (text: string, secrets: readonly string[] = []): string => {
  let out = text
    .replace(/(x-security-token\s*[:=]\s*)[^|\s"',;]+/gi, '$1[REDACTED]')
    .replace(/SDK-HMAC-SHA256\s+Access=[^|\n"]*/g, '[REDACTED AUTHORIZATION]')
    .replace(/Signature=[0-9a-fA-F]*/g, '[REDACTED SIGNATURE]');
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join('[REDACTED]');
  }
  return out;
};

export const headerValue = (
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined && first !== '') return first;
  }
  return undefined;
};

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
const retryAfterOf = (headers: Record<string, string | string[] | undefined>): number | undefined => {
  const raw = headerValue(headers, 'retry-after')?.trim();
  if (raw === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
};

const asText = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;

interface ParsedBody {
  readonly code?: string;
  readonly msg?: string;
  readonly extMsg?: string;
  readonly requestId?: string;
}

/** Reads the error body shapes Huawei services use; anything else is kept as (truncated) text. */
const parseErrorBody = (rawBody: string): ParsedBody => {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    const text = rawBody.trim();
    return text === '' ? {} : { msg: truncate(text, MAX_TEXT_ERROR_MSG) };
  }
  if (isRecord(json)) {
    const requestId = asText(json['request_id']);
    const withId = requestId !== undefined ? { requestId } : {};
    const code = asText(json['error_code']);
    const msg = asText(json['error_msg']);
    if (code !== undefined || msg !== undefined) {
      const extMsg = asText(json['error_ext_msg']);
      return {
        ...withId,
        ...(code !== undefined ? { code } : {}),
        ...(msg !== undefined ? { msg: truncate(msg, MAX_JSON_ERROR_MSG) } : {}),
        ...(extMsg ? { extMsg: truncate(extMsg, MAX_JSON_ERROR_MSG) } : {}),
      };
    }
    const nested = json['error'];
    const inner = isRecord(nested) ? nested : json;
    const innerCode = asText(inner['code']) ?? asText(inner['error_code']);
    const innerMsg = asText(inner['message']) ?? asText(inner['error_msg']);
    if (innerCode !== undefined || innerMsg !== undefined) {
      const innerId = requestId ?? asText(inner['request_id']);
      return {
        ...(innerId !== undefined ? { requestId: innerId } : {}),
        ...(innerCode !== undefined ? { code: innerCode } : {}),
        ...(innerMsg !== undefined ? { msg: truncate(innerMsg, MAX_JSON_ERROR_MSG) } : {}),
      };
    }
    return { ...withId, msg: truncate(rawBody.trim(), MAX_TEXT_ERROR_MSG) };
  }
  const text = rawBody.trim();
  return text === '' ? {} : { msg: truncate(text, MAX_TEXT_ERROR_MSG) };
};

/** Methods that change nothing: a server error on them is simply retried. */
const READ_ONLY_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

/**
 * 429 and 503 are refusals: nothing happened, retry later. A 500 or 502 is not proof that nothing
 * happened: services answer 500 from inside (DWS.0005, DCS.5092, CSBS.9999) and the gateway's 502
 * (APIG.0201/APIG.0202) can follow a request the backend already received. So on an effectful call
 * they are ambiguous (reconcile by reading the state before any second call), like a 504 gateway
 * time-out; on a state read (GET) they are transient.
 */
const kindOf = (status: number, code: string | undefined, method: string | undefined): ErrorKind => {
  if (status === 429 || (code !== undefined && THROTTLED_CODES.has(code))) return 'transient';
  if (status === 503) return 'transient';
  const readOnly = method !== undefined && READ_ONLY_METHODS.has(method.toUpperCase());
  if (status === 500 || status === 502) return readOnly ? 'transient' : 'ambiguous';
  if (status === 504) return readOnly ? 'transient' : 'ambiguous';
  return 'permanent';
};

export interface ResponseErrorContext {
  /** HTTP method, for the message. */
  readonly method?: string;
  /** URL path (no query), for the message. */
  readonly path?: string;
  /** Literal values to redact from anything taken from the body (e.g. SK, security token). */
  readonly secrets?: readonly string[];
}

/**
 * Parse a non-2xx response into a HuaweiApiError with the right kind.
 * Message: `HTTP 409 DWS.0011: <error_msg>`, or `POST /v2/... -> 409 DWS.0011: <error_msg>` with a context.
 */
export const errorFromResponse = (
  status: number,
  rawBody: string,
  headers: Record<string, string | string[] | undefined>,
  context: ResponseErrorContext = {},
): HuaweiApiError => {
  const parsed = parseErrorBody(rawBody);
  const secrets = context.secrets ?? [];
  const code = parsed.code !== undefined ? redactSecrets(parsed.code, secrets) : undefined;
  const msg = parsed.msg !== undefined ? redactSecrets(parsed.msg, secrets) : undefined;
  const extMsg = parsed.extMsg !== undefined ? redactSecrets(parsed.extMsg, secrets) : undefined;
  const requestId = headerValue(headers, 'x-request-id') ?? parsed.requestId;
  const kind = kindOf(status, code, context.method);
  const throttled = status === 429 || (code !== undefined && THROTTLED_CODES.has(code));
  const retryAfter = retryAfterOf(headers);
  const retryAfterMs = throttled ? (retryAfter ?? DEFAULT_THROTTLE_RETRY_AFTER_MS) : retryAfter;

  const prefix =
    context.method !== undefined && context.path !== undefined
      ? `${context.method} ${context.path} -> ${status}`
      : `HTTP ${status}`;
  const text = [msg, extMsg !== undefined && extMsg !== msg ? `(${extMsg})` : undefined]
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
  const head = code !== undefined ? `${prefix} ${code}` : prefix;
  const message = text !== '' ? `${head}: ${text}` : head;

  return new HuaweiApiError(message, kind, {
    phase: 'response',
    httpStatus: status,
    ...(code !== undefined ? { errorCode: code } : {}),
    ...(msg !== undefined ? { errorMsg: msg } : {}),
    ...(requestId !== undefined ? { requestId } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
};
