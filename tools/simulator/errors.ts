/**
 * Huawei-shaped answers shared by the simulator: error bodies, the gateway's default error for a
 * status (used by 'status' faults), time formatting and the key for (project, id) maps.
 * Owns: response payload helpers. Must not touch: sockets, state.
 */
import type { ServiceResult } from './types.ts';

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

const GATEWAY_ERRORS: Readonly<Record<number, readonly [string, string]>> = {
  400: ['APIGW.0201', 'Bad request'],
  401: ['APIGW.0301', 'Incorrect IAM authentication information'],
  403: ['APIGW.0302', 'The IAM user is not authorized to access the API'],
  404: ['APIGW.0101', 'The API does not exist or has not been published in the environment.'],
  429: ['APIGW.0308', 'The request is throttled'],
  500: ['APIGW.0500', 'Internal server error'],
  502: ['APIGW.0201', 'Backend unavailable'],
  503: ['APIGW.0503', 'Service unavailable'],
  504: ['APIGW.0203', 'Backend timeout'],
};

/** The realistic default body of an injected status (2xx/3xx get an empty object). */
export const defaultFaultBody = (status: number): Record<string, unknown> => {
  if (status < 400) return {};
  const [code, msg] = GATEWAY_ERRORS[status] ?? [`APIGW.0${status}`, 'Request failed'];
  return { error_code: code, error_msg: msg };
};

export const unknownApi = (): ServiceResult => {
  const [code, msg] = GATEWAY_ERRORS[404]!;
  return fail(404, code, msg);
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
