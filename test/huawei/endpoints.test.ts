import { describe, expect, it } from 'vitest';
import type { Service } from '../../lib/actions/types.ts';
import { ValidationError } from '../../lib/errors.ts';
import { ENDPOINT_VARIABLES, endpointFor, endpointOverridesFrom } from '../../lib/huawei/endpoints.ts';

describe('endpointFor', () => {
  it.each<[Service, string, string]>([
    ['dws', 'cn-north-4', 'https://dws.cn-north-4.myhuaweicloud.com'],
    ['csbs', 'ap-southeast-1', 'https://csbs.ap-southeast-1.myhuaweicloud.com'],
    ['dcs', 'la-north-2', 'https://dcs.la-north-2.myhuaweicloud.com'],
    ['cbr', 'cn-north-4', 'https://cbr.cn-north-4.myhuaweicloud.com'],
    ['cbr', 'ap-southeast-3', 'https://cbr.ap-southeast-3.myhuaweicloud.com'],
  ])('defaults %s in %s to %s', (service, region, expected) => {
    // Prepare: no overrides. Act
    const url = endpointFor(service, region);
    // Assess
    expect(url).toBe(expected);
  });

  it.each([
    ['eu-west-101', 'https://dws.eu-west-101.myhuaweicloud.eu'],
    ['cn-south-4', 'https://dws.cn-south-4.myhuaweicloud.cn'],
    ['cn-north-12', 'https://dws.cn-north-12.myhuaweicloud.cn'],
    ['cn-east-4', 'https://dws.cn-east-4.myhuaweicloud.cn'],
    ['tr-west-1', 'https://dws.tr-west-1.myhuaweicloud.cn'],
    ['ap-southeast-4', 'https://dws.ap-southeast-4.myhuaweicloud.cn'],
  ])('serves DWS in %s from its own domain', (region, expected) => {
    expect(endpointFor('dws', region)).toBe(expected);
  });

  it.each<[Service, string]>([
    ['csbs', 'eu-west-101'],
    ['dcs', 'eu-west-101'],
    ['csbs', 'cn-south-4'],
    ['dcs', 'tr-west-1'],
    // The Go SDK's services/cbr/v1/region/region.go: cbr.<region>.myhuaweicloud.com in all 34 regions.
    ['cbr', 'eu-west-101'],
    ['cbr', 'cn-south-4'],
    ['cbr', 'cn-north-12'],
    ['cbr', 'cn-east-4'],
    ['cbr', 'tr-west-1'],
    ['cbr', 'ap-southeast-4'],
  ])('keeps .com for %s in the DWS exception region %s', (service, region) => {
    expect(endpointFor(service, region)).toBe(`https://${service}.${region}.myhuaweicloud.com`);
  });

  it('lets an override win, without its trailing slash', () => {
    // Prepare
    const overrides = { dws: 'http://127.0.0.1:8080/', dcs: 'https://proxy.example/dcs//' };
    // Act / Assess
    expect(endpointFor('dws', 'eu-west-101', overrides)).toBe('http://127.0.0.1:8080');
    expect(endpointFor('dcs', 'cn-north-4', overrides)).toBe('https://proxy.example/dcs');
    expect(endpointFor('csbs', 'cn-north-4', overrides)).toBe('https://csbs.cn-north-4.myhuaweicloud.com');
  });

  it('applies an override even for a region id it would not accept by default', () => {
    expect(endpointFor('csbs', 'local', { csbs: 'http://127.0.0.1:9000' })).toBe('http://127.0.0.1:9000');
  });

  it.each(['', 'cn-north-4.evil.example', 'cn-north-4/x', 'CN-NORTH-4', 'cnnorth4'])(
    'rejects the region id %j',
    (region) => {
      expect(() => endpointFor('dws', region)).toThrow(ValidationError);
    },
  );

  it.each(['not a url', 'ftp://files.example/'])('rejects the override %j', (override) => {
    expect(() => endpointFor('dws', 'cn-north-4', { dws: override })).toThrow(ValidationError);
  });
});

describe('endpoint overrides from configuration', () => {
  it('names one variable per service, CBR included', () => {
    expect(ENDPOINT_VARIABLES).toEqual([
      'DR_ENDPOINT_DWS',
      'DR_ENDPOINT_CSBS',
      'DR_ENDPOINT_DCS',
      'DR_ENDPOINT_CBR',
    ]);
  });

  it('reads DR_ENDPOINT_CBR (and the others), leaving out unset and empty ones', () => {
    // Prepare
    const env: Record<string, string> = {
      DR_ENDPOINT_CBR: 'http://127.0.0.1:9100',
      DR_ENDPOINT_DWS: '',
      DR_ENDPOINT_DCS: 'https://proxy.example/dcs',
    };
    // Act
    const overrides = endpointOverridesFrom((name) => env[name]);
    // Assess
    expect(overrides).toStrictEqual({ dcs: 'https://proxy.example/dcs', cbr: 'http://127.0.0.1:9100' });
    expect(endpointFor('cbr', 'cn-north-4', overrides)).toBe('http://127.0.0.1:9100');
  });
});
