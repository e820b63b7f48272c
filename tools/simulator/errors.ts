/**
 * Huawei-shaped answers shared by the simulator: error bodies, the gateway's and the services'
 * default error for a status (used by 'status' faults), DCS's two error shapes (v2 `DCS.xxxx`,
 * v1.0 numeric), time formatting and the key for (project, id) maps.
 * Codes follow docs huawei-apis.md ("Errors, throttling", "Progress of restores").
 * Owns: response payload helpers. Must not touch: sockets, state.
 */
import type { RouteId, ServiceResult } from './types.ts';

export const fail = (status: number, errorCode: string, errorMsg: string, extra?: object): ServiceResult => ({
  status,
  body: { error_code: errorCode, error_msg: errorMsg, ...extra },
  effectApplied: false,
});

export const ok = (body: Record<string, unknown>, effectApplied = false): ServiceResult => ({
  status: 200,
  body,
  effectApplied,
});

/** 204 No Content: no body is sent (DCS's restore-record list when there are no records). */
export const noContent = (): ServiceResult => ({ status: 204, body: {}, effectApplied: false });

/**
 * The gateway's own answers. huawei-apis.md: APIGW.0301 (401) bad signature, APIGW.0308 (429)
 * throttled, APIG.0201 (500/502) backend unavailable or unexpected error, APIG.0202 (502),
 * APIG.0203 (504) backend time-out; there is no APIGW.0500 / APIGW.0503. 400 and 404 from the
 * APIG user manual's error table (APIG.0201 "API request error", APIG.0101 "The API does not
 * exist..."). 503: no gateway code is published for it, so the gateway's documented "backend
 * unavailable" code APIG.0201 is used (a refusal: nothing reached the service).
 */
const GATEWAY_ERRORS: Readonly<Record<number, readonly [string, string]>> = {
  400: ['APIG.0201', 'API request error.'],
  401: ['APIGW.0301', 'Incorrect IAM authentication information'],
  403: ['APIGW.0302', 'The IAM user is not authorized to access the API'],
  404: ['APIG.0101', 'The API does not exist or has not been published in the environment.'],
  429: ['APIGW.0308', 'The request is throttled'],
  500: ['APIG.0201', 'Backend unavailable'],
  502: ['APIG.0202', 'Backend unavailable'],
  503: ['APIG.0201', 'Backend unavailable'],
  504: ['APIG.0203', 'Backend timeout'],
};

/** A service's own internal error (500 from inside: the call may have had its effect). */
type Service = 'dws' | 'dcs' | 'csbs' | 'cbr';

const INTERNAL_ERRORS: Readonly<Record<Service, readonly [string, string]>> = {
  dws: ['DWS.0005', 'Internal server error.'],
  dcs: ['DCS.5092', 'Internal service error.'],
  csbs: ['CSBS.9999', 'Internal error.'],
  /** CBR API reference "Error Codes": BackupService.9910 (500) Unknown error. */
  cbr: ['BackupService.9910', 'Unknown error.'],
};

/**
 * DCS v1.0 numeric codes, paired by identical message in the DCS error-code appendix
 * (huawei-apis.md "DCS v1.0 numeric codes"). Codes not listed there follow the same rule,
 * `111` + HTTP status + the code's last three digits (derived, not published; DCS.4049 has no
 * numeric twin listed).
 */
const DCS_NUMERIC: Readonly<Record<string, string>> = {
  'DCS.4097': '111400097',
  'DCS.4096': '111400096',
  'DCS.4017': '111400017',
  'DCS.4026': '111400026',
  'DCS.3022': '111404022',
  'DCS.4113': '111400113',
  'DCS.4086': '111400086',
  'DCS.4087': '111400087',
};

export const dcsNumericCode = (code: string, status: number): string =>
  DCS_NUMERIC[code] ?? `111${status}${code.slice(-3)}`;

export type DcsVersion = 'v1.0' | 'v2';

/** A DCS error: v2 `{error_code, error_msg, error_ext_msg}`, v1.0 `{error: {code, message}}`. */
export const dcsFail = (version: DcsVersion, status: number, code: string, msg: string): ServiceResult =>
  version === 'v1.0'
    ? { status, body: { error: { code: dcsNumericCode(code, status), message: msg } }, effectApplied: false }
    : fail(status, code, msg, { error_ext_msg: '' });

const serviceOf = (route: RouteId): Service => route.split('.')[0] as Service;

/**
 * The realistic default body of an injected status (2xx/3xx get an empty object): a 500 is the
 * service's own internal error (DWS.0005, DCS.5092 in the shape of the DCS API version called,
 * CSBS.9999, BackupService.9910), everything else the gateway's answer.
 */
export const defaultFaultBody = (
  status: number,
  route?: RouteId,
  dcsVersion: DcsVersion = 'v2',
): Record<string, unknown> => {
  if (status < 400) return {};
  if (status === 500 && route) {
    const service = serviceOf(route);
    const [code, msg] = INTERNAL_ERRORS[service];
    return service === 'dcs'
      ? dcsFail(dcsVersion, 500, code, msg).body
      : { error_code: code, error_msg: msg };
  }
  const [code, msg] = GATEWAY_ERRORS[status] ?? ['APIG.0201', 'Request failed'];
  return { error_code: code, error_msg: msg };
};

export const gatewayError = (status: number): ServiceResult => {
  const [code, msg] = GATEWAY_ERRORS[status] ?? ['APIG.0201', 'Request failed'];
  return fail(status, code, msg);
};

export const unknownApi = (): ServiceResult => gatewayError(404);

/** The error code of an answer in either shape (`error_code`, or `error.code`). */
export const errorCodeOf = (body: unknown): string | undefined => {
  if (!isObject(body)) return undefined;
  if (typeof body['error_code'] === 'string') return body['error_code'];
  const nested = body['error'];
  return isObject(nested) && typeof nested['code'] === 'string' ? nested['code'] : undefined;
};

/** ISO-8601 UTC without milliseconds, as DWS and CSBS print times. */
export const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export const key = (projectId: string, id: string): string => `${projectId}/${id}`;

export const PROJECT_ID = /^[0-9a-f]{32}$/i;

export const assertProjectId = (projectId: string): void => {
  if (!PROJECT_ID.test(projectId))
    throw new Error(`simulator: project id must be 32 hex characters: ${projectId}`);
};

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
