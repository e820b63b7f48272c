/**
 * Where Huawei AK/SK come from: a Secrets Manager secret in the cloud (HUAWEI_CREDENTIALS_SECRET_ID,
 * JSON {"ak","sk"} or the SDK's variable names, cached for 5 minutes across invocations), else the
 * environment (HUAWEICLOUD_SDK_AK / _SK / _SECURITY_TOKEN). Values are never logged.
 */

import type { Config } from '../config/env.ts';
import type { Credentials } from '../huawei/signer.ts';
import * as z from '../schema/zod.ts';
import { cachedSecret } from './secrets.ts';

const SecretSchema = z.lazySchema(() =>
  z.union([
    z.object({
      ak: z.string().check(z.minLength(1)),
      sk: z.string().check(z.minLength(1)),
      security_token: z.optional(z.string()),
    }),
    z.pipe(
      z.object({
        HUAWEICLOUD_SDK_AK: z.string().check(z.minLength(1)),
        HUAWEICLOUD_SDK_SK: z.string().check(z.minLength(1)),
        HUAWEICLOUD_SDK_SECURITY_TOKEN: z.optional(z.string()),
      }),
      z.transform((s) => ({
        ak: s.HUAWEICLOUD_SDK_AK,
        sk: s.HUAWEICLOUD_SDK_SK,
        security_token: s.HUAWEICLOUD_SDK_SECURITY_TOKEN,
      })),
    ),
  ]),
);

/** The configuration the credentials come from (the CLI's `doctor` passes just these). */
export type CredentialsConfig = Pick<
  Config,
  | 'HUAWEI_CREDENTIALS_SECRET_ID'
  | 'HUAWEICLOUD_SDK_AK'
  | 'HUAWEICLOUD_SDK_SK'
  | 'HUAWEICLOUD_SDK_SECURITY_TOKEN'
>;

export const credentialsProvider = (config: CredentialsConfig): (() => Promise<Credentials>) => {
  const secretId = config.HUAWEI_CREDENTIALS_SECRET_ID;
  if (!secretId) {
    const fromEnv: Credentials = {
      ak: config.HUAWEICLOUD_SDK_AK ?? '',
      sk: config.HUAWEICLOUD_SDK_SK ?? '',
      ...(config.HUAWEICLOUD_SDK_SECURITY_TOKEN
        ? { securityToken: config.HUAWEICLOUD_SDK_SECURITY_TOKEN }
        : {}),
    };
    return async () => fromEnv;
  }
  const fromSecret = cachedSecret(secretId, SecretSchema, '{"ak","sk"}');
  return async () => {
    const { ak, sk, security_token } = await fromSecret();
    return { ak, sk, ...(security_token ? { securityToken: security_token } : {}) };
  };
};
