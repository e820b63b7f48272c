/**
 * The Huawei Cloud region ids dr-relay knows, for the hosts an SMN message may make it fetch
 * (`smn.<region>.myhuaweicloud.com` certificates, `<region>-console.huaweicloud.com` confirmations).
 * A region-shaped host that is not listed (`smn.zz-evil-999.myhuaweicloud.com`) is refused.
 * The list: the region tables of Huawei Cloud's own SDK (huaweicloud-sdk-go-v3, services/smn and
 * services/ecs `region/region.go`). A new region is one line here.
 * Owns: that list. Must not touch: URL rules (smn.ts), anything else.
 */
export const HUAWEI_CLOUD_REGIONS: ReadonlySet<string> = new Set([
  'ae-ad-1',
  'af-north-1',
  'af-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'cn-east-2',
  'cn-east-3',
  'cn-east-4',
  'cn-east-5',
  'cn-north-1',
  'cn-north-2',
  'cn-north-4',
  'cn-north-9',
  'cn-north-11',
  'cn-north-12',
  'cn-south-1',
  'cn-south-2',
  'cn-south-4',
  'cn-southwest-2',
  'cn-southwest-3',
  'eu-west-0',
  'eu-west-101',
  'la-north-2',
  'la-south-2',
  'me-east-1',
  'my-kualalumpur-1',
  'na-mexico-1',
  'ru-moscow-1',
  'ru-northwest-2',
  'sa-brazil-1',
  'tr-west-1',
]);

export const isKnownHuaweiRegion = (region: string): boolean => HUAWEI_CLOUD_REGIONS.has(region);
