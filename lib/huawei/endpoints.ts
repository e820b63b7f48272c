/**
 * Huawei Cloud service endpoints: the base URL of a service in a region.
 * Owns: the default host naming (with the published DWS exceptions), configuration overrides and
 * their variable names (DR_ENDPOINT_<SERVICE>, one per catalogue service).
 * Must not touch: the network, signing, credentials, the paths of individual API calls.
 */
import { SERVICES, type Service } from '../actions/types.ts';
import { ValidationError } from '../errors.ts';

export type EndpointOverrides = Partial<Record<Service, string>>;

/**
 * DWS is served under other top-level domains in these regions (API reference, "Endpoints").
 * CBR has no such exception: the Go SDK's services/cbr/v1/region/region.go names
 * `https://cbr.{region}.myhuaweicloud.com` for each of its 34 regions, eu-west-101 and cn-south-4 too.
 */
const DWS_DOMAIN_BY_REGION: Readonly<Record<string, string>> = {
  'eu-west-101': 'myhuaweicloud.eu',
  'cn-south-4': 'myhuaweicloud.cn',
  'cn-north-12': 'myhuaweicloud.cn',
  'cn-east-4': 'myhuaweicloud.cn',
  'tr-west-1': 'myhuaweicloud.cn',
  'ap-southeast-4': 'myhuaweicloud.cn',
};

const DEFAULT_DOMAIN = 'myhuaweicloud.com';

/** Region ids look like `cn-north-4`, `ap-southeast-1`, `eu-west-101`. */
const REGION = /^[a-z]{2,}(?:-[a-z0-9]+)+$/;

const overrideUrl = (service: Service, value: string): string => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError(`endpoint override for ${service} is not a URL`, [
      { path: `endpoints.${service}`, message: 'not a URL' },
    ]);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ValidationError(`endpoint override for ${service} must be http(s)`, [
      { path: `endpoints.${service}`, message: `unsupported protocol ${url.protocol}` },
    ]);
  }
  return value.trim().replace(/\/+$/, '');
};

/** Base URL (no trailing slash) for a service in a region; an override wins (its trailing slash removed). */
export const endpointFor = (service: Service, region: string, overrides?: EndpointOverrides): string => {
  const override = overrides?.[service];
  if (override !== undefined && override.trim() !== '') return overrideUrl(service, override);
  if (!REGION.test(region)) {
    throw new ValidationError(`invalid region id "${region}"`, [
      { path: 'region', message: 'expected a region id such as cn-north-4' },
    ]);
  }
  const domain = (service === 'dws' ? DWS_DOMAIN_BY_REGION[region] : undefined) ?? DEFAULT_DOMAIN;
  return `https://${service}.${region}.${domain}`;
};

/** The variable that overrides a service's endpoint: DR_ENDPOINT_DWS, _CSBS, _DCS, _CBR. */
export const endpointVariable = (service: Service): `DR_ENDPOINT_${Uppercase<Service>}` =>
  `DR_ENDPOINT_${service.toUpperCase() as Uppercase<Service>}`;

/** Every DR_ENDPOINT_* variable, in catalogue service order. */
export const ENDPOINT_VARIABLES = SERVICES.map(endpointVariable);

/** The overrides `read` gives (an environment, a validated configuration): unset or empty ones left out. */
export const endpointOverridesFrom = (read: (variable: string) => string | undefined): EndpointOverrides => {
  const overrides: EndpointOverrides = {};
  for (const service of SERVICES) {
    const value = read(endpointVariable(service));
    if (value !== undefined && value !== '') overrides[service] = value;
  }
  return overrides;
};
