/**
 * Where Huawei AK/SK come from: a Secrets Manager secret in the cloud (HUAWEI_CREDENTIALS_SECRET_ID,
 * JSON {"ak","sk"} or the SDK's variable names, cached for 5 minutes across invocations), else the
 * environment (HUAWEICLOUD_SDK_AK / _SK / _SECURITY_TOKEN). Values are never logged.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import type { Config } from '../config/env.ts';
import { DrRelayError } from '../errors.ts';
import type { Credentials } from '../huawei/signer.ts';

const CACHE_MS = 5 * 60_000;
const SecretSchema = z.union([
  z.object({ ak: z.string().min(1), sk: z.string().min(1), security_token: z.string().optional() }),
  z
    .object({
      HUAWEICLOUD_SDK_AK: z.string().min(1),
      HUAWEICLOUD_SDK_SK: z.string().min(1),
      HUAWEICLOUD_SDK_SECURITY_TOKEN: z.string().optional(),
    })
    .transform((s) => ({
      ak: s.HUAWEICLOUD_SDK_AK,
      sk: s.HUAWEICLOUD_SDK_SK,
      security_token: s.HUAWEICLOUD_SDK_SECURITY_TOKEN,
    })),
]);

export const credentialsProvider = (config: Config): (() => Promise<Credentials>) => {
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
  let client: SecretsManagerClient | undefined;
  let cached: { value: Credentials; until: number } | undefined;
  return async () => {
    if (cached && cached.until > Date.now()) return cached.value;
    client ??= new SecretsManagerClient({});
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    // Never JSON.parse's own error: its message quotes the secret's first characters.
    let value: unknown;
    try {
      value = JSON.parse(SecretString ?? '{}');
    } catch {
      value = undefined;
    }
    const parsed = SecretSchema.safeParse(value);
    if (!parsed.success) {
      throw new DrRelayError(`secret ${secretId} must be JSON {"ak","sk"}`, 'permanent');
    }
    const { ak, sk, security_token } = parsed.data;
    cached = {
      value: { ak, sk, ...(security_token ? { securityToken: security_token } : {}) },
      until: Date.now() + CACHE_MS,
    };
    return cached.value;
  };
};
